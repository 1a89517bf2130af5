// Workers: the processes that may hold claims. A delivery in `sending` is stuck when its worker is
// gone — it stopped, it stopped sending heartbeats, or (on this host) its pid is no longer alive.
import os from 'node:os';
import type { Db } from './snapshots.ts';

/** No heartbeat for this long: the worker is presumed dead (it beats every HEARTBEAT_MS). */
export const WORKER_TIMEOUT_MS = 60_000;
export const HEARTBEAT_MS = 10_000;

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  command: string;
  startedAt: Date;
  heartbeatAt: Date;
  stoppedAt: Date | null;
}

export async function registerWorker(db: Db, id: string, command: string): Promise<void> {
  await db.worker.create({ data: { id, host: os.hostname(), pid: process.pid, command } });
}

export async function heartbeat(db: Db, id: string): Promise<void> {
  await db.$executeRaw`UPDATE worker SET heartbeat_at = now() WHERE id = ${id}`;
}

export async function stopWorker(db: Db, id: string): Promise<void> {
  await db.$executeRaw`UPDATE worker SET stopped_at = now() WHERE id = ${id}`;
}

/** Workers alive now: not stopped, a recent heartbeat, and on this host a running pid. */
export async function liveWorkers(db: Db): Promise<WorkerInfo[]> {
  const rows = await db.$queryRaw<WorkerInfo[]>`
    SELECT id, host, pid, command, started_at AS "startedAt", heartbeat_at AS "heartbeatAt", stopped_at AS "stoppedAt"
      FROM worker
     WHERE stopped_at IS NULL AND heartbeat_at > now() - ${WORKER_TIMEOUT_MS} * interval '1 millisecond'`;
  const here = os.hostname();
  return rows.filter((w) => w.host !== here || pidAlive(w.pid));
}

/** Old rows of stopped workers, kept a while for the record. */
export async function pruneWorkers(db: Db, olderThanDays = 7): Promise<number> {
  return db.$executeRaw`
    DELETE FROM worker w
     WHERE (stopped_at IS NOT NULL OR heartbeat_at < now() - interval '1 day')
       AND heartbeat_at < now() - ${olderThanDays} * interval '1 day'
       AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.worker_id = w.id AND d.status = 'sending')`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
