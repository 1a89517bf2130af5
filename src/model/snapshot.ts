// A snapshot as the stages and the database share it (CONTEXT.md: snapshot, capture date). Plain data.

export type SnapshotFormat = 'text' | 'json';

/**
 * The furthest a capture date may be after the ingest clock, in days: ingest refuses a later one
 * (ingest/plausible.ts), and only snapshots within it are ever the newest or a previous one.
 */
export const FUTURE_DAYS = 1;

export interface SnapshotSummary {
  id: number;
  source: string;
  capturedAt: Date;
  contentHash: string;
  format: SnapshotFormat;
  entryCount: number;
  ingestedAt: Date;
  /** ingested as history (bundled seeds, a backfilled day): never digested */
  history: boolean;
}
