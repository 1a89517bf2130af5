// This process as a worker that may hold deliveries: registered, alive while it holds its advisory
// lock on a connection of its own (db/workers.ts), marked stopped when it ends. If that connection
// drops (the database restarted), the worker is not alive for the others until it has its lock back:
// meanwhile they may release its claims and mark its handed rows unknown — its own guarded updates
// then simply find nothing to change, so it sends nothing twice — and it hands nothing new.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Sql } from '../db/database.ts';
import { lockWorker, recoverOrphans, registerWorker, stopWorker, type Recovery } from '../db/workers.ts';
import { maskEmail, type Logger } from '../log/logger.ts';

export interface WorkerHandle {
  id: string;
  /** true while this worker holds its lock: only then may it claim and hand deliveries */
  readonly alive: boolean;
  /** resolves when the lock is held again (at once if it is), or false when the worker stopped */
  whenAlive(): Promise<boolean>;
  stop(): Promise<void>;
}

export interface WorkerDb {
  sql: Sql;
  pgConfig: pg.ClientConfig;
}

const RELOCK_FIRST_MS = 200;
const RELOCK_MAX_MS = 5_000;

export async function startWorker(db: WorkerDb, command: string, log: Logger): Promise<WorkerHandle> {
  const id = randomUUID();
  const lockKey = await registerWorker(db.sql, id, command);
  let client: pg.Client | null = null;
  let stopped = false;
  let alive = false;
  let waiters: Array<(alive: boolean) => void> = [];
  const settle = (value: boolean) => {
    const w = waiters;
    waiters = [];
    for (const resolve of w) resolve(value);
  };

  const lock = async (again = false): Promise<void> => {
    const c = new pg.Client(db.pgConfig);
    c.on('error', () => undefined); // 'end' follows; handled there
    await c.connect();
    if (!(await lockWorker(c, lockKey))) {
      await c.end().catch(() => undefined);
      throw new Error(`worker ${id}: its lock is held by another connection`);
    }
    c.once('end', () => {
      if (client !== c || stopped) return;
      client = null;
      alive = false;
      log.error(
        { event: 'worker.lock_lost', workerId: id },
        'lost the database connection that keeps this worker alive: handing nothing over until it is back',
      );
      void relock();
    });
    client = c;
    alive = true;
    if (again) log.warn({ event: 'worker.lock_regained', workerId: id }, 'this worker is alive again');
    settle(true);
  };

  const relock = async (): Promise<void> => {
    for (let delay = RELOCK_FIRST_MS; !stopped; delay = Math.min(delay * 2, RELOCK_MAX_MS)) {
      await new Promise((r) => setTimeout(r, delay).unref());
      if (stopped) return;
      try {
        await lock(true);
        return;
      } catch {
        // the database is still away: try again
      }
    }
  };

  await lock();
  return {
    id,
    get alive() {
      return alive && !stopped;
    },
    whenAlive() {
      if (stopped) return Promise.resolve(false);
      if (alive) return Promise.resolve(true);
      return new Promise((resolve) => waiters.push(resolve));
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      alive = false;
      settle(false);
      await stopWorker(db.sql, id).catch(() => undefined);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined); // the lock goes with the connection
    },
  };
}

/**
 * Settles what gone workers left (their claims queued again, their handed rows unknown) and logs it:
 * `delivery.released` (info) and one `delivery.unknown` per row (error: an operator decides).
 */
export async function recover(sql: Sql, log: Logger): Promise<Recovery> {
  const recovery = await recoverOrphans(sql);
  if (recovery.released.length > 0) {
    const workers = [...new Set(recovery.released.map((d) => d.workerId))];
    log.warn(
      { event: 'delivery.released', deliveryIds: recovery.released.map((d) => d.id), workerIds: workers },
      `${recovery.released.length} claimed deliveries of a stopped process are queued again (none of them had gone to the relay)`,
    );
  }
  for (const d of recovery.unknown) {
    log.error(
      {
        event: 'delivery.unknown',
        deliveryId: d.id,
        digestId: d.digestId,
        subscriberId: d.subscriberId,
        to: maskEmail(d.email),
        workerId: d.workerId,
        messageId: d.messageId,
        code: 'WORKER_GONE',
      },
      `delivery ${d.id}: its process stopped after handing it to the relay; ` +
        `check the relay's log for ${d.messageId ?? 'it'}, then \`paperboy resolve ${d.id} --sent\` or \`--resend\``,
    );
  }
  return recovery;
}
