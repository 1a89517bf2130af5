// What the live preview shows for a `like:` line: the papers of the newest snapshot that resemble the
// paper it names, each with the reason the digest gives ("Like “<title>”"), or — when that paper is
// not stored yet — that the line catches nothing until it is. Pure.
import { paperUrl } from '../../../deliver/links.ts';
import type { LikeHit } from '../../../relevance/index.ts';
import { shortenAround } from '../../../render/shorten.ts';
import { PREVIEW_PAPERS, type PreviewPaper, type TopicPreview } from './topic-preview.ts';
import type { Paper } from '../../../model/paper.ts';

const ABSTRACT_CHARS = 240;

/** The named paper: its arXiv id, and its title when it is stored (null: not yet). */
export interface LikeNamed {
  arxivId: string;
  title: string | null;
}

export type LikePreview = Extract<TopicPreview, { total: number }> & { like: LikeNamed };

export function likePreview(
  topic: string,
  named: LikeNamed,
  hits: readonly LikeHit[],
  papers: ReadonlyMap<number, Paper>,
  newIds: ReadonlySet<number>,
  max = PREVIEW_PAPERS,
): LikePreview {
  // new papers first (what a digest would mail), then most similar first
  const ranked = [...hits].sort((a, b) => Number(newIds.has(b.paperId)) - Number(newIds.has(a.paperId)) || b.similarity - a.similarity);
  const shown: PreviewPaper[] = [];
  for (const hit of ranked.slice(0, max)) {
    const paper = papers.get(hit.paperId);
    if (paper) shown.push(likePaper(paper, named.title ?? named.arxivId, newIds));
  }
  return { topic, like: named, total: hits.length, newTotal: hits.filter((h) => newIds.has(h.paperId)).length, papers: shown };
}

/** A paper shown for its resemblance to another (a `like:` line's, or a suggestion's): "Like “<title>”". */
export function likePaper(paper: Paper, like: string, newIds: ReadonlySet<number>): PreviewPaper {
  return {
    id: paper.id,
    title: paper.title,
    url: paperUrl(paper.arxivId, paper.title),
    new: newIds.has(paper.id),
    titleRanges: [],
    reason: `Like “${like}”`,
    reasonRanges: [],
    abstract: shortenAround(paper.abstract, [], ABSTRACT_CHARS).text,
    abstractRanges: [],
    words: [],
  };
}
