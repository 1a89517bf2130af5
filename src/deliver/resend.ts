// What an operator does with deliveries, each one guarded statement (with its attempt record where
// an attempt ends), from the CLI or the admin API:
//   resend    sent | failed | unknown → queued as a NEW attempt (new Message-ID); the next send mails it,
//             leaving out what the reader got in other deliveries since (db/hand-over.ts). A sent one
//             only when confirmed (a second copy); the same request twice re-queues once.
//   resolve   unknown → sent (the relay's log shows it was taken: papers recorded as mailed)
//             unknown → queued as a new attempt (it was not)
// A delivery that is claimed or handed is in flight: refused, never guessed about. If its process
// is gone, a recovery (any `serve`, or `paperboy send`) settles it first: claimed → queued, handed → unknown.
import { RECORD_MAILED } from '../db/deliveries.ts';
import type { Db, Sql } from '../db/database.ts';
import { resumeDigest } from '../db/digests.ts';
import { emailKey } from '../db/subscribers.ts';

export interface RequeuedDelivery {
  deliveryId: number;
  email: string;
  attempt: number;
  previousStatus: string;
}

export type ResendOneResult =
  | { kind: 'queued'; delivery: RequeuedDelivery }
  | { kind: 'not-found' }
  | { kind: 'already-queued'; deliveryId: number }
  | { kind: 'in-flight'; deliveryId: number; status: string }
  | { kind: 'subscriber-inactive'; deliveryId: number; status: string }
  | { kind: 'not-resendable'; deliveryId: number; status: string }
  /** sent: resending mails the reader a second copy; only when the operator confirms */
  | { kind: 'needs-confirmation'; deliveryId: number; attempt: number; sentAt: Date | null }
  /** the same request again: already re-queued (its attempt moved on, or seconds ago): nothing more */
  | { kind: 'already-resent'; deliveryId: number; attempt: number; queuedAt: Date };

export interface ResendOneOptions {
  /** a sent delivery is mailed again only when confirmed */
  confirmed?: boolean;
  /** the attempt the operator saw (a form): if the delivery moved on since, this request was already done */
  attempt?: number;
}

/** Without an attempt to compare, a resend this recent of the same delivery is the same click again. */
export const RESEND_REPEAT_SECONDS = 60;

const REQUEUE = `status = 'queued', attempt = d.attempt + 1, tries = 0, message_id = NULL, worker_id = NULL,
  next_try_at = NULL, error_code = NULL, last_error = NULL, smtp_response = NULL, smtp_exchange = NULL,
  queued_at = now(), claimed_at = NULL, handed_at = NULL, sent_at = NULL, failed_at = NULL, unknown_at = NULL`;

interface TargetRow {
  id: number;
  status: string;
  attempt: number;
  subscriber_status: string;
  requeued: boolean;
  email: string;
  sent_at: Date | null;
  queued_at: Date;
  recent: boolean;
}

/**
 * Re-queues one subscriber's delivery of a digest as a new attempt: one guarded statement, so the same
 * request twice (a double click, a client's retry) re-queues once. A sent one needs `confirmed`.
 */
export async function resendOne(sql: Sql, digestId: number, email: string, options: ResendOneOptions = {}): Promise<ResendOneResult> {
  const { rows } = await sql.query<TargetRow>(
    `WITH target AS (
       SELECT d.id, d.status::text AS status, d.attempt, s.status::text AS subscriber_status, s.email, d.sent_at, d.queued_at,
              d.attempt > 1 AND d.queued_at > now() - $5 * interval '1 second' AS recent
         FROM delivery d JOIN subscriber s ON s.id = d.subscriber_id
        WHERE d.digest_id = $1 AND s.email_key = $2
     ), requeued AS (
       UPDATE delivery d SET ${REQUEUE}
         FROM target t
        WHERE d.id = t.id AND d.attempt = t.attempt AND d.status IN ('sent', 'failed', 'unknown') AND t.subscriber_status = 'active'
          AND (d.status <> 'sent' OR $3) AND (CASE WHEN $4::int IS NULL THEN NOT t.recent ELSE d.attempt = $4 END)
       RETURNING d.id, d.attempt
     )
     SELECT t.id, t.status, coalesce(r.attempt, t.attempt) AS attempt, t.subscriber_status, r.id IS NOT NULL AS requeued, t.email,
            t.sent_at, t.queued_at, t.recent
       FROM target t LEFT JOIN requeued r ON r.id = t.id`,
    [digestId, emailKey(email), options.confirmed === true, options.attempt ?? null, RESEND_REPEAT_SECONDS],
  );
  const row = rows[0];
  if (!row) return { kind: 'not-found' };
  if (row.requeued) return { kind: 'queued', delivery: { deliveryId: row.id, email: row.email, attempt: row.attempt, previousStatus: row.status } };
  const again = { kind: 'already-resent' as const, deliveryId: row.id, attempt: row.attempt, queuedAt: row.queued_at };
  if (options.attempt !== undefined && row.attempt !== options.attempt) return again;
  if (row.status === 'queued') return { kind: 'already-queued', deliveryId: row.id };
  if (row.status === 'claimed' || row.status === 'handed') return { kind: 'in-flight', deliveryId: row.id, status: row.status };
  if (row.subscriber_status !== 'active') return { kind: 'subscriber-inactive', deliveryId: row.id, status: row.subscriber_status };
  if (!['sent', 'failed', 'unknown'].includes(row.status)) return { kind: 'not-resendable', deliveryId: row.id, status: row.status };
  if (options.attempt === undefined && row.recent) return again;
  if (row.status === 'sent' && options.confirmed !== true) return { kind: 'needs-confirmation', deliveryId: row.id, attempt: row.attempt, sentAt: row.sent_at };
  return resendOne(sql, digestId, email, options); // it changed between the read and the update: look again
}

