// The entries of the feeds, from digests' frozen papers: a paper appears once, in the newest digest
// that carried it, dated by when that digest was built (so an entry's date never moves). Pure.
import type { FrozenPaper } from '../db/digest-papers.ts';

export interface FeedPaper {
  paperId: number;
  title: string;
  /** the paper's page */
  url: string;
  abstract: string;
  /** the reader's topics that caught it (empty in the public feed) */
  topics: string[];
  /** when the digest that carried it was built */
  date: Date;
}

export interface DigestPapers {
  digestId: number;
  createdAt: Date;
  papers: readonly FrozenPaper[];
}

/**
 * Newest digest first; `pick` says which of a digest's papers go in and with which topics (null:
 * left out). At most `limit` entries.
 */
export function feedPapers(
  digests: readonly DigestPapers[],
  pick: (digest: DigestPapers) => ReadonlyArray<{ paper: FrozenPaper; topics: string[] }>,
  paperUrl: (paper: FrozenPaper) => string,
  limit: number,
): FeedPaper[] {
  const seen = new Set<number>();
  const out: FeedPaper[] = [];
  for (const digest of digests) {
    for (const { paper, topics } of pick(digest)) {
      if (seen.has(paper.id)) continue;
      seen.add(paper.id);
      out.push({ paperId: paper.id, title: paper.title, url: paperUrl(paper), abstract: paper.abstract, topics, date: digest.createdAt });
      if (out.length >= limit) return out;
    }
  }
  return out;
}
