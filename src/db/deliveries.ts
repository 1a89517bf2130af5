// The delivery log. Every status change is one guarded statement — `WHERE status = <expected>
// AND worker_id = <me>` — so a second sender, a retry or a crash can never send a delivery twice:
//   queued --claim--> sending --sent--> sent            (+ its papers recorded as mailed, atomically)
//                             --retry-> queued (later)   (4xx, connection: up to SEND_MAX_TRIES)
//                             --fail--> failed           (5xx, or out of tries; the reply is stored)
//   sending whose worker died: stuck — reported, never sent again automatically (resend is manual).
import type { DeliveryPaper } from '../digest/plan-deliveries.ts';
import type { Sql } from './database.ts';
import type { Db } from './snapshots.ts';

export interface ClaimedDelivery {
  id: number;
  digestId: number;
  subscriberId: number;
  email: string;
  subscriberStatus: string;
  subscriberPaused: boolean;
  attempt: number;
  tries: number;
  papers: DeliveryPaper[];
  messageId: string;
}

/** Claims up to `limit` sendable deliveries (queued, due, digest not paused) for this worker. */
export async function claimDeliveries(sql: Sql, workerId: string, limit: number, messageIdDomain: string): Promise<ClaimedDelivery[]> {
  const { rows } = await sql.query<Record<string, unknown>>(
    `WITH picked AS (
       SELECT d.id FROM delivery d JOIN digest g ON g.id = d.digest_id
        WHERE d.status = 'queued' AND g.status = 'ready' AND (d.next_try_at IS NULL OR d.next_try_at <= now())
        ORDER BY d.id
        LIMIT $1
          FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE delivery d
        SET status = 'sending', worker_id = $2, sending_at = now(),
            message_id = 'delivery-' || d.id || '.' || d.attempt || '@' || $3
       FROM picked, subscriber s
      WHERE d.id = picked.id AND d.status = 'queued' AND s.id = d.subscriber_id
     RETURNING d.id, d.digest_id, d.subscriber_id, s.email, s.status::text AS subscriber_status, s.paused,
               d.attempt, d.tries, d.papers, d.message_id`,
    [limit, workerId, messageIdDomain],
  );
  return rows
    .map((r) => ({
      id: r.id as number,
      digestId: r.digest_id as number,
      subscriberId: r.subscriber_id as number,
      email: r.email as string,
      subscriberStatus: r.subscriber_status as string,
      subscriberPaused: r.paused as boolean,
      attempt: r.attempt as number,
      tries: r.tries as number,
      papers: r.papers as DeliveryPaper[],
      messageId: r.message_id as string,
    }))
    .sort((a, b) => a.id - b.id);
}

/**
 * sending → sent for a batch, each with the server's reply; in the same statement the papers are
 * recorded as mailed to the subscriber and the attempt is recorded. Returns the ids it changed.
 */
export async function markSent(sql: Sql, workerId: string, sent: Array<{ id: number; response: string }>): Promise<number[]> {
  if (sent.length === 0) return [];
  const { rows } = await sql.query<{ id: number }>(
    `WITH input AS (
       SELECT * FROM unnest($1::int[], $2::text[]) AS u(id, response)
     ), done AS (
       UPDATE delivery d
          SET status = 'sent', sent_at = now(), smtp_response = input.response, error_code = NULL, last_error = NULL, next_try_at = NULL
         FROM input
        WHERE d.id = input.id AND d.status = 'sending' AND d.worker_id = $3
       RETURNING d.id, d.subscriber_id, d.papers, d.attempt, d.message_id, d.smtp_response
     ), mailed AS (
       INSERT INTO mailed_paper (subscriber_id, paper_id, delivery_id, mailed_at)
       SELECT done.subscriber_id, (p->>'paperId')::int, done.id, now()
         FROM done CROSS JOIN LATERAL jsonb_array_elements(done.papers) AS p
       ON CONFLICT (subscriber_id, paper_id) DO NOTHING
     ), attempts AS (
       INSERT INTO delivery_attempt (delivery_id, attempt, status, message_id, smtp_response, worker_id, at)
       SELECT id, attempt, 'sent', message_id, smtp_response, $3, now() FROM done
     )
     SELECT id FROM done`,
    [sent.map((s) => s.id), sent.map((s) => s.response), workerId],
  );
  return rows.map((r) => r.id);
}

