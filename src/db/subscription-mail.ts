// The queue of one-off subscription emails (schema: SubscriptionMail). Written in the transaction
// of the change that asks for it; claimed with a row lock (FOR UPDATE SKIP LOCKED) and a status
// change, so two processes never send the same row at once; every outcome is a guarded update on
// the claim (`WHERE status = 'sending' AND claimed_by = …`), an operator's re-send one on `failed`.
import type { PrismaClient } from './generated/client.ts';
import type { Db } from './database.ts';
import { isRowId } from '../model/row-id.ts';

export type SubscriptionMailKind = 'confirmation' | 'preferences_link' | 'preferences_changed';
type SubscriptionMailStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'skipped';

export interface ClaimedMail {
  id: number;
  subscriberId: number;
  kind: SubscriptionMailKind;
  nonce: string | null;
  /** tries including this one */
  tries: number;
  /** temporary errors are tried again until then */
  retryUntil: Date;
}

export async function enqueueMail(
  db: Db,
  mail: { subscriberId: number; kind: SubscriptionMailKind; nonce?: string; now: Date; retryUntil: Date; notBefore?: Date },
): Promise<number> {
  const row = await db.subscriptionMail.create({
    data: {
      subscriberId: mail.subscriberId,
      kind: mail.kind,
      nonce: mail.nonce ?? null,
      nextTryAt: mail.notBefore ?? mail.now,
      createdAt: mail.now,
      retryUntil: mail.retryUntil,
    },
    select: { id: true },
  });
  return row.id;
}

/**
 * A "preferences changed" mail of this subscriber still queued (not claimed: a mail renders the
 * subscriber as they are when it is sent) takes this change too, instead of a second mail: true when
 * one did. The update takes its row lock, so a loop claiming it waits for this transaction, then sees
 * it joined; one claimed first (sending) is no longer queued and is not joined — the caller queues a
 * new one, which says the change.
 */
export async function joinQueuedPreferencesMail(db: Db, subscriberId: number, retryUntil: Date): Promise<boolean> {
  const { count } = await db.subscriptionMail.updateMany({ where: { subscriberId, kind: 'preferences_changed', status: 'queued' }, data: { retryUntil } });
  return count > 0;
}

/**
 * Up to `limit` mails that are due: queued and past their next try, or claimed longer than
 * `leaseMs` ago by a process that never finished them (it died: they are sent again — a one-off
 * email is sent at least once, never lost). `only`: that mail alone (an operator's re-send).
 */
export async function claimMails(db: Db, worker: string, now: Date, leaseMs: number, limit: number, only?: number): Promise<ClaimedMail[]> {
  const staleBefore = new Date(now.getTime() - leaseMs);
  const id = only ?? null;
  return db.$queryRaw<ClaimedMail[]>`
    UPDATE subscription_mail m
       SET status = 'sending', claimed_at = ${now}, claimed_by = ${worker}, tries = m.tries + 1
     WHERE m.id IN (
             SELECT id FROM subscription_mail
              WHERE ((status = 'queued' AND next_try_at <= ${now}) OR (status = 'sending' AND claimed_at < ${staleBefore}))
                AND (${id}::int IS NULL OR id = ${id}::int)
              ORDER BY id
              LIMIT ${limit}
                FOR UPDATE SKIP LOCKED)
    RETURNING m.id, m.subscriber_id AS "subscriberId", m.kind::text AS kind, m.nonce, m.tries, m.retry_until AS "retryUntil"`;
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

/**
 * The relay works again: every mail waiting on its backoff (queued, tried before, its next try
 * later) is due now — tried once more at once instead of up to the longest backoff later. How many.
 */
export async function hurryWaitingMails(db: Db, now: Date): Promise<number> {
  const { count } = await db.subscriptionMail.updateMany({ where: { status: 'queued', tries: { gt: 0 }, nextTryAt: { gt: now } }, data: { nextTryAt: now } });
  return count;
}

/** A failed mail queued again by an operator: tries from 0, a new retry window. False unless it was failed. */
export async function requeueFailedMail(db: Db, id: number, now: Date, retryUntil: Date): Promise<boolean> {
  const { count } = await db.subscriptionMail.updateMany({
    where: { id, status: 'failed' },
    data: { status: 'queued', tries: 0, nextTryAt: now, retryUntil, claimedAt: null, claimedBy: null, doneAt: null },
  });
  return count === 1;
}

/** A failed mail an operator asked to re-send that no longer fits its address: skipped, with why. */
export async function skipFailedMail(db: Db, id: number, now: Date, reason: string): Promise<boolean> {
  const { count } = await db.subscriptionMail.updateMany({ where: { id, status: 'failed' }, data: { status: 'skipped', lastError: reason, doneAt: now } });
  return count === 1;
}

export interface MailRow {
  id: number;
  kind: SubscriptionMailKind;
  status: SubscriptionMailStatus;
  subscriberId: number;
  email: string;
  nonce: string | null;
  tries: number;
  createdAt: Date;
  nextTryAt: Date;
  retryUntil: Date;
  doneAt: Date | null;
  lastError: string | null;
}

const ROW = {
  id: true,
  kind: true,
  status: true,
  subscriberId: true,
  nonce: true,
  tries: true,
  createdAt: true,
  nextTryAt: true,
  retryUntil: true,
  doneAt: true,
  lastError: true,
  subscriber: { select: { email: true } },
} as const;

type Selected = { subscriber: { email: string } } & Omit<MailRow, 'email'>;
const toRow = ({ subscriber, ...mail }: Selected): MailRow => ({ ...mail, email: subscriber.email });

/**
 * Mails an operator looks at: `failed` (refused for good, or out of time: re-send them) or `waiting`
 * (queued or being sent: tried again with backoff), oldest first; paged by id.
 */
export async function listMails(db: Db, which: 'failed' | 'waiting', options: { limit?: number; after?: number } = {}): Promise<MailRow[]> {
  const rows = await db.subscriptionMail.findMany({
    where: { status: which === 'failed' ? 'failed' : { in: ['queued', 'sending'] }, ...(options.after ? { id: { gt: options.after } } : {}) },
    orderBy: { id: 'asc' },
    take: options.limit ?? 100,
    select: ROW,
  });
  return rows.map(toRow);
}

export async function getMail(db: Db, id: number): Promise<MailRow | null> {
  if (!isRowId(id)) return null; // an id no row can have (the column is an int4)
  const row = await db.subscriptionMail.findUnique({ where: { id }, select: ROW });
  return row ? toRow(row) : null;
}

/**
 * Queues a mail unless `limit.count` of its kind were queued for the subscriber in the last
 * `limit.windowMs` (counted under a lock on the subscriber's row: two requests at once cannot both
 * pass the count). Whether it was queued.
 */
export async function enqueueMailWithin(
  prisma: PrismaClient,
  mail: { subscriberId: number; kind: SubscriptionMailKind; now: Date; retryUntil: Date },
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
