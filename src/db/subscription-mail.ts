// The queue of one-off subscription emails (schema: SubscriptionMail). Written in the transaction
// of the change that asks for it; claimed with a row lock (FOR UPDATE SKIP LOCKED) and a status
// change, so two processes never send the same row at once; every outcome is a guarded update on
// the claim (`WHERE status = 'sending' AND claimed_by = …`).
import type { PrismaClient } from './generated/client.ts';
import type { Db } from './snapshots.ts';

export type SubscriptionMailKind = 'confirmation' | 'preferences_link' | 'preferences_changed';

export interface ClaimedMail {
  id: number;
  subscriberId: number;
  kind: SubscriptionMailKind;
  nonce: string | null;
  /** tries including this one */
  tries: number;
}

export async function enqueueMail(db: Db, mail: { subscriberId: number; kind: SubscriptionMailKind; nonce?: string; now: Date }): Promise<number> {
  const row = await db.subscriptionMail.create({
    data: { subscriberId: mail.subscriberId, kind: mail.kind, nonce: mail.nonce ?? null, nextTryAt: mail.now, createdAt: mail.now },
    select: { id: true },
  });
  return row.id;
}

/**
 * Up to `limit` mails that are due: queued and past their next try, or claimed longer than
 * `leaseMs` ago by a process that never finished them (it died: they are sent again — a one-off
 * email is sent at least once, never lost).
 */
export async function claimMails(db: Db, worker: string, now: Date, leaseMs: number, limit: number): Promise<ClaimedMail[]> {
  const staleBefore = new Date(now.getTime() - leaseMs);
  return db.$queryRaw<ClaimedMail[]>`
    UPDATE subscription_mail m
       SET status = 'sending', claimed_at = ${now}, claimed_by = ${worker}, tries = m.tries + 1
     WHERE m.id IN (
             SELECT id FROM subscription_mail
              WHERE (status = 'queued' AND next_try_at <= ${now}) OR (status = 'sending' AND claimed_at < ${staleBefore})
              ORDER BY id
              LIMIT ${limit}
                FOR UPDATE SKIP LOCKED)
    RETURNING m.id, m.subscriber_id AS "subscriberId", m.kind::text AS kind, m.nonce, m.tries`;
}

type Outcome =
  | { status: 'sent'; messageId: string }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; error: string }
  | { status: 'queued'; error: string; nextTryAt: Date };

/** Records what happened to a claimed mail; false when the claim was taken over meanwhile. */
export async function settleMail(db: Db, mail: Pick<ClaimedMail, 'id'>, worker: string, now: Date, outcome: Outcome): Promise<boolean> {
  const data =
    outcome.status === 'sent'
      ? { status: 'sent' as const, messageId: outcome.messageId, doneAt: now, lastError: null }
      : outcome.status === 'queued'
        ? { status: 'queued' as const, lastError: outcome.error, nextTryAt: outcome.nextTryAt, claimedBy: null, claimedAt: null }
        : { status: outcome.status, lastError: outcome.status === 'failed' ? outcome.error : outcome.reason, doneAt: now };
  const { count } = await db.subscriptionMail.updateMany({ where: { id: mail.id, status: 'sending', claimedBy: worker }, data });
  return count === 1;
}

/** Mails waiting (queued) and in flight (sending), for /healthz-like views and tests. */
export async function pendingMailCount(db: Db): Promise<number> {
  return db.subscriptionMail.count({ where: { status: { in: ['queued', 'sending'] } } });
}

/**
 * Queues a mail unless `limit.count` of its kind were queued for the subscriber in the last
 * `limit.windowMs` (counted under a lock on the subscriber's row: two requests at once cannot both
 * pass the count). Whether it was queued.
 */
export async function enqueueMailWithin(
  prisma: PrismaClient,
  mail: { subscriberId: number; kind: SubscriptionMailKind; now: Date },
  limit: { count: number; windowMs: number },
): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM subscriber WHERE id = ${mail.subscriberId} FOR NO KEY UPDATE`;
    const since = new Date(mail.now.getTime() - limit.windowMs);
    const recent = await tx.subscriptionMail.count({ where: { subscriberId: mail.subscriberId, kind: mail.kind, createdAt: { gt: since } } });
    if (recent >= limit.count) return false;
    await enqueueMail(tx, mail);
    return true;
  });
}
