// The core pipeline against a real PostgreSQL and the embedded database: migrate, ingest both
// seeds, re-ingest, reject what is not a snapshot (and check nothing changed), paper identity
// across the text and JSON formats.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSnapshotDiff } from '../../../src/diff/load-new-papers.ts';
import { migrate } from '../../../src/db/migrate.ts';
import { latestSnapshot } from '../../../src/db/snapshots.ts';
import { ingestInputs, ingestOne, type IngestDeps } from '../../../src/ingest/ingest-inputs.ts';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../../support/databases.ts';
import { capturingLogger, silentLogger } from '../../support/logs.ts';
import { tableFingerprint } from '../../support/fingerprint.ts';
import { countTextModel } from '../../../src/relevance/stored-text-model.ts';

const SEEDS = path.resolve(import.meta.dirname, '../../../seeds');
const SECOND = path.join(SEEDS, '001_92719ba14292193f.txt');
const NOW = new Date('2026-11-23T12:00:00Z');

describe.each(BACKENDS)('ingest on %s', (backend) => {
  let t: TestDatabase;
  let deps: IngestDeps;
  const captured = capturingLogger();

  beforeAll(async () => {
    t = await openTestDatabase(backend);
    deps = {
      prisma: t.db.prisma,
      sql: t.db.sql,
      log: captured.log,
      now: () => NOW,
      maxBytes: 5_000_000,
      timeoutMs: 5_000,
      countTextModel: () => countTextModel(t.db.sql),
    };
  });
  afterAll(() => t?.close());

  it('migrations are applied once: a second run applies nothing', async () => {
    const again = await migrate(t.db.pgConfig, silentLogger());
    expect(again).toEqual({ applied: [], modified: [] });
    const rows = await t.db.prisma.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`;
    expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(1);
  });

  it('ingests the seed folder in name order: 31 then 36 papers, 10 of them new', async () => {
    const outcomes = await ingestInputs(deps, [SEEDS]);
    expect(outcomes.map((o) => o.kind)).toEqual(['ingested', 'ingested']);
    const [first, second] = outcomes as Array<Extract<(typeof outcomes)[number], { kind: 'ingested' }>>;
    expect(first!.papers).toBe(31);
    expect(second!.papers).toBe(36);
    expect(second!.newPapers).toBe(10);
    expect(second!.snapshot.capturedAt.toISOString().slice(0, 10)).toBe('2026-06-10');
    expect(first!.snapshot.capturedAt.toISOString().slice(0, 10)).toBe('2026-04-22');
    expect(await t.db.prisma.paper.count()).toBe(41); // 31 + 10 new
    expect(await t.db.prisma.snapshotEntry.count()).toBe(67);
    expect(captured.events('snapshot.ingested')).toHaveLength(2);
  });

  it('the newest snapshot diffs against the one captured before it', async () => {
    const newest = await latestSnapshot(t.db.prisma);
    const diff = await loadSnapshotDiff(t.db, newest!);
    expect(diff.previous?.capturedAt.toISOString().slice(0, 10)).toBe('2026-04-22');
    expect(diff.newPaperIds).toHaveLength(10);
    const titles = diff.papers.filter((p) => diff.newPaperIds.includes(p.id)).map((p) => p.title);
    expect(titles).toContain('What Shape is the Inflationary Bispectrum?');
    expect(titles).not.toContain('Multiflavor Mott insulators in quantum materials and ultracold atoms'); // in both seeds
  });

  it('the same content ingested again is the same snapshot, and nothing changes', async () => {
    const before = await tableFingerprint(t.db.prisma);
    const again = await ingestOne(deps, SECOND);
    expect(again.kind).toBe('duplicate');
    expect(await tableFingerprint(t.db.prisma)).toEqual(before);
    expect(captured.events('snapshot.duplicate').length).toBeGreaterThanOrEqual(1);
  });

  it('rejects what is not a snapshot, naming the input, and leaves the database as it was (an empty listing is quiet)', async () => {
    const dir = path.join(t.dataDir, 'garbage');
    await mkdir(dir, { recursive: true });
    const seed = await readFile(SECOND, 'utf8');
    const cases: Record<string, string | Buffer> = {
      'binary.bin': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0xff, 0xfe, 0]),
      'empty.txt': '',
      'error.html': '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>Bad gateway</body></html>\n',
      'other.json': JSON.stringify({ models: [{ id: 'gpt2', likes: 3 }] }),
      'header-only.txt': seed.slice(0, seed.indexOf('Jun 10') + 'Jun 10'.length) + '\n\n',
      'broken.json': '[{"paper": {"id": "2406.1", "title": "x"}},\n  {"paper": ',
    };
    for (const [name, content] of Object.entries(cases)) await writeFile(path.join(dir, name), content);
    const before = await tableFingerprint(t.db.prisma);
    const outcomes = await ingestInputs(deps, [dir]);
    expect(outcomes.map((o) => o.kind)).toEqual(Object.keys(cases).map((name) => (name === 'header-only.txt' ? 'quiet' : 'rejected')));
    for (const outcome of outcomes) {
      if (outcome.kind !== 'rejected' && outcome.kind !== 'quiet') continue;
      expect(outcome.source).toContain(dir);
      expect(outcome.message).not.toMatch(/\n/);
      expect(outcome.message.length).toBeGreaterThan(10);
    }
    const broken = outcomes.find((o) => o.source.endsWith('broken.json'));
    expect(broken?.kind === 'rejected' && broken.line).toBe(2);
    expect(await tableFingerprint(t.db.prisma)).toEqual(before);
    expect(captured.events('snapshot.rejected')).toHaveLength(Object.keys(cases).length - 1);
    expect(captured.events('snapshot.quiet')).toHaveLength(1);
  });

  it('a paper first seen in a text capture and later in the JSON (with its arXiv id) is one paper', async () => {
    const title = 'Broken Neural Scaling Laws';
    const before = await t.db.prisma.paper.findMany({ where: { title } });
    expect(before).toHaveLength(1);
    expect(before[0]!.arxivId).toBeNull();
    const longer = `${before[0]!.abstract} And a sentence the text capture did not have.`;
    const json = [
      {
        paper: {
          id: '2210.14891',
          title: 'Broken  Neural Scaling Laws',
          summary: longer,
          authors: [{ name: 'Ethan Caballero' }, { name: 'Kshitij Gupta' }, { name: 'Irina Rish' }, { name: 'David Krueger' }],
          upvotes: 7,
          publishedAt: '2022-10-26T17:45:01.000Z',
        },
        publishedAt: '2026-06-11T08:00:00.000Z',
        title: 'Broken Neural Scaling Laws',
      },
      {
        paper: {
          id: '2601.00001',
          title: 'A Paper Only The API Knows',
          summary: 'Abstract.',
          authors: [],
          upvotes: 1,
          publishedAt: '2026-06-10T00:00:00.000Z',
        },
        publishedAt: '2026-06-11T08:00:00.000Z',
      },
    ];
    const file = path.join(t.dataDir, 'api.json');
    await writeFile(file, JSON.stringify(json));
    const outcome = await ingestOne(deps, file);
    expect(outcome.kind).toBe('ingested');
    const after = await t.db.prisma.paper.findMany({ where: { titleKey: before[0]!.titleKey } });
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(before[0]!.id);
    expect(after[0]!.arxivId).toBe('2210.14891');
    expect(after[0]!.upvotes).toBe(7);
    expect(after[0]!.abstract).toBe(longer);
    expect(after[0]!.authors).toHaveLength(4);
    expect(await t.db.prisma.paper.count()).toBe(42);
    // Of the JSON snapshot, only the paper never seen before is new against the second seed.
    expect(outcome.kind === 'ingested' && outcome.newPapers).toBe(1);
  });
});
