// What a snapshot source becomes once parsed: plain data, no IO (see CONTEXT.md: snapshot, paper).
import type { PaperAttributes } from '../model/paper.ts';
import type { SnapshotFormat } from '../model/snapshot.ts';

/** One entry of a listing, as the source gives it. */
export interface ParsedPaper extends PaperAttributes {
  /** the arXiv version the source named ("2406.12345v2" → 2), kept as an attribute; null when it named none */
  arxivVersion: number | null;
}

export interface ParsedSnapshot {
  format: SnapshotFormat;
  /** when the listing was captured: the text header's date (UTC midnight) or the JSON's newest listing date. */
  capturedAt: Date;
  /** entries in listing order; a paper listed twice appears once (its first place). */
  papers: ParsedPaper[];
  /** true when the input ended inside an entry and that entry was dropped. */
  truncated: boolean;
  /** notes for the operator that do not stop the ingest (e.g. "entry 12: no meta block"). */
  warnings: string[];
}

export interface ParseOptions {
  /** the ingest clock: gives the year of a capture date written without one, and bounds every date. */
  now: Date;
  /** more entries than this are refused up front (SOURCE_MAX_ENTRIES); no limit when unset */
  maxEntries?: number;
}

/**
 * Input that is not a snapshot. `line` is 1-based when the problem has a place. `kind` tells a
 * listing with no paper in it ('empty': a source that is up but has nothing) from anything else.
 */
export class SnapshotParseError extends Error {
  readonly code = 'SNAPSHOT_INVALID';
  constructor(
    message: string,
    readonly line: number | null = null,
    readonly kind: 'invalid' | 'empty' = 'invalid',
  ) {
    super(message);
    this.name = 'SnapshotParseError';
  }
}
