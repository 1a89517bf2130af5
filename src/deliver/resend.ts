// Resend: an operator re-queues deliveries; the next send mails them as a NEW attempt (new
// Message-ID, recorded like the first). Guarded like every status change: a delivery being sent
// right now by a live worker is refused, a stuck one (its worker died) may be re-queued.
import type { Db } from '../db/snapshots.ts';
import { resumeDigest } from '../db/digests.ts';
import { emailKey } from '../db/subscribers.ts';
import { liveWorkers } from '../db/workers.ts';

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
  | { kind: 'in-flight'; deliveryId: number }
  | { kind: 'subscriber-inactive'; deliveryId: number; status: string };

const REQUEUE = `status = 'queued', attempt = d.attempt + 1, tries = 0, message_id = NULL, worker_id = NULL,
  next_try_at = NULL, error_code = NULL, last_error = NULL, smtp_response = NULL,
  queued_at = now(), sending_at = NULL, sent_at = NULL, failed_at = NULL`;

export async function resendOne(db: Db, digestId: number, email: string): Promise<ResendOneResult> {
  const rows = await db.$queryRaw<Array<{ id: number; status: string; attempt: number; worker_id: string | null; subscriber_status: string; paused: boolean }>>`
    SELECT d.id, d.status::text AS status, d.attempt, d.worker_id, s.status::text AS subscriber_status, s.paused
      FROM delivery d JOIN subscriber s ON s.id = d.subscriber_id
     WHERE d.digest_id = ${digestId} AND s.email_key = ${emailKey(email)}`;
  const row = rows[0];
  if (!row) return { kind: 'not-found' };
  if (row.status === 'queued') return { kind: 'already-queued', deliveryId: row.id };
  if (row.subscriber_status !== 'active') return { kind: 'subscriber-inactive', deliveryId: row.id, status: row.subscriber_status };
  if (row.status === 'sending') {
    const live = await liveWorkers(db);
    if (live.some((w) => w.id === row.worker_id)) return { kind: 'in-flight', deliveryId: row.id };
    // Stuck: whether the server got it is unknown. Keep that in the record before sending again.
    await db.$executeRaw`
      INSERT INTO delivery_attempt (delivery_id, attempt, status, message_id, worker_id, reason, at)
      SELECT id, attempt, 'sending', message_id, worker_id, 'stuck: outcome unknown; re-queued by an operator', now()
        FROM delivery WHERE id = ${row.id} AND status = 'sending'`;
  }
  const updated = await db.$queryRawUnsafe<Array<{ attempt: number }>>(
    `UPDATE delivery d SET ${REQUEUE} WHERE d.id = $1 AND d.status = $2::"DeliveryStatus" AND d.attempt = $3 RETURNING d.attempt`,
    row.id,
    row.status,
    row.attempt,
  );
  if (updated.length === 0) return resendOne(db, digestId, email); // it changed under us: look again
  return { kind: 'queued', delivery: { deliveryId: row.id, email, attempt: updated[0]!.attempt, previousStatus: row.status } };
}

/**
 * Every failed delivery of a digest whose subscriber still gets digests. A digest paused for too
 * many failures is resumed: the failures being resent are the ones that paused it.
 */
export async function resendFailed(db: Db, digestId: number): Promise<{ requeued: RequeuedDelivery[]; resumed: boolean }> {
  const rows = await db.$queryRawUnsafe<Array<{ id: number; email: string; attempt: number }>>(
    `UPDATE delivery d SET ${REQUEUE}
       FROM subscriber s
      WHERE d.digest_id = $1 AND d.status = 'failed' AND s.id = d.subscriber_id AND s.status = 'active' AND NOT s.paused
     RETURNING d.id, s.email, d.attempt`,
    digestId,
  );
  const resumed = await resumeDigest(db, digestId);
  return {
    requeued: rows.map((r) => ({ deliveryId: r.id, email: r.email, attempt: r.attempt, previousStatus: 'failed' })).sort((a, b) => a.deliveryId - b.deliveryId),
    resumed,
  };
}
