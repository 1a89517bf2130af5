// Which papers a topic catches and with what score — the same decision and the same score as
// matchTopic, without building the words and ranges of each hit. Planning a digest for many
// subscribers needs only this; highlights are computed later, for the emails actually rendered.
import type { CompiledTopic } from './compile.ts';
import type { IndexedPaper, PaperIndex } from './index-papers.ts';
import { candidatePapers, MAX_OCCURRENCE_POINTS, occurrences, occursIn, TITLE_BONUS, TITLE_SHARE } from './match.ts';

const NO_SCORES: ReadonlyMap<number, number> = new Map();

/** paper id → score (see match.ts), in index order; only the papers the topic catches. */
export function scoreTopic(topic: CompiledTopic, index: PaperIndex): ReadonlyMap<number, number> {
  const candidates = candidatePapers(topic, index);
  if (candidates.length === 0) return NO_SCORES;
  let scores: Map<number, number> | null = null;
  for (const at of candidates) {
    const paper = index.papers[at];
    if (!paper) continue;
    const score = scoreOn(topic, paper);
    if (score < 0) continue;
    (scores ??= new Map()).set(paper.id, score);
  }
  return scores ?? NO_SCORES;
}

/** The hit's score, or -1 when the topic does not catch the paper. */
function scoreOn(topic: CompiledTopic, paper: IndexedPaper): number {
  for (const term of topic.exclude) if (occursIn(term, paper)) return -1;
  let groupsInTitle = 0;
  let found = 0;
  for (const group of topic.include) {
    let matched = false;
    let inTitle = false;
    for (const term of group) {
      const t = occurrences(term, paper.title).length;
      const a = occurrences(term, paper.abstract).length;
      found += t + a;
      if (t > 0) inTitle = true;
      if (t + a > 0) matched = true;
    }
    if (!matched) return -1;
    if (inTitle) groupsInTitle++;
  }
  return (groupsInTitle > 0 ? TITLE_BONUS : 0) + Math.round((TITLE_SHARE * groupsInTitle) / topic.include.length) + Math.min(found, MAX_OCCURRENCE_POINTS);
}
