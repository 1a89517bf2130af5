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

/** A paper's attributes as a listing gives them and as they are stored (CONTEXT.md: paper). */
export interface PaperAttributes extends PaperDetails {
  /** arXiv id ("2406.12345") when the source gives one (the JSON API does; the text capture does not). */
  arxivId: string | null;
  title: string;
  abstract: string;
  /** "• 8 authors" in a text capture; authors.length in the JSON (hidden ones counted). */
  authorCount: number | null;
  /** author names when the source lists them (JSON, hidden authors left out), else []. */
  authors: string[];
  /** "UC Berkeley" (text meta line) or the JSON organization's full name. */
  organization: string | null;
  /** publication date as YYYY-MM-DD, when known. */
  publishedOn: string | null;
  upvotes: number | null;
}

/** What is stored of a paper, as far as identity and its changing attributes go. */
export interface KnownPaper extends PaperAttributes {
  id: number;
  /** the highest arXiv version any source named, or null (optional: most readers ignore it) */
  arxivVersion?: number | null;
  titleKey: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** A stored paper, as every stage reads it. */
export type Paper = KnownPaper;

export type PaperFields = Omit<KnownPaper, 'id'>;

/** One entry of a snapshot once its paper is identified: a known paper (with what changed) or a new one. */
type Resolved = { kind: 'existing'; position: number; paperId: number; changes: Partial<PaperFields> } | { kind: 'new'; position: number; fields: PaperFields };

/** A snapshot's entries resolved against the stored papers (ingest/resolve-papers.ts), as the database writes them. */
export interface Resolution {
  entries: Resolved[];
  /** listing positions dropped because an earlier entry of the same snapshot is the same paper */
  duplicates: number[];
}
