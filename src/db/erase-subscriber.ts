// Erasing one subscriber's data, in one transaction: everything that names or identifies them goes,
// the counts stay. The subscriber row becomes a tombstone (status erased, no address, no topics) so
// that their deliveries stay — every digest's deliveries still add up — with nothing personal in
// them: no papers or topics, SMTP text without addresses. A delivery not yet handed to the relay is
// taken away (failed, `subscriber_erased`: a sender that claimed it can no longer hand it); a handed
// one is in flight, so erasing is refused until its reply is recorded (never guessed about).
import { guard, target } from '../model/delivery-status.ts';
import type { Sql } from './database.ts';
import { newNonce } from './subscribers.ts';

/** An email address inside SMTP text (replies quote the recipient: "<ada@example.org>: user unknown"). */
const ADDRESS = `[^[:space:]<>"'@]+@[^[:space:]<>"']+`;
const WITHOUT_ADDRESSES = (column: string) => `regexp_replace(${column}, $2, '<address>', 'g')`;
const NOT_SENT = "not sent: the subscriber's data was erased";

export type EraseResult =
  | { kind: 'erased'; subscriberId: number; erasedAt: Date; removed: ErasedCounts }
  | { kind: 'not-found' }
  | { kind: 'already-erased'; subscriberId: number; erasedAt: Date | null }
  /** a delivery handed to the relay, or a subscription email being sent, right now: nothing changed */
  | { kind: 'in-flight'; what: 'delivery' | 'subscription email'; id: number };

export interface ErasedCounts {
  /** queued or claimed deliveries taken away (failed, `subscriber_erased`): never sent */
  deliveriesStopped: number;
  /** deliveries kept for the counts, without papers, topics or addresses */
  deliveriesKept: number;
  mailedPapers: number;
  feedback: number;
  readerModel: number;
  subscriptionMails: number;
  /** bounces and complaints kept for the counts, without recipient or diagnostic */
  inboundReports: number;
}

export async function eraseSubscriber(sql: Sql, subscriberId: number, opts: { now: Date; mailLeaseMs: number }): Promise<EraseResult> {
  const client = await sql.connect();
  const count = async (text: string, extra: unknown[] = []) => (await client.query(text, [subscriberId, ...extra])).rowCount ?? 0;
  try {
    await client.query('BEGIN');
    // their deliveries first, then the subscriber: the order the sender and the inbound reports lock them in
    const { rows: deliveries } = await client.query<{ id: number; status: string }>(
      `SELECT id, status::text AS status FROM delivery WHERE subscriber_id = $1 ORDER BY id FOR UPDATE`,
      [subscriberId],
    );
    const { rows: found } = await client.query<{ status: string; erased_at: Date | null }>(
      `SELECT status::text AS status, erased_at FROM subscriber WHERE id = $1 FOR UPDATE`,
      [subscriberId],
    );
    const { rows: mails } = await client.query<{ id: number; status: string; claimed_at: Date | null }>(
      `SELECT id, status::text AS status, claimed_at FROM subscription_mail WHERE subscriber_id = $1 ORDER BY id FOR UPDATE`,
      [subscriberId],
    );
    const refuse = async (result: EraseResult) => {
      await client.query('ROLLBACK');
      return result;
    };
    const subscriber = found[0];
    if (!subscriber) return await refuse({ kind: 'not-found' });
    if (subscriber.status === 'erased') return await refuse({ kind: 'already-erased', subscriberId, erasedAt: subscriber.erased_at });
    const handed = deliveries.find((d) => d.status === 'handed');
    if (handed) return await refuse({ kind: 'in-flight', what: 'delivery', id: handed.id });
    // a mail claimed longer ago than the lease belongs to a process that died: it is not being sent
    const sending = mails.find((m) => m.status === 'sending' && m.claimed_at && m.claimed_at.getTime() > opts.now.getTime() - opts.mailLeaseMs);
    if (sending) return await refuse({ kind: 'in-flight', what: 'subscription email', id: sending.id });

    const deliveriesStopped = await count(
      `WITH stopped AS (
         UPDATE delivery SET status = ${target('erase')}, failed_at = $2, error_code = 'subscriber_erased', last_error = $3,
                worker_id = NULL, next_try_at = NULL
          WHERE subscriber_id = $1 AND ${guard('erase')}
         RETURNING id, digest_id, attempt, message_id)
       INSERT INTO delivery_attempt (delivery_id, digest_id, attempt, status, message_id, error_code, reason, at)
       SELECT id, digest_id, attempt, 'failed', message_id, 'subscriber_erased', $3, $2 FROM stopped`,
      [opts.now, NOT_SENT],
    );
    const deliveriesKept = await count(
      `UPDATE delivery SET papers = '[]'::jsonb, ${['smtp_response', 'last_error', 'smtp_exchange'].map((c) => `${c} = ${WITHOUT_ADDRESSES(c)}`).join(', ')}
        WHERE subscriber_id = $1`,
      [ADDRESS],
    );
    await count(
      `UPDATE delivery_attempt SET ${['smtp_response', 'reason', 'smtp_exchange'].map((c) => `${c} = ${WITHOUT_ADDRESSES(c)}`).join(', ')}
        WHERE delivery_id IN (SELECT id FROM delivery WHERE subscriber_id = $1)`,
      [ADDRESS],
    );
    const mailedPapers =
      (await count(`DELETE FROM mailed_paper WHERE subscriber_id = $1`)) +
      // the papers of their expired deliveries (jobs/retention.ts), one row: counted per paper
      (await count(`WITH r AS (DELETE FROM reader_mailed WHERE subscriber_id = $1 RETURNING paper_ids) SELECT unnest(paper_ids) FROM r`));
    const feedback = await count(`DELETE FROM feedback WHERE subscriber_id = $1`);
    const readerModel = await count(`DELETE FROM reader_model WHERE subscriber_id = $1`);
    const subscriptionMails = await count(`DELETE FROM subscription_mail WHERE subscriber_id = $1`);
    // the report key names the report where it came from (an SES id, a DSN's Message-ID): replaced,
    // as a report about an erased subscriber is never stored again anyway (inbound/handle-report.ts)
    const inboundReports = await count(
      `UPDATE inbound_report SET recipient = NULL, diagnostic = NULL, report_key = 'erased:' || id
        WHERE subscriber_id = $1 OR delivery_id IN (SELECT id FROM delivery WHERE subscriber_id = $1)`,
    );
    await client.query(
      `UPDATE subscriber
          SET email = 'erased-' || id || '@erased.invalid', email_key = 'erased:' || id, status = 'erased', erased_at = $2, updated_at = $2,
              topics = '{}', muted_topics = '{}', paused = false, paused_until = NULL, frequency = 'daily', weekly_day = 1,
              token_nonce = $3, bounce_count = 0, confirmed_at = NULL, unsubscribed_at = NULL, bounced_at = NULL
        WHERE id = $1`,
      [subscriberId, opts.now, newNonce()],
    );
    await client.query('COMMIT');
    return {
      kind: 'erased',
      subscriberId,
      erasedAt: opts.now,
      removed: { deliveriesStopped, deliveriesKept, mailedPapers, feedback, readerModel, subscriptionMails, inboundReports },
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
