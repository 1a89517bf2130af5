import type { Paper, PaperDetails } from '../model/paper.ts';
import type { Db } from './database.ts';
// A digest's papers, frozen when it is built: what every delivery of that digest shows. Written in
// the digest's own transaction; read by the renderers at send time instead of re-running the diff,
// so a snapshot ingested later (an older capture, a backfill) never changes or breaks a digest.

/**
 * What a frozen paper keeps: the attributes a digest shows and matches on. The details (TL;DR,
 * links, stars, comments …) came later: a digest frozen before them has none, and shows none.
 */
export type FrozenPaper = Pick<Paper, 'id' | 'arxivId' | 'title' | 'abstract' | 'authorCount' | 'authors' | 'organization' | 'publishedOn' | 'upvotes'> &
  PaperDetails;

export function freezePaper(paper: FrozenPaper): FrozenPaper {
  return {
    id: paper.id,
    arxivId: paper.arxivId,
    title: paper.title,
    abstract: paper.abstract,
    authorCount: paper.authorCount,
    authors: paper.authors,
    organization: paper.organization,
    publishedOn: paper.publishedOn,
    upvotes: paper.upvotes,
    aiSummary: paper.aiSummary ?? null,
    aiKeywords: paper.aiKeywords ?? [],
    githubRepo: paper.githubRepo ?? null,
    githubStars: paper.githubStars ?? null,
    projectPage: paper.projectPage ?? null,
    comments: paper.comments ?? null,
    listedOn: paper.listedOn ?? null,
  };
}

/**
 * Stores the digest's papers in listing order (one statement), from position `from` on; papers carried
 * over from an earlier digest of the week (for weekly readers) say which (`carriedFrom`).
 */
export async function freezeDigestPapers(
  db: Db,
  digestId: number,
  papers: readonly FrozenPaper[],
  options: { from?: number; carriedFrom?: ReadonlyMap<number, number> } = {},
): Promise<number> {
  if (papers.length === 0) return 0;
  const from = options.from ?? 0;
  return db.$executeRaw`
    INSERT INTO digest_paper (digest_id, position, paper_id, paper, carried_from)
    SELECT ${digestId}, ${from}::int + u.position - 1, u.paper_id, u.paper, u.carried_from
      FROM unnest(${papers.map((p) => p.id)}::int[], ${papers.map((p) => JSON.stringify(freezePaper(p)))}::jsonb[],
                  ${papers.map((p) => options.carriedFrom?.get(p.id) ?? null)}::int[])
           WITH ORDINALITY AS u(paper_id, paper, carried_from, position)`;
}

/** A digest's frozen paper as read back: `carried` when it came from an earlier digest of the week. */
export type DigestPaper = FrozenPaper & { carried?: boolean };

/** The digest's frozen papers, in listing order (its new papers first, then any carried for weekly readers). */
export async function digestPapers(db: Db, digestId: number, options: { newOnly?: boolean } = {}): Promise<DigestPaper[]> {
  const rows = options.newOnly
    ? await db.$queryRaw<Array<{ paper: FrozenPaper; carried: boolean }>>`
        SELECT paper, false AS carried FROM digest_paper WHERE digest_id = ${digestId} AND carried_from IS NULL ORDER BY position`
    : await db.$queryRaw<Array<{ paper: FrozenPaper; carried: boolean }>>`
        SELECT paper, carried_from IS NOT NULL AS carried FROM digest_paper WHERE digest_id = ${digestId} ORDER BY position`;
  return rows.map((r) => (r.carried ? { ...r.paper, carried: true } : r.paper));
}

/**
 * The new papers of the digests built in [since, before) (frozen as they were then), each once, from
 * the latest digest that had it: what a weekly digest may carry over.
 */
export async function papersOfDigestsBuilt(db: Db, since: Date, before: Date): Promise<Array<{ paper: FrozenPaper; digestId: number }>> {
  const rows = await db.$queryRaw<Array<{ paper: FrozenPaper; digest_id: number }>>`
    SELECT DISTINCT ON (dp.paper_id) dp.paper, dp.digest_id
      FROM digest_paper dp JOIN digest g ON g.id = dp.digest_id
     WHERE g.created_at >= ${since} AND g.created_at < ${before} AND g.status IN ('ready', 'paused') AND dp.carried_from IS NULL
     ORDER BY dp.paper_id, g.created_at DESC, dp.digest_id DESC`;
  return rows.map((r) => ({ paper: r.paper, digestId: r.digest_id }));
}
