// The topic matcher: parse and compile topic lines, index a snapshot's papers, match, highlight.
export * from './types.ts';
export { parseTopic, validateTopics, MAX_TOPIC_CHARS, MAX_TOPIC_WORDS, type Query } from './parse-topic.ts';
export { compileTopic, type CompiledTopic } from './compile.ts';
export { indexPapers, type PaperIndex } from './index-papers.ts';
export { matchTopic, matchTopics, mergeTopicHits, rangesIn } from './match.ts';
export { scoreTopic } from './score.ts';
export { joinAdjacent, splitByRanges, mergeRanges } from './highlight.ts';
export { tokenize } from './tokenize.ts';
export { normalizeWord, stemWord } from './stem.ts';
