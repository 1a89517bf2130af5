// Workers: the processes that may hold deliveries (claimed or handed). A worker is alive exactly
// while it holds its advisory lock (WORKER_LOCK_SPACE, lock_key) on a connection of its own;
// PostgreSQL drops the lock when that process or its connection dies — on any host, in any
// container — so nothing here guesses from heartbeats, host names or pids. Recovery uses it:
//   a claim of a gone worker        → queued again (nothing of it went over SMTP)
//   a handed row of a gone worker   → unknown (its message may have reached the relay)
import os from 'node:os';
import type pg from 'pg';
import { guard, target } from '../model/delivery-status.ts';
import type { Sql } from './database.ts';

/** The first key of every worker's advisory lock ("pb" in ASCII): the second is its lock_key. */
export const WORKER_LOCK_SPACE = 0x7062;

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  command: string;
  startedAt: Date;
}

/** Registers a worker; returns its lock key (unique, from a sequence). */
export async function registerWorker(sql: Sql, id: string, command: string): Promise<number> {
  const { rows } = await sql.query<{ lock_key: number }>('INSERT INTO worker (id, host, pid, command) VALUES ($1, $2, $3, $4) RETURNING lock_key', [
    id,
    os.hostname(),
    process.pid,
    command,
  ]);
  return rows[0]!.lock_key;
}

/** Takes the worker's lock on `client` (a connection kept for it alone). false: someone holds it. */
export async function lockWorker(client: pg.Client, lockKey: number): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [WORKER_LOCK_SPACE, lockKey]);
  return rows[0]?.locked === true;
}

export async function stopWorker(sql: Sql, id: string): Promise<void> {
  await sql.query('UPDATE worker SET stopped_at = now(), heartbeat_at = now() WHERE id = $1', [id]);
}

/** SQL: workers (alias w) whose lock is held now, in this database. */
const HOLDS_LOCK = `EXISTS (
  SELECT 1 FROM pg_locks l
   WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND l.classid::bigint = ${WORKER_LOCK_SPACE} AND l.objid::bigint = w.lock_key)`;

/** Workers alive now: they hold their lock. */
export async function liveWorkers(sql: Sql): Promise<WorkerInfo[]> {
  const { rows } = await sql.query<WorkerInfo>(
    `SELECT w.id, w.host, w.pid, w.command, w.started_at AS "startedAt" FROM worker w
      WHERE w.stopped_at IS NULL AND ${HOLDS_LOCK} ORDER BY w.started_at`,
  );
  return rows;
}

interface RecoveredDelivery {
  id: number;
  digestId: number;
  subscriberId: number;
  email: string;
  workerId: string | null;
  messageId: string | null;
  attempt: number;
}

export interface Recovery {
  /** claims of gone workers, queued again */
  released: RecoveredDelivery[];
  /** handed rows of gone workers, now unknown */
  unknown: RecoveredDelivery[];
}

const GONE = `(d.worker_id IS NULL OR NOT EXISTS (SELECT 1 FROM worker w WHERE w.id = d.worker_id AND w.stopped_at IS NULL AND ${HOLDS_LOCK}))`;

/**
 * Settles what gone workers left behind, in one statement: their claims go back to the queue, their
 * handed rows become unknown (with the attempt recorded). Safe at any time, from any process: a
 * worker that is alive holds its lock, and its own guarded updates win or lose cleanly.
 */
export async function recoverOrphans(sql: Sql): Promise<Recovery> {
  const { rows } = await sql.query<RecoveredDelivery & { kind: 'released' | 'unknown' }>(
    `WITH unclaimed AS (
       SELECT d.id, d.worker_id FROM delivery d WHERE ${guard('release-gone', 'd.status')} AND ${GONE} FOR UPDATE OF d SKIP LOCKED
     ), released AS (
       UPDATE delivery d SET status = ${target('release-gone')}, worker_id = NULL, claimed_at = NULL, handed_at = NULL
         FROM unclaimed WHERE d.id = unclaimed.id AND ${guard('release-gone', 'd.status')}
       RETURNING d.id, d.digest_id, d.subscriber_id, d.message_id, d.attempt, unclaimed.worker_id
     ), gone AS (
       SELECT d.id, d.worker_id FROM delivery d WHERE ${guard('worker-gone', 'd.status')} AND ${GONE} FOR UPDATE OF d SKIP LOCKED
     ), unknown AS (
       UPDATE delivery d
          SET status = ${target('worker-gone')}, unknown_at = now(), error_code = 'WORKER_GONE',
              last_error = 'the process sending it stopped or lost its database connection before the relay''s reply was recorded',
              smtp_exchange = 'message data handed to the relay at '
                || to_char(d.handed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '; no reply recorded'
         FROM gone WHERE d.id = gone.id AND ${guard('worker-gone', 'd.status')}
       RETURNING d.id, d.digest_id, d.subscriber_id, d.message_id, d.attempt, gone.worker_id, d.last_error, d.smtp_exchange
     ), attempts AS (
       INSERT INTO delivery_attempt (delivery_id, digest_id, attempt, status, message_id, error_code, worker_id, reason, smtp_exchange, at)
       SELECT id, digest_id, attempt, 'unknown', message_id, 'WORKER_GONE', worker_id, last_error, smtp_exchange, now() FROM unknown
     )
     SELECT 'released' AS kind, r.id, r.digest_id AS "digestId", r.subscriber_id AS "subscriberId", s.email, r.worker_id AS "workerId",
            r.message_id AS "messageId", r.attempt
       FROM released r JOIN subscriber s ON s.id = r.subscriber_id
     UNION ALL
     SELECT 'unknown', u.id, u.digest_id, u.subscriber_id, s.email, u.worker_id, u.message_id, u.attempt
       FROM unknown u JOIN subscriber s ON s.id = u.subscriber_id
     ORDER BY 2`,
  );
  return {
    released: rows.filter((r) => r.kind === 'released').map(({ kind: _k, ...r }) => r),
    unknown: rows.filter((r) => r.kind === 'unknown').map(({ kind: _k, ...r }) => r),
  };
}
