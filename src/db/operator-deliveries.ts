// The statements of what an operator does with deliveries (deliver/resend.ts decides what to tell
// them): each one guarded by the transition table (model/delivery-status.ts), with its attempt
// record where an attempt ends.
//   resend          sent | failed | unknown → queued as a NEW attempt (new Message-ID)
//   resend-failed   failed → queued, every failed delivery of a digest whose reader still gets digests
//   resolve-sent    unknown → sent (papers recorded as mailed)
//   resolve-resend  unknown → queued as a new attempt (the unknown one stays in the attempt record)
import { guard, target } from '../model/delivery-status.ts';
import type { Sql } from './database.ts';
import { RECORD_MAILED } from './deliveries.ts';

/** SQL: the columns of a new attempt, queued from scratch (after `SET status = 'queued', `). */
const NEW_ATTEMPT = `attempt = d.attempt + 1, tries = 0, message_id = NULL, worker_id = NULL,
  next_try_at = NULL, error_code = NULL, last_error = NULL, smtp_response = NULL, smtp_exchange = NULL,
  queued_at = now(), claimed_at = NULL, handed_at = NULL, sent_at = NULL, failed_at = NULL, unknown_at = NULL`;

/** One subscriber's delivery of a digest as a resend found it, and whether it re-queued it. */
export interface ResendTarget {
  id: number;
  status: string;
  /** the new attempt when re-queued, else the current one */
  attempt: number;
  subscriber_status: string;
  requeued: boolean;
  email: string;
  sent_at: Date | null;
  queued_at: Date;
  /** re-queued less than `repeatSeconds` ago (an earlier resend) */
  recent: boolean;
}

export interface RequeueOneOptions {
  digestId: number;
  emailKey: string;
  /** a sent one too */
  confirmed: boolean;
  /** only if the delivery is still at this attempt; without one, only if not re-queued within `repeatSeconds` */
  attempt: number | null;
  repeatSeconds: number;
}

/**
 * Re-queues one subscriber's delivery of a digest as a new attempt (resend), in one guarded statement:
 * the same request twice re-queues once. Returns the delivery as found (undefined: none).
 */
export async function requeueDelivery(sql: Sql, o: RequeueOneOptions): Promise<ResendTarget | undefined> {
  const { rows } = await sql.query<ResendTarget>(
    `WITH target AS (
       SELECT d.id, d.status::text AS status, d.attempt, s.status::text AS subscriber_status, s.email, d.sent_at, d.queued_at,
              d.attempt > 1 AND d.queued_at > now() - $5 * interval '1 second' AS recent
         FROM delivery d JOIN subscriber s ON s.id = d.subscriber_id
        WHERE d.digest_id = $1 AND s.email_key = $2
     ), requeued AS (
       UPDATE delivery d SET status = ${target('resend')}, ${NEW_ATTEMPT}
         FROM target t
        WHERE d.id = t.id AND d.attempt = t.attempt AND ${guard('resend', 'd.status')} AND t.subscriber_status = 'active'
          AND (d.status <> 'sent' OR $3) AND (CASE WHEN $4::int IS NULL THEN NOT t.recent ELSE d.attempt = $4 END)
       RETURNING d.id, d.attempt
     )
     SELECT t.id, t.status, coalesce(r.attempt, t.attempt) AS attempt, t.subscriber_status, r.id IS NOT NULL AS requeued, t.email,
            t.sent_at, t.queued_at, t.recent
       FROM target t LEFT JOIN requeued r ON r.id = t.id`,
    [o.digestId, o.emailKey, o.confirmed, o.attempt, o.repeatSeconds],
  );
  return rows[0];
}

/** Every failed delivery of a digest whose subscriber is active and not paused, re-queued as new attempts. */
export async function requeueFailed(sql: Sql, digestId: number): Promise<Array<{ id: number; email: string; attempt: number }>> {
  const { rows } = await sql.query<{ id: number; email: string; attempt: number }>(
    `UPDATE delivery d SET status = ${target('resend-failed')}, ${NEW_ATTEMPT}
       FROM subscriber s
      WHERE d.digest_id = $1 AND ${guard('resend-failed', 'd.status')} AND s.id = d.subscriber_id AND s.status = 'active'
        AND NOT (s.paused AND (s.paused_until IS NULL OR s.paused_until > now()))
     RETURNING d.id, s.email, d.attempt`,
    [digestId],
  );
  return rows;
}

