// The subscriber writes of the reader's pages (subscribe, confirm, preferences, unsubscribe). Every
// status change is a guarded update (`WHERE status = …`) whose row count says whether it happened:
// a caller that gets `false` read a state that has changed since, and reads again.
import { emailKey, getSubscriber, type Subscriber } from './subscribers.ts';
import type { Frequency } from '../model/reader.ts';
import type { Db } from './database.ts';

export interface PendingInput {
  topics: string[];
  frequency: Frequency;
  weeklyDay: number;
  /** the new token nonce the confirmation link carries */
  nonce: string;
  now: Date;
}

/**
 * A new pending subscriber; null when the address was inserted meanwhile (read it and decide again).
 * ON CONFLICT rather than catching the unique violation: that would abort a surrounding transaction.
 */
export async function createPending(db: Db, input: PendingInput & { email: string }): Promise<Subscriber | null> {
  const rows = await db.$queryRaw<Array<{ id: number }>>`
    INSERT INTO subscriber (email, email_key, topics, status, paused, frequency, weekly_day, token_nonce, created_at, updated_at)
    VALUES (${input.email.trim()}, ${emailKey(input.email)}, ${input.topics}::text[], 'pending', false, ${input.frequency}::"Frequency", ${input.weeklyDay},
            ${input.nonce}, ${input.now}, ${input.now})
    ON CONFLICT (email_key) DO NOTHING
    RETURNING id`;
  return rows[0] ? getSubscriber(db, rows[0].id) : null;
}

/** pending → pending with a new nonce (older confirmation links stop working) and the new topics. */
export async function refreshPending(db: Db, id: number, input: PendingInput): Promise<boolean> {
  const { count } = await db.subscriber.updateMany({
    where: { id, status: 'pending' },
    data: { topics: input.topics, frequency: input.frequency, weeklyDay: input.weeklyDay, tokenNonce: input.nonce, updatedAt: input.now },
  });
  return count === 1;
}

/** unsubscribed → pending: the address comes back only through a new confirmation. */
export async function resubscribe(db: Db, id: number, input: PendingInput): Promise<boolean> {
  const { count } = await db.subscriber.updateMany({
    where: { id, status: 'unsubscribed' },
    data: {
      status: 'pending',
      topics: input.topics,
      frequency: input.frequency,
      weeklyDay: input.weeklyDay,
      paused: false,
      pausedUntil: null,
      tokenNonce: input.nonce,
      confirmedAt: null,
      unsubscribedAt: null,
      updatedAt: input.now,
    },
  });
  return count === 1;
}

/** pending → active, only for the link of the latest confirmation email (its nonce). */
export async function confirmPending(db: Db, id: number, nonce: string, now: Date): Promise<boolean> {
  const { count } = await db.subscriber.updateMany({
    where: { id, status: 'pending', tokenNonce: nonce },
    data: { status: 'active', confirmedAt: now, updatedAt: now },
  });
  return count === 1;
}

/** any state → unsubscribed; false when it already was (nothing written: repeating is harmless). */
export async function unsubscribeSubscriber(db: Db, id: number, now: Date): Promise<boolean> {
  const { count } = await db.subscriber.updateMany({
    where: { id, status: { notIn: ['unsubscribed', 'erased'] } },
    data: { status: 'unsubscribed', unsubscribedAt: now, updatedAt: now },
  });
  return count === 1;
}

/** unsubscribed (since `since` or later) → active again, topics as they were, not paused. */
export async function restoreUnsubscribed(db: Db, id: number, since: Date, now: Date): Promise<boolean> {
  const { count } = await db.subscriber.updateMany({
    where: { id, status: 'unsubscribed', unsubscribedAt: { gt: since } },
    data: { status: 'active', unsubscribedAt: null, paused: false, pausedUntil: null, updatedAt: now },
  });
  return count === 1;
}

/** Topics and pause of an active subscriber; false when they are not active (any more). */
export async function updatePreferences(
  db: Db,
  id: number,
  input: { topics: string[]; paused: boolean; pausedUntil: Date | null; frequency: Frequency; weeklyDay: number; mutedTopics?: string[] },
  now: Date,
): Promise<boolean> {
  const { count } = await db.subscriber.updateMany({
    where: { id, status: 'active' },
    data: {
      topics: input.topics,
      paused: input.paused,
      pausedUntil: input.paused ? input.pausedUntil : null,
      frequency: input.frequency,
      weeklyDay: input.weeklyDay,
      ...(input.mutedTopics ? { mutedTopics: input.mutedTopics } : {}),
      updatedAt: now,
    },
  });
  return count === 1;
}
