// Which papers a topic catches and with what score — the same decision and the same score as
// matchTopic, without building the words and ranges of each hit. Planning a digest for many
// subscribers needs only this; highlights are computed later, for the emails actually rendered.
import type { CompiledTopic } from './compile.ts';
import type { IndexedPaper, PaperIndex } from './index-papers.ts';
import { candidatePapers, groupOccurrences } from './match.ts';
import { rankOf } from './proximity.ts';

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
  const found = groupOccurrences(topic, paper);
  return found ? rankOf(found.title, found.abstract, found.count).score : -1;
}
