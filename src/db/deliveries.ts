// The delivery log, as a sender writes it. Every status change is one guarded statement — `WHERE
// status IN (<expected>) AND worker_id = <me> AND attempt = <n>` — whose row count is checked, so a
// second sender, a retry, a recovery or a crash can never send a delivery twice. The statuses and
// every transition are the table in model/delivery-status.ts, which generates each statement's
// guard (`guard('retry')`) and new status (`target('retry')`); every arrow the SQL allows, by whom
// (the same diagram as CONTEXT.md's "delivery states"; a unit test holds both to the table):
//
//   queued                     --claim-->          claimed   [sender]    due, digest ready
//   claimed                    --hand-->           handed    [sender]    committed before the data goes (hand-over.ts)
//   claimed                    --skip-->           skipped   [sender]    nothing new for the reader (hand-over.ts)
//   claimed | handed           --release-->        queued    [sender]    stopped, paused: the data never ended
//   claimed | handed | unknown --retry-->          queued    [sender]    4xx, connection: SEND_MAX_TRIES
//   claimed | handed | unknown --fail-->           failed    [sender]    5xx, out of tries, reader left; reply stored
//   handed | unknown           --sent-->           sent      [sender]    + papers mailed, attempt recorded
//   handed                     --no-reply-->       unknown   [sender]    no final reply: an operator decides
//   claimed                    --release-gone-->   queued    [recovery]  its worker is gone (workers.ts)
//   handed                     --worker-gone-->    unknown   [recovery]  its worker is gone (workers.ts)
//   sent | failed | unknown    --resend-->         queued    [operator]  a new attempt; sent only when confirmed
//   failed                     --resend-failed-->  queued    [operator]  a digest's failed ones, new attempts
//   unknown                    --resolve-sent-->   sent      [operator]  the relay's log shows it took it
//   unknown                    --resolve-resend--> queued    [operator]  it did not: a new attempt
//   sent | unknown             --bounce-->         bounced   [inbound]   a hard bounce for that attempt
//   queued | claimed           --erase-->          failed    [erase]     subscriber_erased (erase-subscriber.ts)
//
// Claim and hand-over leave out the papers the reader got (or may be getting) in another delivery
// (hand-over.ts). `handed` is committed BEFORE the message data goes over SMTP (the mailer waits for it), so a row
// that is not handed was certainly not sent. A worker that learns the real outcome of a row a
// recovery marked unknown meanwhile (its reply came late) may still record it: same worker, same attempt.
//
// The send's hot statements (the claim, markSent, the hand-over) are named ({ name, text, values }):
// each connection parses them once, and PostgreSQL keeps a generic plan once it costs no more than
// the custom ones (plan_cache_mode auto). Planning was more than half the claim's CPU and most of the
// hand-over's (bench/README.md, send). Their texts never change within a process: a name is one text.
import { DELIVERY_STATUSES, guard, target, type DeliveryStatus } from '../model/delivery-status.ts';
import type { Db, Sql } from './database.ts';
import { papersLeft } from './hand-over.ts';
import type { Frequency } from '../model/reader.ts';
import type { DeliveryPaper, FailureDetail, Held } from '../model/delivery.ts';

export interface ClaimedDelivery {
  id: number;
  digestId: number;
  subscriberId: number;
  email: string;
  subscriberStatus: string;
  subscriberPaused: boolean;
  /** the reader switched to their feed only since the digest was built: no email */
  subscriberFeedOnly: boolean;
  /** how often the reader is mailed now (their email says it) */
  frequency: { frequency: Frequency; weeklyDay: number };
  attempt: number;
  tries: number;
  papers: DeliveryPaper[];
  messageId: string;
}

/**
 * SQL: records the papers of the deliveries in the CTE `done` (id, subscriber_id, papers) as mailed
 * to their subscribers — in the same statement that marks them sent, whoever marks them. Once per
 * reader and paper (mailed_paper is partitioned by month: its key holds mailed_at). The look-up of an
 * earlier row is a scalar subquery, not NOT EXISTS: PostgreSQL turned that into a hash anti join that
 * read every mailed_paper row for each batch (a batch's cost grew with the table: bench/README.md,
 * send); as a subquery it is a probe of the (subscriber, paper) key per paper.
 */