export type Resolution = 'sent' | 'resend';

/**
 * Settles unknown deliveries (these ids, and/or those of this digest) as an operator decided, in one
 * statement: sent (papers recorded as mailed, the attempt recorded as sent) or resend (a new attempt
 * queued). Returns the deliveries it settled, by id.
 */
export async function resolveUnknownDeliveries(
  sql: Sql,
  ids: number[] | null,
  digestId: number | null,
  outcome: Resolution,
  note: string,
): Promise<Array<{ id: number; digest_id: number; attempt: number; email: string }>> {
  const transition = outcome === 'sent' ? 'resolve-sent' : 'resolve-resend';
  const pick =
    `SELECT d.id FROM delivery d WHERE ${guard(transition, 'd.status')} AND ($1::int[] IS NULL OR d.id = ANY($1)) AND ($2::int IS NULL OR ` +
    `d.digest_id = $2) FOR UPDATE`;
  const statement =
    outcome === 'sent'
      ? `WITH picked AS (${pick}), done AS (
           UPDATE delivery d SET status = ${target('resolve-sent')}, sent_at = now(), smtp_response = 'marked sent by an operator', unknown_at = NULL
             FROM picked WHERE d.id = picked.id AND ${guard('resolve-sent', 'd.status')}
           RETURNING d.id, d.digest_id, d.subscriber_id, d.papers, d.attempt, d.message_id
         ), mailed AS (${RECORD_MAILED}
         ), attempts AS (
           INSERT INTO delivery_attempt (delivery_id, digest_id, attempt, status, message_id, smtp_response, reason, at)
           SELECT id, digest_id, attempt, 'sent', message_id, 'marked sent by an operator', $3, now() FROM done
         )
         SELECT done.id, done.digest_id, done.attempt, s.email FROM done JOIN subscriber s ON s.id = done.subscriber_id ORDER BY done.id`
      : `WITH picked AS (${pick}), attempts AS (
           INSERT INTO delivery_attempt (delivery_id, digest_id, attempt, status, message_id, error_code, reason, at)
           SELECT d.id, d.digest_id, d.attempt, 'unknown', d.message_id, d.error_code, $3, now() FROM delivery d JOIN picked ON picked.id = d.id
         ), done AS (
           UPDATE delivery d SET status = ${target('resolve-resend')}, ${NEW_ATTEMPT}
             FROM picked WHERE d.id = picked.id AND ${guard('resolve-resend', 'd.status')}
           RETURNING d.id, d.digest_id, d.subscriber_id, d.attempt
         )
         SELECT done.id, done.digest_id, done.attempt, s.email FROM done JOIN subscriber s ON s.id = done.subscriber_id ORDER BY done.id`;
  const { rows } = await sql.query<{ id: number; digest_id: number; attempt: number; email: string }>(statement, [ids, digestId, note]);
  return rows;
}

/** The status of each of these deliveries that exists. */
export async function deliveryStatuses(sql: Sql, ids: number[]): Promise<Map<number, string>> {
  const found = await sql.query<{ id: number; status: string }>(`SELECT id, status::text AS status FROM delivery WHERE id = ANY($1::int[])`, [ids]);
  return new Map(found.rows.map((r) => [r.id, r.status]));
}

export interface UnknownDelivery {
  id: number;
  digestId: number;
  subscriberId: number;
  email: string;
  attempt: number;
  messageId: string | null;
  code: string | null;
  error: string | null;
  exchange: string | null;
  handedAt: Date | null;
  unknownAt: Date | null;
}

/** Unknown deliveries (one digest's, or all), oldest first, paged by id. */
export async function listUnknown(sql: Sql, options: { digestId?: number; after?: number; limit: number }): Promise<UnknownDelivery[]> {
  const { rows } = await sql.query<UnknownDelivery>(
    `SELECT d.id, d.digest_id AS "digestId", d.subscriber_id AS "subscriberId", s.email, d.attempt, d.message_id AS "messageId",
            d.error_code AS code, d.last_error AS error, d.smtp_exchange AS exchange, d.handed_at AS "handedAt", d.unknown_at AS "unknownAt"
       FROM delivery d JOIN subscriber s ON s.id = d.subscriber_id
      WHERE d.status = 'unknown' AND ($1::int IS NULL OR d.digest_id = $1) AND d.id > $2
      ORDER BY d.id LIMIT $3`,
    [options.digestId ?? null, options.after ?? 0, options.limit],
  );
  return rows;
}
