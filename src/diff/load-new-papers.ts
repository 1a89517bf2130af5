// Reads a snapshot and the one before it, and diffs them (model/new-papers.ts).
import { previousSnapshot, snapshotPaperIds, snapshotPapers } from '../db/snapshots.ts';
import { newPaperKeys } from '../model/new-papers.ts';
import type { Db, Queryable } from '../db/database.ts';
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

/** `db`: the Prisma client (the papers) and the pool (the snapshot's neighbours and ids, in plain SQL). */
export async function loadSnapshotDiff(db: { prisma: Db; sql: Queryable }, snapshot: SnapshotSummary): Promise<SnapshotDiff> {
  const previous = await previousSnapshot(db.sql, snapshot);
  const [papers, before] = await Promise.all([snapshotPapers(db.prisma, snapshot.id), previous ? snapshotPaperIds(db.sql, previous.id) : null]);
  return {
    snapshot,
    previous,
    papers,
    newPaperIds: newPaperKeys(
      papers.map((p) => p.id),
      before,
    ),
  };
}