export const RECORD_MAILED = `
       INSERT INTO mailed_paper (subscriber_id, paper_id, delivery_id, mailed_at)
       SELECT done.subscriber_id, (p->>'paperId')::int, done.id, now()
         FROM done CROSS JOIN LATERAL jsonb_array_elements(done.papers) AS p
        WHERE (SELECT 1 FROM mailed_paper m WHERE m.subscriber_id = done.subscriber_id AND m.paper_id = (p->>'paperId')::int LIMIT 1) IS NULL
       ON CONFLICT DO NOTHING`;

/**
 * Claims up to `limit` sendable deliveries (queued, due, digest ready) for this worker, the lowest
 * ids after `after` first. Each one's papers are narrowed to those its reader did not get (nor may be
 * getting) in another delivery (hand-over.ts); `papers` comes back empty when nothing is left: the
 * sender skips it.
 *
 * `after` is the sender's cursor (send-deliveries.ts): the highest id it claimed. The queued ids are
 * read from the (status, id) index, where every delivery sent since the last VACUUM still leaves an
 * entry (its queued version, dead): from 0, a claim steps over all of them — 1.4 ms at 100,000 sent,
 * growing with the send; from the cursor, over the few another sender took meanwhile.
 */
export async function claimDeliveries(sql: Sql, workerId: string, limit: number, messageIdDomain: string, after = 0): Promise<ClaimedDelivery[]> {
  const { rows } = await sql.query<Record<string, unknown>>({
    name: 'paperboy.claim',
    text: `WITH picked AS (
       SELECT d.id FROM delivery d JOIN digest g ON g.id = d.digest_id
        WHERE ${guard('claim', 'd.status')} AND d.id > $4 AND g.status = 'ready' AND (d.next_try_at IS NULL OR d.next_try_at <= now())
        ORDER BY d.id
        LIMIT $1
          FOR UPDATE OF d SKIP LOCKED
     ), narrowed AS MATERIALIZED (
       -- the reader read by id for each picked delivery (LATERAL … OFFSET 0: always an index look-up).
       -- Joined in the UPDATE below, PostgreSQL took the 50 picked rows for thousands and hashed the
       -- whole subscriber table at every claim: O(readers) a claim (bench/README.md, scale)
       SELECT d.id, ${papersLeft('d')} AS papers, s.email, s.subscriber_status, s.paused, s.feed_only, s.frequency, s.weekly_day
         FROM picked JOIN delivery d ON d.id = picked.id
        CROSS JOIN LATERAL (
          SELECT s.email, s.status::text AS subscriber_status, (s.paused AND (s.paused_until IS NULL OR s.paused_until > now())) AS paused,
                 s.frequency = 'feed' AS feed_only, s.frequency::text AS frequency, s.weekly_day
            FROM subscriber s WHERE s.id = d.subscriber_id OFFSET 0
        ) s
     )
     UPDATE delivery d
        SET status = ${target('claim')}, worker_id = $2, claimed_at = now(), handed_at = NULL,
            message_id = 'delivery-' || d.id || '.' || d.attempt || '@' || $3,
            papers = CASE WHEN jsonb_array_length(n.papers) IN (0, jsonb_array_length(d.papers)) THEN d.papers ELSE n.papers END
       FROM narrowed n
      WHERE d.id = ANY(ARRAY(SELECT id FROM picked)) AND d.id = n.id AND ${guard('claim', 'd.status')}
     RETURNING d.id, d.digest_id, d.subscriber_id, n.email, n.subscriber_status, n.paused, n.feed_only,
               n.frequency, n.weekly_day, d.attempt, d.tries, n.papers, d.message_id`,
    values: [limit, workerId, messageIdDomain, after],
  });
  return rows
    .map((r) => ({
      id: r.id as number,
      digestId: r.digest_id as number,
      subscriberId: r.subscriber_id as number,
      email: r.email as string,
      subscriberStatus: r.subscriber_status as string,
      subscriberPaused: r.paused as boolean,
      subscriberFeedOnly: r.feed_only === true,
      frequency: { frequency: r.frequency as Frequency, weeklyDay: r.weekly_day as number },
      attempt: r.attempt as number,
      tries: r.tries as number,
      papers: r.papers as DeliveryPaper[],
      messageId: r.message_id as string,
    }))
    .sort((a, b) => a.id - b.id);
}

