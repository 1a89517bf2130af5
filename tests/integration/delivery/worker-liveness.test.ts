// A worker is alive exactly while it holds its advisory lock; recovery settles what gone workers
// left (claims queued again, handed rows unknown) and never touches a live worker's rows. A worker
// whose lock connection dropped hands nothing over until it has the lock back, and a claim taken
// away meanwhile is never sent by it.
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { digestDeps } from '../../../src/app/deps.ts';
import { recover, startWorker, type WorkerHandle } from '../../../src/deliver/worker-liveness.ts';
import { claimDeliveries } from '../../../src/db/deliveries.ts';
import { markHanded } from '../../../src/db/hand-over.ts';
import { liveWorkers, WORKER_LOCK_SPACE } from '../../../src/db/workers.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { ClaimLostError, Handover, WorkerAwayError } from '../../../src/deliver/handover.ts';
import { ingestSeeds, insertReaders, startTestApp, type TestApp } from '../../support/app.ts';

let app: TestApp | undefined;
const workers: WorkerHandle[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  await app?.close();
  app = undefined;
});

async function setup(readers: number) {
  app = await startTestApp('postgres');
  await ingestSeeds(app);
  await insertReaders(app, readers);
  const built = await buildDigest(digestDeps(app.ctx));
  expect(built.kind).toBe('built');
  return app;
}

async function worker(a: TestApp, name: string) {
  const w = await startWorker(a.ctx.db, name, a.ctx.log);
  workers.push(w);
  return w;
}

const statuses = async (a: TestApp) =>
  Object.fromEntries((await a.ctx.db.prisma.delivery.groupBy({ by: ['status'], _count: { _all: true } })).map((g) => [g.status, g._count._all]));

/** Cuts the connection that holds this worker's lock, as a network drop or a database restart would. */
async function cutLock(a: TestApp, workerId: string) {
  const admin = new pg.Client(a.ctx.db.pgConfig);
  await admin.connect();
  try {
    const { rows } = await admin.query<{ pid: number }>(
      `SELECT l.pid FROM pg_locks l JOIN worker w ON l.objid::bigint = w.lock_key
        WHERE l.locktype = 'advisory' AND l.classid::bigint = $1 AND w.id = $2
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [WORKER_LOCK_SPACE, workerId],
    );
    expect(rows).toHaveLength(1);
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
  } finally {
    await admin.end();
  }
}

describe('worker liveness and recovery', () => {
  it('a live worker is left alone; a stopped one leaves claims queued again and handed rows unknown', async () => {
    const a = await setup(10);
    const alive = await worker(a, 'alive');
    const gone = await worker(a, 'gone');
    const mine = await claimDeliveries(a.ctx.db.sql, alive.id, 3, 'localhost');
    const theirs = await claimDeliveries(a.ctx.db.sql, gone.id, 5, 'localhost');
    await markHanded(a.ctx.db.sql, alive.id, mine.slice(0, 1));
    await markHanded(a.ctx.db.sql, gone.id, theirs.slice(0, 2));
    expect((await liveWorkers(a.ctx.db.sql)).map((w) => w.id).sort()).toEqual([alive.id, gone.id].sort());

    expect(await recover(a.ctx.db.sql, a.ctx.log)).toEqual({ released: [], unknown: [] });
    await gone.stop(); // its lock goes with its connection
    expect((await liveWorkers(a.ctx.db.sql)).map((w) => w.id)).toEqual([alive.id]);

    const recovery = await recover(a.ctx.db.sql, a.ctx.log);
    expect(recovery.released.map((d) => d.id)).toEqual(theirs.slice(2).map((d) => d.id));
    expect(recovery.unknown.map((d) => d.id)).toEqual(theirs.slice(0, 2).map((d) => d.id));
    expect(recovery.unknown.every((d) => d.workerId === gone.id)).toBe(true);
    expect(await statuses(a)).toEqual({ queued: 5, claimed: 2, handed: 1, unknown: 2 });
    const unknown = await a.ctx.db.prisma.delivery.findMany({ where: { status: 'unknown' } });
    for (const d of unknown) {
      expect(d).toMatchObject({ errorCode: 'WORKER_GONE' });
      expect(d.smtpExchange).toMatch(/^message data handed to the relay at \d{4}-\d\d-\d\dT/);
    }
    const attempts = await a.ctx.db.prisma.deliveryAttempt.findMany({ where: { deliveryId: { in: unknown.map((d) => d.id) } } });
    expect(attempts.map((x) => x.status)).toEqual(['unknown', 'unknown']);
    expect(a.captured.events('delivery.unknown')).toHaveLength(2);
    expect(a.captured.events('delivery.released')[0]).toMatchObject({ workerIds: [gone.id] });
    // settled once: nothing more to do
    expect(await recover(a.ctx.db.sql, a.ctx.log)).toEqual({ released: [], unknown: [] });
  });

  it('a worker whose lock connection dropped hands nothing until it is back; a claim taken away meanwhile is not its to send', async () => {
    const a = await setup(4);
    const w = await worker(a, 'blinking');
    const claimed = await claimDeliveries(a.ctx.db.sql, w.id, 4, 'localhost');
    const handover = new Handover(a.ctx.db.sql, w);

    await cutLock(a, w.id);
    await vi.waitFor(() => expect(w.alive).toBe(false), { timeout: 2_000, interval: 20 });
    await expect(handover.mark(claimed[0]!)).rejects.toBeInstanceOf(WorkerAwayError);
    expect(a.captured.events('worker.lock_lost')).toHaveLength(1);

    // Meanwhile another process finds it gone and queues its claims again.
    const recovery = await recover(a.ctx.db.sql, a.ctx.log);
    expect(recovery.released).toHaveLength(4);

    // It comes back; its old claims are no longer its own: the handover refuses them.
    expect(await w.whenAlive()).toBe(true);
    expect(a.captured.events('worker.lock_regained')).toHaveLength(1);
    await expect(handover.mark(claimed[1]!)).rejects.toBeInstanceOf(ClaimLostError);
    expect(await statuses(a)).toEqual({ queued: 4 });
    // and it claims again like anyone
    const again = await claimDeliveries(a.ctx.db.sql, w.id, 4, 'localhost');
    expect(again).toHaveLength(4);
    await handover.mark(again[0]!);
    expect(await statuses(a)).toEqual({ claimed: 3, handed: 1 });
  });
});
