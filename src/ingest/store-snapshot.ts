// Storing a parsed snapshot: its papers (created or updated) and its entries, all of it or none of
// it. The sequence is ingest's; each step on the database is a primitive of db/: one transaction under
// the store lock (db/snapshots.ts inSnapshotStore), in which the known papers are read, resolved
// (resolve-papers.ts), and written in one statement (db/paper-rows.ts writeSnapshot).
import type { Sql } from '../db/database.ts';
import { drawPaperIds, findKnownPapers, prepareSnapshotWrite, writeSnapshot } from '../db/paper-rows.ts';
import { findSnapshotByHash, inSnapshotStore } from '../db/snapshots.ts';
import type { SnapshotSummary } from '../model/snapshot.ts';
import { identityKeys, resolvePapers } from './resolve-papers.ts';
import type { ParsedSnapshot } from './types.ts';

export interface StoredSnapshot {
  snapshot: SnapshotSummary;
  createdPapers: number;
  updatedPapers: number;
  duplicates: number[];
}

export class DuplicateSnapshotError extends Error {
  readonly code = 'SNAPSHOT_DUPLICATE';
  constructor(readonly snapshotId: number) {
    super(`the same content is already snapshot ${snapshotId}`);
  }
}

/**
 * Stores a parsed snapshot. `ingestedAt` is the ingest clock: a snapshot whose capture date is more
 * than a day after it is never the newest (db/snapshots.ts latestSnapshot). Throws
 * DuplicateSnapshotError when the same content is stored already, UnstorableSnapshotError (db/) when
 * the database refuses one of its values.
 */
export function storeSnapshot(
  db: { sql: Sql },
  input: { parsed: ParsedSnapshot; source: string; contentHash: string; ingestedAt?: Date; history?: boolean },
): Promise<StoredSnapshot> {
  const { parsed, source, contentHash } = input;
  return inSnapshotStore(db, async (tx) => {
    const existing = await findSnapshotByHash(tx, contentHash);
    if (existing) throw new DuplicateSnapshotError(existing.id);

    const known = await findKnownPapers(tx, identityKeys(parsed.papers));
    const resolution = resolvePapers(parsed.papers, known, parsed.capturedAt);
    const ids = await drawPaperIds(tx, resolution.entries.filter((e) => e.kind === 'new').length);
    // Only the statement's parameters stay alive while it runs (50,000 known papers need not).
    const write = prepareSnapshotWrite(
      {
        source,
        capturedAt: parsed.capturedAt,
        contentHash,
        format: parsed.format,
        ingestedAt: input.ingestedAt ?? new Date(),
        history: input.history ?? false,
      },
      resolution,
      ids,
    );
    const duplicates = resolution.duplicates;
    const snapshot = await writeSnapshot(tx, write);
    return { snapshot, createdPapers: write.created, updatedPapers: write.changed, duplicates };
  });
}
