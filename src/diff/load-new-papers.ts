// Reads a snapshot and the one before it, and diffs them (model/new-papers.ts).
import { previousSnapshot, snapshotPaperIds, snapshotPapers } from '../db/snapshots.ts';
import { newPaperKeys } from '../model/new-papers.ts';
import type { Db } from '../db/database.ts';
import type { Paper } from '../model/paper.ts';
import type { SnapshotSummary } from '../model/snapshot.ts';

export interface SnapshotDiff {
  snapshot: SnapshotSummary;
  previous: SnapshotSummary | null;
  /** every paper of the snapshot, in listing order */
  papers: Paper[];
  /** ids of its new papers, in listing order */
  newPaperIds: number[];
}

export async function loadSnapshotDiff(db: Db, snapshot: SnapshotSummary): Promise<SnapshotDiff> {
  const previous = await previousSnapshot(db, snapshot);
  const [papers, before] = await Promise.all([snapshotPapers(db, snapshot.id), previous ? snapshotPaperIds(db, previous.id) : null]);
  return { snapshot, previous, papers, newPaperIds: newPaperKeys(papers.map((p) => p.id), before) };
}