/**
 * Every failed delivery of a digest whose subscriber still gets digests. A digest paused for too
 * many failures is resumed: the failures being resent are the ones that paused it.
 */
export async function resendFailed(sql: Sql, db: Db, digestId: number): Promise<{ requeued: RequeuedDelivery[]; resumed: boolean }> {
  const { rows } = await sql.query<{ id: number; email: string; attempt: number }>(
    `UPDATE delivery d SET ${REQUEUE}
       FROM subscriber s
      WHERE d.digest_id = $1 AND d.status = 'failed' AND s.id = d.subscriber_id AND s.status = 'active' AND NOT (s.paused AND (s.paused_until IS NULL OR s.paused_until > now()))
     RETURNING d.id, s.email, d.attempt`,
    [digestId],
  );
  const resumed = await resumeDigest(db, digestId);
  return {
    requeued: rows.map((r) => ({ deliveryId: r.id, email: r.email, attempt: r.attempt, previousStatus: 'failed' })).sort((a, b) => a.deliveryId - b.deliveryId),
    resumed,
  };
}

export type Resolution = 'sent' | 'resend';

export interface ResolveTarget {
  /** these deliveries */
  ids?: number[];
  /** or every unknown delivery of this digest */
  digestId?: number;
}

export interface ResolveResult {
  resolved: Array<{ deliveryId: number; digestId: number; email: string; attempt: number }>;
  /** asked for by id but not unknown (already resolved, in flight, or no such delivery) */
  skipped: Array<{ deliveryId: number; status: string | null }>;
}

/**
 * Settles unknown deliveries as an operator decided, in one statement each way:
 *   sent   → status sent, papers recorded as mailed, the attempt recorded as sent
 *   resend → a new attempt queued (the unknown one stays in the attempt record)
 */
export async function resolveUnknown(sql: Sql, target: ResolveTarget, outcome: Resolution, note: string): Promise<ResolveResult> {
  const ids = target.ids ?? null;
  const digestId = target.digestId ?? null;
  if (ids === null && digestId === null) throw new Error('resolveUnknown needs ids or a digest');
  const pick = `SELECT d.id FROM delivery d WHERE d.status = 'unknown' AND ($1::int[] IS NULL OR d.id = ANY($1)) AND ($2::int IS NULL OR d.digest_id = $2) FOR UPDATE`;
  const statement =
    outcome === 'sent'
      ? `WITH picked AS (${pick}), done AS (
           UPDATE delivery d SET status = 'sent', sent_at = now(), smtp_response = 'marked sent by an operator', unknown_at = NULL
             FROM picked WHERE d.id = picked.id
           RETURNING d.id, d.digest_id, d.subscriber_id, d.papers, d.attempt, d.message_id
         ), mailed AS (${RECORD_MAILED}
         ), attempts AS (
           INSERT INTO delivery_attempt (delivery_id, attempt, status, message_id, smtp_response, reason, at)
           SELECT id, attempt, 'sent', message_id, 'marked sent by an operator', $3, now() FROM done
         )
         SELECT done.id, done.digest_id, done.attempt, s.email FROM done JOIN subscriber s ON s.id = done.subscriber_id ORDER BY done.id`
      : `WITH picked AS (${pick}), attempts AS (
           INSERT INTO delivery_attempt (delivery_id, attempt, status, message_id, error_code, reason, at)
           SELECT d.id, d.attempt, 'unknown', d.message_id, d.error_code, $3, now() FROM delivery d JOIN picked ON picked.id = d.id
         ), done AS (
           UPDATE delivery d SET ${REQUEUE}
             FROM picked WHERE d.id = picked.id
           RETURNING d.id, d.digest_id, d.subscriber_id, d.attempt
         )
         SELECT done.id, done.digest_id, done.attempt, s.email FROM done JOIN subscriber s ON s.id = done.subscriber_id ORDER BY done.id`;
  const { rows } = await sql.query<{ id: number; digest_id: number; attempt: number; email: string }>(statement, [ids, digestId, note]);
  const resolved = rows.map((r) => ({ deliveryId: r.id, digestId: r.digest_id, email: r.email, attempt: r.attempt }));
  const done = new Set(resolved.map((r) => r.deliveryId));
  const missing = (ids ?? []).filter((id) => !done.has(id));
  let skipped: ResolveResult['skipped'] = [];
  if (missing.length > 0) {
    const found = await sql.query<{ id: number; status: string }>(`SELECT id, status::text AS status FROM delivery WHERE id = ANY($1::int[])`, [missing]);
    const status = new Map(found.rows.map((r) => [r.id, r.status]));
    skipped = missing.map((id) => ({ deliveryId: id, status: status.get(id) ?? null }));
  }
  return { resolved, skipped };
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
