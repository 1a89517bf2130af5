// "The newest snapshot" (CONTEXT.md): the latest capture date among snapshots whose capture date is
// plausible (at most a day after their ingest), the last ingested among equals. Ingest order alone
// never decides; an old listing ingested late, or a future-dated row left by an older paperboy,
// never becomes the newest — and never breaks digest or preview (the "paperboy: {").
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestSnapshot, previousSnapshot } from '../../../src/db/snapshots.ts';
import { ingestInputs, ingestOne, type IngestDeps } from '../../../src/ingest/ingest-inputs.ts';
import { runCli } from '../../support/cli.ts';
import { openTestDatabase, type TestDatabase } from '../../support/databases.ts';
import { silentLogger } from '../../support/logs.ts';
import { countTextModel } from '../../../src/relevance/stored-text-model.ts';

const SEEDS = path.resolve(import.meta.dirname, '../../../seeds');
const NOW = new Date('2026-11-23T12:00:00Z');
const listing = (id: string, title: string, listedAt: string) => JSON.stringify([{ paper: { id, title, summary: 'About it.' }, publishedAt: listedAt }]);
const day = (d: Date | undefined) => d?.toISOString().slice(0, 10);

describe('the newest snapshot (PostgreSQL)', () => {
  let t: TestDatabase;
  let deps: IngestDeps;
  const file = (name: string) => path.join(t.dataDir, name);
  const ingest = async (name: string, content: string, now = NOW) => {
    await writeFile(file(name), content);
    return ingestOne({ ...deps, now: () => now }, file(name));
  };

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    deps = {
      prisma: t.db.prisma,
      sql: t.db.sql,
      log: silentLogger(),
      now: () => NOW,
      maxBytes: 5_000_000,
      timeoutMs: 5000,
      countTextModel: () => countTextModel(t.db.sql),
    };
    await ingestInputs(deps, [SEEDS]); // captured 2026-04-22 and 2026-06-10
  });
  afterAll(() => t?.close());

  it('is the latest capture date, not the last ingested: an old listing ingested late stays old', async () => {
    const old = await ingest('old.json', listing('2401.00001', 'An Old Listing', '2024-01-05T08:00:00.000Z'));
    expect(old).toMatchObject({ kind: 'ingested', snapshot: { capturedAt: new Date('2024-01-05T08:00:00.000Z') } });
    const newest = await latestSnapshot(t.db.prisma);
    expect(day(newest?.capturedAt)).toBe('2026-06-10');
    expect(newest!.id).not.toBe(old.kind === 'ingested' ? old.snapshot.id : -1);
  });

  it('of two with the same capture date, the one ingested last', async () => {
    const first = await ingest('same-1.json', listing('2611.00001', 'Morning List', '2026-11-20T08:00:00.000Z'));
    const second = await ingest('same-2.json', listing('2611.00002', 'Same Day, Fuller List', '2026-11-20T08:00:00.000Z'));
    const ids = [first, second].map((o) => (o.kind === 'ingested' ? o.snapshot.id : -1));
    expect((await latestSnapshot(t.db.prisma))!.id).toBe(ids[1]);
    expect((await previousSnapshot(t.db.sql, (await latestSnapshot(t.db.prisma))!))!.id).toBe(ids[0]);
  });

  it('a listing dated up to a day ahead of the ingest clock (its own time zone) is accepted and is the newest', async () => {
    const ahead = await ingest('ahead.json', listing('2611.00003', 'Tomorrow In Tokyo', '2026-11-24T06:00:00.000Z'));
    expect(ahead.kind).toBe('ingested');
    expect(day((await latestSnapshot(t.db.prisma))?.capturedAt)).toBe('2026-11-24');
  });

  it('a listing dated further ahead is refused at ingest; and a future-dated row an older paperboy stored is never the newest', async () => {
    expect(await ingest('future.json', listing('2611.00004', 'From 2030', '2030-01-01T00:00:00.000Z'))).toMatchObject({ kind: 'rejected', line: 1 });
    const before = await latestSnapshot(t.db.prisma);
    // What the issue found stored: a 2030 snapshot, and one at the edge of what JavaScript can hold.
    await t.db.sql.query(`INSERT INTO snapshot (source, captured_at, content_hash, format, entry_count, ingested_at)
      VALUES ('legacy', '2030-01-01T00:00:00Z', 'legacy-2030', 'json', 0, '2026-11-01T00:00:00Z'),
             ('legacy', '275760-09-13T00:00:00Z', 'legacy-275760', 'json', 0, '2026-11-01T00:00:00Z'),
             ('legacy', '290000-01-01T00:00:00Z', 'legacy-290000', 'json', 0, '2026-11-01T00:00:00Z')`);
    const after = await latestSnapshot(t.db.prisma);
    expect(after).toEqual(before);
    expect(day((await previousSnapshot(t.db.sql, after!))?.capturedAt)).toBe('2026-11-20');
  });

  it('so digest and preview keep working on the real newest snapshot (the CLI, as an operator runs it)', async () => {
    const env = { DATABASE_URL: t.databaseUrl, DATA_DIR: t.dataDir, SECRET_KEY: 'k'.repeat(32) };
    const preview = await runCli(['preview', '--topic', 'tokyo'], env);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/^snapshot \d+ captured 2026-11-24: 1 paper \(1 new\)/);
    expect(preview.stdout).toMatch(/Tomorrow In \W*Tokyo/); // the matched word is highlighted
    const digest = await runCli(['digest', '--dry-run'], env);
    expect(digest.code).toBe(0);
    expect(digest.stdout).toMatch(/\(2026-11-24\)/);
  });
});