export interface FailureDetail {
  code: string;
  error: string;
  response: string | null;
}

/** sending → failed, with the stored reply or error code; the attempt is recorded. */
export async function markFailed(db: Db, workerId: string, id: number, failure: FailureDetail): Promise<boolean> {
  const rows = await db.$queryRaw<Array<{ id: number }>>`
    WITH done AS (
      UPDATE delivery
         SET status = 'failed', failed_at = now(), error_code = ${failure.code}, last_error = ${failure.error},
             smtp_response = ${failure.response}, next_try_at = NULL
       WHERE id = ${id} AND status = 'sending' AND worker_id = ${workerId}
      RETURNING id, attempt, message_id
    )
    INSERT INTO delivery_attempt (delivery_id, attempt, status, message_id, smtp_response, error_code, worker_id, reason, at)
    SELECT id, attempt, 'failed', message_id, ${failure.response}, ${failure.code}, ${workerId}, ${failure.error}, now() FROM done
    RETURNING delivery_id`;
  return rows.length === 1;
}

/** sending → queued, to be tried again after `delayMs` (a temporary error). */
export async function scheduleRetry(db: Db, workerId: string, id: number, delayMs: number, failure: FailureDetail): Promise<boolean> {
  const count = await db.$executeRaw`
    UPDATE delivery
       SET status = 'queued', tries = tries + 1, next_try_at = now() + ${delayMs} * interval '1 millisecond',
           worker_id = NULL, error_code = ${failure.code}, last_error = ${failure.error}, smtp_response = ${failure.response}
     WHERE id = ${id} AND status = 'sending' AND worker_id = ${workerId}`;
  return count === 1;
}

/** Claimed but not started (shutdown, a digest paused meanwhile): back to queued, untouched. */
export async function releaseClaims(db: Db, workerId: string, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  return db.$executeRaw`
    UPDATE delivery SET status = 'queued', worker_id = NULL, sending_at = NULL
     WHERE id = ANY(${ids}::int[]) AND status = 'sending' AND worker_id = ${workerId}`;
}

/** When the next retry of a sendable delivery is due, if any is waiting. */
export async function nextRetryAt(db: Db): Promise<Date | null> {
  const rows = await db.$queryRaw<Array<{ at: Date | null }>>`
    SELECT min(d.next_try_at) AS at FROM delivery d JOIN digest g ON g.id = d.digest_id
     WHERE d.status = 'queued' AND g.status = 'ready' AND d.next_try_at > now()`;
  return rows[0]?.at ?? null;
}

export async function countSendable(db: Db): Promise<number> {
  const rows = await db.$queryRaw<Array<{ n: bigint }>>`
    SELECT count(*) AS n FROM delivery d JOIN digest g ON g.id = d.digest_id WHERE d.status = 'queued' AND g.status = 'ready'`;
  return Number(rows[0]?.n ?? 0);
}

export interface StuckDelivery {
  id: number;
  digestId: number;
  subscriberId: number;
  email: string;
  workerId: string | null;
  sendingAt: Date | null;
  messageId: string | null;
}

/** Deliveries in `sending` whose worker is gone: their process died mid-send. */
export async function findStuck(db: Db, liveWorkerIds: string[]): Promise<StuckDelivery[]> {
  const rows = await db.$queryRaw<Array<Record<string, unknown>>>`
    SELECT d.id, d.digest_id, d.subscriber_id, s.email, d.worker_id, d.sending_at, d.message_id
      FROM delivery d JOIN subscriber s ON s.id = d.subscriber_id
     WHERE d.status = 'sending' AND (d.worker_id IS NULL OR NOT (d.worker_id = ANY(${liveWorkerIds}::text[])))
     ORDER BY d.id`;
  return rows.map((r) => ({
    id: r.id as number,
    digestId: r.digest_id as number,
    subscriberId: r.subscriber_id as number,
    email: r.email as string,
    workerId: (r.worker_id as string | null) ?? null,
    sendingAt: (r.sending_at as Date | null) ?? null,
    messageId: (r.message_id as string | null) ?? null,
  }));
}
