// A digest build that will be held in its third chunk: the setup the build-killed and build-stopped
// tests share. A PostgreSQL app with `readers` readers, the first seed ingested and the second one
// as the serve's source, and a row lock (its own connection, in a transaction) on the reader whose
// delivery opens the third chunk of `chunk` readers: a serve started with `env` blocks there whatever
// the machine's speed (the delivery's foreign key to its reader waits for the lock) until `release()`.
import pg from 'pg';
import { afterEach, expect, vi } from 'vitest';
import type { Digest } from '../../src/db/generated/client.ts';
import { startServe, type ServeChild } from '../integration/serve/serve-child.ts';
import { ingestSeeds, insertReaders, SECOND_SEED, startTestApp, type TestApp } from './app.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';

export interface HeldBuild {
  app: TestApp;
  sink: SmtpSink;
  /** the serve environment: chunks of `chunk` readers, no ingest of its own, two sends at a time */
  env: Record<string, string | undefined>;
  /** starts a `paperboy serve` (logging at info), killed by close() if still running */
  serve: (env: Record<string, string | undefined>) => Promise<ServeChild>;
  /** sessions waiting for a lock in the app's database (the held chunk is one) */
  waitingOnLock: () => Promise<number>;
  /** the digest being built (or built): the one not skipped */
  digestNow: () => Promise<Digest | null>;
  /** waits until the build has committed two chunks and its third waits on the lock */
  untilHeld: (timeoutMs: number) => Promise<void>;
  /** waits until every reader's delivery is sent, then asserts one delivery and one message each */
  sentToEveryReaderOnce: () => Promise<void>;
  /** ends the row lock: the held chunk goes on */
  release: () => Promise<void>;
  close: () => Promise<void>;
}

export async function startHeldBuild(readers: number, chunk: number): Promise<HeldBuild> {
  const sink = await startSmtpSink();
  const app = await startTestApp('postgres', { SMTP_URL: sink.url });
  const children: ServeChild[] = [];
  const holder = new pg.Client({ connectionString: app.databaseUrl });
  const close = async () => {
    for (const c of children.splice(0)) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await holder.end().catch(() => undefined);
    await app.close();
    await sink.close();
  };
  try {
    await ingestSeeds(app);
    await insertReaders(app, readers);
    const ids = await app.ctx.db.prisma.subscriber.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM subscriber WHERE id = $1 FOR UPDATE', [ids[2 * chunk]!.id]);
  } catch (err) {
    await close();
    throw err;
  }
  const waitingOnLock = async () => {
    const { rows } = await app.ctx.db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    return rows[0]!.n;
  };
  const digestNow = () => app.ctx.db.prisma.digest.findFirst({ where: { status: { not: 'skipped' } } });
  return {
    app,
    sink,
    env: { ...app.env, DIGEST_BATCH_SIZE: String(chunk), INGEST_CRON: '0 0 1 1 *', SNAPSHOT_SOURCE: SECOND_SEED, SEND_CONCURRENCY: '2' },
    serve: async (env) => {
      const child = await startServe({ ...env, LOG_LEVEL: 'info' });
      children.push(child);
      return child;
    },
    waitingOnLock,
    digestNow,
    sentToEveryReaderOnce: async () => {
      const { prisma } = app.ctx.db;
      await sink.waitFor(readers, 120_000);
      await vi.waitFor(
        async () => {
          const counts = await prisma.delivery.groupBy({ by: ['status'], _count: { _all: true } });
          expect(counts).toEqual([{ status: 'sent', _count: { _all: readers } }]);
        },
        { timeout: 60_000, interval: 100 },
      );
      const perReader = await prisma.delivery.groupBy({ by: ['subscriberId'], _count: { _all: true } });
      expect(perReader).toHaveLength(readers);
      expect(perReader.every((r) => r._count._all === 1)).toBe(true);
      const recipients = sink.messages.map((m) => m.envelope.to.join(','));
      expect(new Set(recipients).size).toBe(readers);
      expect(recipients).toHaveLength(readers);
    },
    untilHeld: (timeoutMs) =>
      vi.waitFor(
        async () => {
          expect(await digestNow()).toMatchObject({ status: 'building', buildReaders: 2 * chunk, buildReadersTotal: readers });
          expect(await waitingOnLock()).toBeGreaterThan(0);
        },
        { timeout: timeoutMs, interval: 100 },
      ),
    release: async () => {
      await holder.query('ROLLBACK');
    },
    close,
  };
}

/** For a test file: starts held builds, each closed after its test. */
export function useHeldBuilds(): (readers: number, chunk: number) => Promise<HeldBuild> {
  let held: HeldBuild | undefined;
  afterEach(async () => {
    await held?.close();
    held = undefined;
  });
  return async (readers, chunk) => (held = await startHeldBuild(readers, chunk));
}
