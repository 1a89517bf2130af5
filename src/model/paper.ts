// A paper as the stages and the database share it (CONTEXT.md: paper, details). Plain data.

/**
 * What the daily papers API adds to a paper (optional: a text capture and older listings have none
 * of it; absent fields are undefined or null, an empty keyword list is none).
 */
export interface PaperDetails {
  /** the one-line TL;DR of Daily Papers (paper.ai_summary) */
  aiSummary?: string | null;
  /** paper.ai_keywords: stored and frozen, never matched (src/match/README.md) */
  aiKeywords?: string[];
  /** http(s) URL of the paper's code (paper.githubRepo) and its stars (paper.githubStars) */
  githubRepo?: string | null;
  githubStars?: number | null;
  /** http(s) URL of the project page (paper.projectPage) */
  projectPage?: string | null;
  /** the comments of its Daily Papers page (numComments) */
  comments?: number | null;
  /** YYYY-MM-DD: the day it was put on Daily Papers (paper.submittedOnDailyAt) */
  listedOn?: string | null;
}

/** What is stored of a paper, as far as identity and its changing attributes go. */
export interface KnownPaper extends PaperDetails {
  id: number;
  arxivId: string | null;
  /** the highest arXiv version any source named, or null (optional: most readers ignore it) */
  arxivVersion?: number | null;
  titleKey: string;
  title: string;
  abstract: string;
  authorCount: number | null;
  authors: string[];
  organization: string | null;
  publishedOn: string | null;
  upvotes: number | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** A stored paper, as every stage reads it. */
export interface Paper extends KnownPaper {}

export type PaperFields = Omit<KnownPaper, 'id'>;

/** One entry of a snapshot once its paper is identified: a known paper (with what changed) or a new one. */
export type Resolved =
  | { kind: 'existing'; position: number; paperId: number; changes: Partial<PaperFields> }
  | { kind: 'new'; position: number; fields: PaperFields };

/** A snapshot's entries resolved against the stored papers (ingest/resolve-papers.ts), as the database writes them. */
export interface Resolution {
  entries: Resolved[];
  /** listing positions dropped because an earlier entry of the same snapshot is the same paper */
  duplicates: number[];
}