/**
 * handed → sent for a batch, each with the server's reply; in the same statement the papers are
 * recorded as mailed to the subscriber and the attempt is recorded. Returns the ids it changed.
 */
export async function markSent(sql: Sql, workerId: string, sent: ReadonlyArray<Held & { response: string }>): Promise<number[]> {
  if (sent.length === 0) return [];
  const { rows } = await sql.query<{ id: number }>({
    name: 'paperboy.sent',
    text: `WITH input AS (
       SELECT * FROM unnest($1::int[], $2::int[], $3::text[]) AS u(id, attempt, response)
     ), done AS (
       UPDATE delivery d
          SET status = ${target('sent')}, sent_at = now(), smtp_response = input.response, error_code = NULL, last_error = NULL,
              next_try_at = NULL, unknown_at = NULL
         FROM input
        WHERE d.id = ANY($1::int[]) AND d.id = input.id AND d.attempt = input.attempt AND ${guard('sent', 'd.status')} AND d.worker_id = $4
       RETURNING d.id, d.digest_id, d.subscriber_id, d.papers, d.attempt, d.message_id, d.smtp_response
     ), mailed AS (${RECORD_MAILED})
     , attempts AS (
       INSERT INTO delivery_attempt (delivery_id, digest_id, attempt, status, message_id, smtp_response, worker_id, at)
       SELECT id, digest_id, attempt, 'sent', message_id, smtp_response, $4, now() FROM done
     )
     SELECT id FROM done`,
    values: [sent.map((s) => s.id), sent.map((s) => s.attempt), sent.map((s) => s.response), workerId],
  });
  return rows.map((r) => r.id);
}

/** claimed | handed → failed, with the stored reply or error code; the attempt is recorded. */
export async function markFailed(sql: Sql, workerId: string, held: Held, failure: FailureDetail): Promise<boolean> {
  return settleRecordingAttempt(
    sql,
    `UPDATE delivery
        SET status = ${target('fail')}, failed_at = now(), error_code = $4, last_error = $5, smtp_response = $6,
            next_try_at = NULL, unknown_at = NULL
      WHERE id = $1 AND attempt = $2 AND ${guard('fail')} AND worker_id = $3`,
    { status: 'failed', columns: 'smtp_response, error_code, worker_id, reason', values: '$6, $4, $3, $5' },
    [held.id, held.attempt, workerId, failure.code, failure.error, failure.response],
  );
}

/**
 * A sender's guarded update of one delivery (`update`, whose row count is the answer) and, in the
 * same statement, its attempt record: `status` and the further `columns` with their `values`.
 */
async function settleRecordingAttempt(
  sql: Sql,
  update: string,
  record: { status: string; columns: string; values: string },
  params: unknown[],
): Promise<boolean> {
  const { rows } = await sql.query(
    `WITH done AS (${update} RETURNING id, digest_id, attempt, message_id)
     INSERT INTO delivery_attempt (delivery_id, digest_id, attempt, status, message_id, ${record.columns}, at)
     SELECT id, digest_id, attempt, '${record.status}', message_id, ${record.values}, now() FROM done
     RETURNING delivery_id`,
    params,
  );
  return rows.length === 1;
}

/** claimed | handed → queued, to be tried again after `delayMs` (a temporary error): one more try. */
export async function scheduleRetry(sql: Sql, workerId: string, held: Held, delayMs: number, failure: FailureDetail): Promise<boolean> {
  const { rowCount } = await sql.query(
    `UPDATE delivery
        SET status = ${target('retry')}, tries = tries + 1, next_try_at = now() + $4 * interval '1 millisecond',
            worker_id = NULL, claimed_at = NULL, handed_at = NULL, unknown_at = NULL,
            error_code = $5, last_error = $6, smtp_response = $7
      WHERE id = $1 AND attempt = $2 AND ${guard('retry')} AND worker_id = $3`,
    [held.id, held.attempt, workerId, delayMs, failure.code, failure.error, failure.response],
  );
  return rowCount === 1;
}

