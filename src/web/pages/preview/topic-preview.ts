// What the live preview shows for one topic line: its best papers in the newest snapshot, with the
// ranges to highlight (the page builds the marks itself, from text, never from HTML), or the
// matcher's error. Pure.
import { paperUrl } from '../../../deliver/links.ts';
import { joinAdjacent, type Range, type TopicHit } from '../../../match/index.ts';
import { reasonText } from '../../../render/digest-paper.ts';
import { shortenAround } from '../../../render/shorten.ts';
import type { Paper } from '../../../model/paper.ts';

/** papers shown per topic (new ones first, then by score); `total` says how many it catches */
export const PREVIEW_PAPERS = 5;
const ABSTRACT_CHARS = 240;

export interface PreviewPaper {
  id: number;
  title: string;
  url: string;
  /** not in the snapshot before: the kind of paper a digest mails */
  new: boolean;
  titleRanges: Range[];
  /** why the topic caught it, as the digest says it ("Title matches Scaling Laws"), with its highlights */
  reason: string;
  reasonRanges: Range[];
  /** the abstract shortened around what matched, with its ranges moved along */
  abstract: string;
  abstractRanges: Range[];
  words: string[];
}

export type TopicPreview =
  | {
      topic: string;
      total: number;
      newTotal: number;
      papers: PreviewPaper[];
      /** caught, but set aside by the reader's model (the reader's preview) */ aside?: number;
    }
  | { topic: string; error: { code: string; message: string; column: number | null } };

/**
 * `reader`: the reader's own order of what the topic catches (rank-reader-papers.ts, their model) and
 * the papers their model set aside ("Probably not for you": left out here, shown at the end of the
 * preview, counted in `aside`). Without it: the match score's order, as for anyone.
 */
export function topicPreview(
  topic: string,
  hits: ReadonlyMap<number, TopicHit>,
  papers: ReadonlyMap<number, Paper>,
  newIds: ReadonlySet<number>,
  max = PREVIEW_PAPERS,
  reader?: { order: readonly number[]; aside: ReadonlySet<number> },
): TopicPreview {
  // new papers first (they are what a digest would have mailed), then best first; the hits come in
  // listing order and the sort is stable, so ties keep it
  const isNew = (id: number): number => (newIds.has(id) ? 1 : 0);
  const place = reader ? new Map(reader.order.map((id, i) => [id, i])) : null;
  const better = place
    ? (a: number, b: number) => (place.get(a) ?? Infinity) - (place.get(b) ?? Infinity)
    : (a: number, b: number) => hits.get(b)!.score - hits.get(a)!.score;
  const ranked = [...hits.keys()].sort((a, b) => isNew(b) - isNew(a) || better(a, b));
  const newTotal = ranked.filter((id) => newIds.has(id)).length;
  const shown: PreviewPaper[] = [];
  for (const id of ranked.filter((id) => !reader?.aside.has(id)).slice(0, max)) {
    const paper = papers.get(id);
    if (paper) shown.push(previewPaper(paper, hits.get(id)!, newIds));
  }
  const aside = reader ? ranked.filter((id) => reader.aside.has(id)).length : 0;
  return { topic, total: hits.size, newTotal, papers: shown, ...(aside > 0 ? { aside } : {}) };
}

/** One paper as the preview shows it, with what its topic's hit highlights. */
export function previewPaper(paper: Paper, hit: TopicHit, newIds: ReadonlySet<number>): PreviewPaper {
  const abstract = shortenAround(paper.abstract, hit.abstract, ABSTRACT_CHARS);
  const reason = reasonText(hit, paper);
  return {
    id: paper.id,
    title: paper.title,
    url: paperUrl(paper.arxivId, paper.title),
    new: newIds.has(paper.id),
    titleRanges: joinAdjacent(paper.title, hit.title),
    reason: reason.text,
    reasonRanges: reason.ranges,
    abstract: abstract.text,
    abstractRanges: joinAdjacent(abstract.text, abstract.ranges),
    words: hit.words,
  };
}
