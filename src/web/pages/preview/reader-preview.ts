// What the live preview of the preferences page adds for a reader with a reader model: their next
// digest's ranking of what the lines in the box catch (rank-reader-papers.ts, as the digest, the feeds
// and `paperboy preview` rank): each topic's papers in the reader's order, the papers their model sets
// aside taken out of their topics and shown at the end under "Probably not for you" (never dropped),
// and up to two papers no line catches under "You may also like", each with the liked paper it
// resembles. Muted lines catch nothing here, as in the digest (the page still shows what they would
// catch, marked muted), and `like:` lines keep the anonymous preview's list. Pure.
import { rankReaderPapers, type ReaderRelevance } from '../../../digest/rank-reader-papers.ts';
import type { TopicMatcher } from '../../../digest/topic-matcher.ts';
import { likeTopicTarget } from '../../../relevance/index.ts';
import { likePaper } from './like-preview.ts';
import { PREVIEW_PAPERS, previewPaper, topicPreview, type PreviewPaper, type TopicPreview } from './topic-preview.ts';
import type { Paper } from '../../../model/paper.ts';

/** set-aside papers shown at the end (the rest are counted) */
const PREVIEW_ASIDE = 10;

export interface ReaderPreview {
  /** per ordinary, unmuted line that parses: its entry in the reader's order (the other lines: as for anyone) */
  topics: ReadonlyMap<string, TopicPreview>;
  /** "Probably not for you — like papers you marked not relevant": caught, set aside by the model */
  notForYou: { total: number; papers: Array<PreviewPaper & { topic: string }> };
  /** "You may also like": caught by no line, each with the liked paper it resembles as its reason */
  alsoLike: PreviewPaper[];
}

export interface ReaderPreviewInput {
  matcher: TopicMatcher;
  papers: ReadonlyMap<number, Paper>;
  newIds: ReadonlySet<number>;
  /** the lines of the box that catch for the reader: distinct, parsing, not muted */
  lines: readonly string[];
  /** with the reader's model (not null) */
  relevance: ReaderRelevance;
}

export function readerPreview({ matcher, papers, newIds, lines, relevance }: ReaderPreviewInput): ReaderPreview {
  const all = rankReaderPapers(matcher, lines, undefined, relevance, Infinity);
  const aside = new Set(all.filter((p) => p.section === 'not-for-you').map((p) => p.paperId));

  const topics = new Map<string, TopicPreview>();
  // one line at a time, for its own order (the suggestions are the whole box's: none asked for here)
  const oneLine: ReaderRelevance = { ...relevance, model: { ...relevance.model!, liked: [] } };
  for (const line of lines) {
    if (likeTopicTarget(line) !== null) continue;
    const hits = matcher.topicHits(line);
    if (!hits) continue;
    const order = rankReaderPapers(matcher, [line], undefined, oneLine, Infinity).map((p) => p.paperId);
    topics.set(line, topicPreview(line, hits, papers, newIds, PREVIEW_PAPERS, { order, aside }));
  }

  const setAside = all.filter((p) => p.section === 'not-for-you');
  const notForYou: Array<PreviewPaper & { topic: string }> = [];
  for (const p of setAside.slice(0, PREVIEW_ASIDE)) {
    const paper = papers.get(p.paperId);
    const topic = p.topics[0] ?? '';
    const hit = matcher.topicHits(topic)?.get(p.paperId);
    if (!paper) continue;
    const shown = hit ? previewPaper(paper, hit, newIds) : likePaper(paper, p.resembles?.title ?? topic, newIds);
    notForYou.push({ ...shown, topic });
  }
  const alsoLike = all.flatMap((p) => {
    const paper = p.section === 'also-like' ? papers.get(p.paperId) : undefined;
    return paper ? [likePaper(paper, p.resembles?.title ?? '', newIds)] : [];
  });
  return { topics, notForYou: { total: setAside.length, papers: notForYou }, alsoLike };
}
