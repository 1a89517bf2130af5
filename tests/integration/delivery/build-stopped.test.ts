// SIGTERM to a real `paperboy serve` in the middle of a digest build: the build stops between chunks.
// Its third chunk is held back by a row lock this test takes on a reader, so the signal lands while a
// chunk is in flight whatever the machine's speed; once the lock goes, that chunk is committed, the
// build stops before the next one, releases the build lock, says so, and the process exits cleanly.
// Nothing of the digest is sent while it is building; `serve` started again (a schedule that would
// not build until next year) goes on after the last committed chunk: every reader gets exactly one.
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { staleBuild } from '../../../src/db/digests.ts';
import { ingestSeeds, insertReaders, SECOND_SEED, startTestApp, type TestApp } from '../../support/app.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';
import { startServe, type ServeChild } from '../serve/serve-child.ts';

const READERS = 40;
const CHUNK = 10;

let app: TestApp | undefined;
let sink: SmtpSink | undefined;
let holder: pg.Client | undefined;
const children: ServeChild[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  await holder?.end().catch(() => undefined);
  await app?.close();
  await sink?.close();
  app = sink = holder = undefined;
});

async function serve(env: Record<string, string | undefined>): Promise<ServeChild> {
  const child = await startServe({ ...env, LOG_LEVEL: 'info' });
  children.push(child);
  return child;
}

describe('a digest build when serve is stopped', () => {
  it('commits the chunk in flight, stops between chunks, exits cleanly; the next start goes on with it', async () => {
    sink = await startSmtpSink();
    app = await startTestApp('postgres', { SMTP_URL: sink.url });
    await ingestSeeds(app);
    await insertReaders(app, READERS);
    const { prisma, sql } = app.ctx.db;
    const readers = await prisma.subscriber.findMany({ select: { id: true }, orderBy: { id: 'asc' } });

    // Hold the 21st reader's row: the build's third chunk (its deliveries' foreign key) waits for it.
    holder = new pg.Client({ connectionString: app.databaseUrl });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM subscriber WHERE id = $1 FOR UPDATE', [readers[2 * CHUNK]!.id]);

    const env = { ...app.env, DIGEST_BATCH_SIZE: String(CHUNK), INGEST_CRON: '0 0 1 1 *', SNAPSHOT_SOURCE: SECOND_SEED, SEND_CONCURRENCY: '2' };
    const builder = await serve({ ...env, DIGEST_CRON: '* * * * * *' });
    const exited = new Promise<number | null>((resolve) => builder.child.once('close', (code) => resolve(code)));

    const digestNow = () => prisma.digest.findFirst({ where: { status: { not: 'skipped' } } });
    const waitingOnLock = async () => {
      const { rows } = await sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      return rows[0]!.n;
    };
    await vi.waitFor(
      async () => {
        expect(await digestNow()).toMatchObject({ status: 'building', buildReaders: 2 * CHUNK, buildReadersTotal: READERS });
        expect(await waitingOnLock()).toBeGreaterThan(0);
      },
      { timeout: 120_000, interval: 100 },
    );

    // SIGTERM while the third chunk waits; once the process is stopping, the chunk may go.
    builder.child.kill('SIGTERM');
    await vi.waitFor(() => expect(builder.events('service.stopping')).toHaveLength(1), { timeout: 30_000, interval: 50 });
    await holder.query('ROLLBACK');
    expect(await exited).toBe(0);

    // The chunk in flight committed, no further one: building, 30 of 40 readers, nothing sent.
    const digest = (await digestNow())!;
    expect(digest).toMatchObject({ status: 'building', buildReaders: 3 * CHUNK, deliveryCount: 3 * CHUNK });
    expect(await prisma.delivery.count()).toBe(3 * CHUNK);
    expect(sink.messages).toHaveLength(0);
    expect(builder.events('digest.build_stopped')).toEqual([expect.objectContaining({ digestId: digest.id, readers: 3 * CHUNK, of: READERS })]);
    expect(builder.events('job.finished').filter((e) => e.job === 'digest')).toEqual([expect.objectContaining({ result: 'stopped', readers: 3 * CHUNK })]);
    expect(builder.events('service.stopped')).toEqual([expect.objectContaining({ clean: true, jobsEnded: true })]);
    // the build lock went with it: the digest is a build nobody holds
    expect(await staleBuild(sql)).toEqual({ id: digest.id });

    // Started again (its schedule would build only on New Year's Day): it goes on after reader 30 and sends.
    const again = await serve({ ...env, DIGEST_CRON: '0 0 1 1 *' });
    await sink.waitFor(READERS, 120_000);
    await vi.waitFor(
      async () => {
        const counts = await prisma.delivery.groupBy({ by: ['status'], _count: { _all: true } });
        expect(counts).toEqual([{ status: 'sent', _count: { _all: READERS } }]);
      },
      { timeout: 60_000, interval: 100 },
    );
    expect(again.events('digest.build_resumed')[0]).toMatchObject({ digestId: digest.id, readers: 3 * CHUNK, of: READERS });
    expect(await prisma.digest.findUniqueOrThrow({ where: { id: digest.id } })).toMatchObject({
      status: 'ready',
      deliveryCount: READERS,
      buildReaders: READERS,
    });
    const perReader = await prisma.delivery.groupBy({ by: ['subscriberId'], _count: { _all: true } });
    expect(perReader).toHaveLength(READERS);
    expect(perReader.every((r) => r._count._all === 1)).toBe(true);
    const recipients = sink.messages.map((m) => m.envelope.to.join(','));
    expect(new Set(recipients).size).toBe(READERS);
    expect(recipients).toHaveLength(READERS);
    expect(await again.stop()).toBe(0);
  }, 300_000);
});
