// "Papers like this one": a topic line that names a paper — `like:2407.13168`, or its Hugging Face
// or arXiv URL — catches the new papers whose text resembles that paper's, with it as the reason. Pure.
import { normalizeArxivId } from '../ingest/paper-identity.ts';
import { cosine, type SparseVector } from './text-model.ts';

const LIKE = /^like\s*:\s*(\S+)$/i;
const URL_FORMS = [
  /^https?:\/\/(?:www\.)?huggingface\.co\/papers\/([^/?#\s]+)\/?(?:[?#]\S*)?$/i,
  /^https?:\/\/(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf|html)\/(\S+?)(?:\.pdf)?\/?(?:[?#]\S*)?$/i,
];

/** The arXiv id a topic line names ("like:2407.13168v2", a paper's HF or arXiv URL), or null for an ordinary topic. */
export function likeTopicTarget(line: string): string | null {
  const text = line.trim();
  const like = LIKE.exec(text);
  const candidate = like ? like[1]! : URL_FORMS.map((form) => form.exec(text)?.[1]).find((id) => id !== undefined);
  if (candidate === undefined) return null;
  return normalizeArxivId(like ? candidate.replace(/^https?:\/\/\S+\/(?:abs|pdf|papers|html)\//i, '').replace(/\.pdf$/i, '') : decodeURIComponent(candidate));
}

/** How much a new paper must resemble the named one to be caught (cosine of their TF-IDF vectors). */
export const LIKE_MIN_SIMILARITY = 0.2;

export interface LikeHit {
  paperId: number;
  similarity: number;
}

/**
 * The papers that resemble the named one, most similar first (the named paper itself is never caught
 * by its own line). `score` gives a like-hit a place among topic hits: see README "like:".
 */
export function papersLike(
  target: { paperId: number; vector: SparseVector },
  papers: ReadonlyArray<{ paperId: number; vector: SparseVector }>,
  minSimilarity = LIKE_MIN_SIMILARITY,
): LikeHit[] {
  const hits: LikeHit[] = [];
  for (const p of papers) {
    if (p.paperId === target.paperId) continue;
    const similarity = cosine(target.vector, p.vector);
    if (similarity >= minSimilarity) hits.push({ paperId: p.paperId, similarity });
  }
  return hits.sort((a, b) => b.similarity - a.similarity || a.paperId - b.paperId);
}

/**
 * A like-hit's match score on the topics' scale (src/match/README.md "Ranking"): tier 2 ("near, in
 * the abstract") at the threshold up to tier 4 ("phrase in the abstract") for a near-copy, so a paper
 * a reader's words name in its title still ranks above one that merely resembles a paper.
 */
export function likeScore(similarity: number, minSimilarity = LIKE_MIN_SIMILARITY): number {
  const share = Math.max(0, Math.min(1, (similarity - minSimilarity) / (1 - minSimilarity)));
  return 2000 + Math.round(share * 2000);
}
