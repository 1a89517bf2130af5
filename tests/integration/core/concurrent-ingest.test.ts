// Two ingests at the same moment (two processes, or the CLI beside serve) of snapshots that share
// papers: they take turns on the store lock, so a shared paper is one row, not one per snapshot.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestSnapshot } from '../../../src/db/snapshots.ts';
import { loadSnapshotDiff } from '../../../src/diff/load-new-papers.ts';
import { ingestOne, type IngestDeps } from '../../../src/ingest/ingest-inputs.ts';
import { openDatabase, type Database } from '../../../src/db/database.ts';
import { openTestDatabase, type TestDatabase } from '../../support/databases.ts';
import { silentLogger } from '../../support/logs.ts';
import { countTextModel } from '../../../src/relevance/stored-text-model.ts';

const SEEDS = path.resolve(import.meta.dirname, '../../../seeds');
const NOW = new Date('2026-11-23T12:00:00Z');

describe('concurrent ingests of overlapping snapshots (PostgreSQL)', () => {
  let t: TestDatabase;
  let other: Database;
  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    other = await openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, log: silentLogger() }); // a second process's pool
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  it('two at once: 41 papers (31 + 10 new), not 67; the newer snapshot has its 10 new papers', async () => {
    const deps = (db: Database): IngestDeps => ({
      prisma: db.prisma,
      sql: db.sql,
      log: silentLogger(),
      now: () => NOW,
      maxBytes: 5_000_000,
      timeoutMs: 5000,
      countTextModel: () => countTextModel(db.sql),
    });
    for (let round = 0; round < 3; round++) {
      // the same pair again each round: duplicates from the second round on, never new rows
      const outcomes = await Promise.all([
        ingestOne(deps(t.db), path.join(SEEDS, '001_92719ba14292193f.txt')),
        ingestOne(deps(other), path.join(SEEDS, '000_0b7782e3c814158f.txt')),
      ]);
      expect(outcomes.map((o) => o.kind)).toEqual(round === 0 ? ['ingested', 'ingested'] : ['duplicate', 'duplicate']);
    }
    expect(await t.db.prisma.paper.count()).toBe(41);
    const diff = await loadSnapshotDiff(t.db, (await latestSnapshot(t.db.prisma))!);
    expect(diff.newPaperIds).toHaveLength(10);
  });
});
