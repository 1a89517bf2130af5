// Upgrading from an earlier paperboy, whose embedded database was PGlite in DATA_DIR/pglite: a real
// PGlite folder at the old migrations (with the job_lease table of those days), holding what a
// real run leaves (the seeds, subscribers, a digest sent through a real SMTP server), imported with
// `paperboy db import-pglite`: every row of every table arrives unchanged, ids continue after the
// copied ones, the old folder is kept under another name, and the next start opens the database.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps } from '../../../src/app/deps.ts';
import { copyRows } from '../../../src/db/copy-rows.ts';
import { openDatabase } from '../../../src/db/database.ts';
import { MIGRATIONS_DIR, readMigrations } from '../../../src/db/migrate.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { addSubscribers, ingestSeeds, sendNow, startTestApp, type TestApp } from '../../support/app.ts';
import { runCli } from '../../support/cli.ts';
import { tableFingerprint } from '../../support/fingerprint.ts';
import { silentLogger } from '../../support/logs.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';
import { cleanedUp } from './support.ts';

/** The migrations an earlier paperboy had applied: those before the job_lease table was dropped. */
const OLD_MIGRATIONS = 3;

const { dataDir } = cleanedUp();
let app: TestApp;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  app = await startTestApp('postgres', { SMTP_URL: sink.url });
  await ingestSeeds(app);
  await addSubscribers(app, [
    ['ada@example.org', ['scaling laws', '"quantum many-body" OR tensor']],
    ['grace@example.org', ['quantum -gravity'], 'pending'],
    ['émile@example.org', ['diffusion -video', 'l\'équipe "Ω"'], 'unsubscribed'],
  ]);
  await buildDigest(digestDeps(app.ctx));
  await sendNow(app);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await sink?.close();
});

/** A DATA_DIR as the earlier paperboy left it: PGlite at the old migrations, holding the app's rows. */
async function oldDataDir(): Promise<string> {
  const dir = await dataDir('new');
  const old = new PGlite(path.join(dir, 'pglite'));
  await old.waitReady;
  await old.exec(`CREATE TABLE "_prisma_migrations" (id VARCHAR(36) PRIMARY KEY, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ,
    migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ, started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count INTEGER NOT NULL DEFAULT 0)`);
  for (const m of (await readMigrations(MIGRATIONS_DIR)).slice(0, OLD_MIGRATIONS)) {
    await old.exec(m.sql);
    await old.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count) VALUES ($1, $2, $3, now(), 1)', [
      m.name,
      m.checksum,
      m.name,
    ]);
  }
  const client = new pg.Client(app.ctx.db.pgConfig);
  await client.connect();
  try {
    await copyRows(client, old);
  } finally {
    await client.end();
  }
  await old.query("INSERT INTO job_lease (job, holder, acquired_at, expires_at) VALUES ('digest', 'w1', now(), now())");
  // what the earlier paperboy could leave and this one no longer has: a delivery in `sending`
  await old.query(
    `INSERT INTO delivery (id, digest_id, subscriber_id, status, papers, message_id, worker_id, sending_at)
     SELECT 1000, d.id, s.id, 'sending', '[]', 'delivery-1000.1@localhost', 'old-worker', '2026-11-20T07:00:00Z'
       FROM digest d, subscriber s WHERE s.email_key = 'grace@example.org' ORDER BY d.id DESC LIMIT 1`,
  );
  await old.close();
  return dir;
}

/**
 * Columns the earlier schema did not have: the rows copied into the "old" database for this test
 * lose them (the real earlier paperboy never wrote them), so they are not compared.
 */
// columns added after the PGlite days: the copy has their defaults, the app that made `before` filled them
const NEWER_COLUMNS = {
  delivery: ['claimed_at', 'handed_at', 'smtp_exchange', 'unknown_at'],
  digest: ['build_up_to', 'build_after', 'build_readers', 'build_readers_total'],
};

describe('paperboy db import-pglite', () => {
  it('copies every row into the embedded database, keeps the PGlite folder aside, and the next start works', async () => {
    const dir = await oldDataDir();
    const before = await tableFingerprint(app.ctx.db.prisma, NEWER_COLUMNS);
    expect(Number(before.delivery!.split(':')[0])).toBeGreaterThan(0);

    const result = await runCli(['db', 'import-pglite'], { DATA_DIR: dir }, { timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ {2}snapshot_entry: 67 rows/);
    // copied at the old migrations, then the later ones ran (the one that drops job_lease among them)
    expect(result.stdout).toMatch(/ {2}job_lease: 1 rows/);
    expect(result.stdout).toMatch(/imported into .*; the PGlite folder is kept as .*pglite\.imported-\d{4}-\d\d-\d\d/);
    expect((await readdir(dir)).filter((f) => f.startsWith('pglite'))).toEqual([expect.stringMatching(/^pglite\.imported-/)]);

    const db = await openDatabase({ databaseUrl: undefined, dataDir: dir, log: silentLogger() });
    try {
      // (opening it is the next start: the old layout is no longer in the way)
      // The later migrations ran over the copied rows: the `sending` delivery of those days is now
      // handed (the conservative reading: it may have reached the relay), claimed when it was.
      const legacy = await db.prisma.delivery.findFirstOrThrow({ where: { id: 1000 } });
      expect(legacy).toMatchObject({ status: 'handed', workerId: 'old-worker', claimedAt: new Date('2026-11-20T07:00:00Z') });
      await db.prisma.delivery.deleteMany({ where: { id: 1000 } });
      const tables = await db.prisma.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'job_lease'`;
      expect(Number(tables[0]!.n)).toBe(0);
      // digest_paper is newer too: the migration that made it froze each earlier digest with the
      // papers its deliveries name (what their rendering needs), not the whole list of the day
      const { digest_paper: frozen, ...after } = await tableFingerprint(db.prisma, NEWER_COLUMNS);
      const { digest_paper: _all, ...expected } = before;
      expect(after).toEqual(expected);
      const uncovered = await db.prisma.$queryRaw<Array<{ n: bigint }>>`
        SELECT count(*) AS n FROM delivery d CROSS JOIN LATERAL jsonb_array_elements(d.papers) p
         WHERE NOT EXISTS (SELECT 1 FROM digest_paper f WHERE f.digest_id = d.digest_id AND f.paper_id = (p->>'paperId')::int)`;
      expect(Number(uncovered[0]!.n)).toBe(0);
      expect(Number(frozen!.split(':')[0])).toBeGreaterThan(0);
      // serial ids continue after the copied ones
      const maxId = await app.ctx.db.prisma.subscriber.aggregate({ _max: { id: true } });
      const next = await db.prisma.subscriber.create({ data: { email: 'new@example.org', emailKey: 'new@example.org', topics: ['x'], tokenNonce: 'n' } });
      expect(next.id).toBe(maxId._max.id! + 1);
    } finally {
      await db.close();
    }
    const twice = await runCli(['db', 'import-pglite'], { DATA_DIR: dir });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/no PGlite database in/);
    expect(await readFile(path.join(dir, 'postgres/PG_VERSION'), 'utf8')).toMatch(/^18/);
  }, 180_000);
});
