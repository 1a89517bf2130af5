// A digest's papers, frozen when it is built: what every delivery of that digest shows. Written in
// the digest's own transaction; read by the renderers at send time instead of re-running the diff,
// so a snapshot ingested later (an older capture, a backfill) never changes or breaks a digest.
import type { Paper } from './snapshots.ts';
import type { Db } from './snapshots.ts';
import type { PaperDetails } from '../ingest/types.ts';

/**
 * What a frozen paper keeps: the attributes a digest shows and matches on. The details (TL;DR,
 * links, stars, comments …) came later: a digest frozen before them has none, and shows none.
 */
export type FrozenPaper = Pick<Paper, 'id' | 'arxivId' | 'title' | 'abstract' | 'authorCount' | 'authors' | 'organization' | 'publishedOn' | 'upvotes'> & PaperDetails;

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

/** Stores the digest's papers in listing order (one statement). */
export async function freezeDigestPapers(db: Db, digestId: number, papers: readonly FrozenPaper[]): Promise<number> {
  if (papers.length === 0) return 0;
  return db.$executeRaw`
    INSERT INTO digest_paper (digest_id, position, paper_id, paper)
    SELECT ${digestId}, u.position - 1, u.paper_id, u.paper
      FROM unnest(${papers.map((p) => p.id)}::int[], ${papers.map((p) => JSON.stringify(freezePaper(p)))}::jsonb[])
           WITH ORDINALITY AS u(paper_id, paper, position)`;
}

/** The digest's frozen papers, in listing order. */
export async function digestPapers(db: Db, digestId: number): Promise<FrozenPaper[]> {
  const rows = await db.$queryRaw<Array<{ paper: FrozenPaper }>>`
    SELECT paper FROM digest_paper WHERE digest_id = ${digestId} ORDER BY position`;
  return rows.map((r) => r.paper);
}