/**
 * Back to queued, untouched (no try counted): claimed but never started, or a send cut off before its
 * message data ended (a stop, a paused digest) — the relay cannot have taken it.
 */
export async function releaseClaims(sql: Sql, workerId: string, held: readonly Held[]): Promise<number> {
  if (held.length === 0) return 0;
  const { rowCount } = await sql.query(
    `UPDATE delivery d SET status = ${target('release')}, worker_id = NULL, claimed_at = NULL, handed_at = NULL
       FROM unnest($1::int[], $2::int[]) AS u(id, attempt)
      WHERE d.id = u.id AND d.attempt = u.attempt AND ${guard('release', 'd.status')} AND d.worker_id = $3`,
    [held.map((h) => h.id), held.map((h) => h.attempt), workerId],
  );
  return rowCount ?? 0;
}

export interface UnknownDetail {
  /** NO_REPLY, DROPPED_AFTER_DATA, STOPPED (this process stopped waiting), WORKER_GONE */
  code: string;
  error: string;
  /** what was said over SMTP last */
  exchange: string;
}

/** handed → unknown: the message data ended, the final reply never came. Recorded as an attempt. */
export async function markUnknown(sql: Sql, workerId: string, held: Held, detail: UnknownDetail): Promise<boolean> {
  return settleRecordingAttempt(
    sql,
    `UPDATE delivery
        SET status = ${target('no-reply')}, unknown_at = now(), error_code = $4, last_error = $5, smtp_exchange = $6, next_try_at = NULL
      WHERE id = $1 AND attempt = $2 AND ${guard('no-reply')} AND worker_id = $3`,
    { status: 'unknown', columns: 'error_code, worker_id, reason, smtp_exchange', values: '$4, $3, $5, $6' },
    [held.id, held.attempt, workerId, detail.code, detail.error, detail.exchange],
  );
}

export interface BounceDetail {
  deliveryId: number;
  /** the attempt the bounce names (its return path); null: whichever attempt it is now (a Message-ID without one) */
  attempt: number | null;
  /** `bounce:<status>` */
  code: string;
  reason: string;
  at: Date;
}

/**
 * sent | unknown → bounced (a hard bounce for that attempt came back), recorded as an attempt; inside
 * the inbound report's transaction. Returns whether the delivery changed.
 */
export async function markBounced(tx: Db, bounce: BounceDetail): Promise<boolean> {
  const n = await tx.$executeRawUnsafe(
    `WITH b AS (
       UPDATE delivery SET status = ${target('bounce')}, error_code = $3, last_error = $4, failed_at = $5
        WHERE id = $1 AND ($2::int IS NULL OR attempt = $2) AND ${guard('bounce')}
       RETURNING id, digest_id, attempt, message_id)
     INSERT INTO delivery_attempt (delivery_id, digest_id, attempt, status, message_id, error_code, reason, at)
     SELECT id, digest_id, attempt, 'bounced', message_id, $3, $4, $5 FROM b`,
    bounce.deliveryId,
    bounce.attempt,
    bounce.code,
    bounce.reason,
    bounce.at,
  );
  return n > 0;
}

export type DeliveryCounts = Record<DeliveryStatus, number>;

/** Deliveries by status (all digests, or one). */
export async function deliveryCounts(sql: Sql, digestId?: number): Promise<DeliveryCounts> {
  const { rows } = await sql.query<{ status: string; n: string }>(
    `SELECT status::text AS status, count(*) AS n FROM delivery WHERE ($1::int IS NULL OR digest_id = $1) GROUP BY status`,
    [digestId ?? null],
  );
  const counts = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as DeliveryCounts;
  for (const r of rows) if (r.status in counts) counts[r.status as keyof DeliveryCounts] = Number(r.n);
  return counts;
}
