// The decisions of the subscription steps, apart from the rows they read and write. Pure: they take
// what was read and say what to do; the use cases (subscribe.ts, confirm.ts, …) do it.
import type { SubscriberStatus } from '../db/subscribers.ts';
import type { SubscriptionErrorCode } from './errors.ts';
import type { Frequency } from '../model/reader.ts';
import { nextRetry, type BackoffPolicy } from '../deliver/queue/backoff.ts';
import type { SendFailure } from '../deliver/queue/outcome.ts';

/**
 * What a subscribe request for an address does. The reader always sees the same page, whatever
 * this says: only the mailbox learns which case it was.
 */
export type SubscribeAction =
  /** a new address: store it pending, mail a confirmation */
  | { kind: 'create' }
  /** pending: a new nonce (older links stop working), the new topics, a new confirmation */
  | { kind: 'refresh-pending'; subscriberId: number }
  /** unsubscribed: pending again with the new topics, through a new confirmation */
  | { kind: 'resubscribe'; subscriberId: number }
  /** active: nothing changes; mail a link to their preferences */
  | { kind: 'send-preferences-link'; subscriberId: number }
  /** bounced: the address refuses our mail; mail nothing */
  | { kind: 'ignore'; subscriberId: number; reason: 'bounced' };

export function decideSubscribe(existing: { id: number; status: SubscriberStatus } | null): SubscribeAction {
  if (!existing) return { kind: 'create' };
  switch (existing.status) {
    case 'pending':
      return { kind: 'refresh-pending', subscriberId: existing.id };
    case 'unsubscribed':
      return { kind: 'resubscribe', subscriberId: existing.id };
    case 'active':
      return { kind: 'send-preferences-link', subscriberId: existing.id };
    case 'bounced':
      return { kind: 'ignore', subscriberId: existing.id, reason: 'bounced' };
    case 'erased': // a tombstone's key (erased:<id>) is no address: an address coming back is a new subscriber
      return { kind: 'create' };
  }
}

export type LinkDecision = { kind: 'ok' } | { kind: 'refuse'; code: SubscriptionErrorCode };

/**
 * A confirm link works once, for the confirmation email it came in: the subscriber is still
 * pending and the link carries their current nonce.
 */
export function decideConfirm(subscriber: { status: SubscriberStatus; tokenNonce: string } | null, nonce: string | undefined): LinkDecision {
  if (!subscriber) return { kind: 'refuse', code: 'LINK_SUBSCRIBER_GONE' };
  if (nonce === undefined || nonce !== subscriber.tokenNonce) return { kind: 'refuse', code: 'LINK_REPLACED' };
  if (subscriber.status !== 'pending') return { kind: 'refuse', code: 'LINK_USED' };
  return { kind: 'ok' };
}

export interface Preferences {
  topics: string[];
  paused: boolean;
  /** a timed pause ends then; null: until the reader resumes (or not paused) */
  pausedUntil: Date | null;
  frequency: Frequency;
  /** weekly: 0 Sunday … 6 Saturday */
  weeklyDay: number;
}

export type PreferencesChange = { kind: 'unchanged' } | { kind: 'update'; topicsChanged: boolean; pausedChanged: boolean; frequencyChanged: boolean };

/**
 * Topics are compared as typed, in order: reordering them is a change the reader asked for. `current`
 * is the pause as it stands now (a timed pause that ended reads as not paused: pause.ts currentPause);
 * choosing a timed pause again starts it again from now, a change.
 */
export function decidePreferences(current: Preferences, next: Preferences): PreferencesChange {
  const topicsChanged = current.topics.length !== next.topics.length || current.topics.some((t, i) => t !== next.topics[i]);
  const pausedChanged = current.paused !== next.paused || (current.pausedUntil?.getTime() ?? null) !== (next.pausedUntil?.getTime() ?? null);
  const frequencyChanged = current.frequency !== next.frequency || (next.frequency === 'weekly' && current.weeklyDay !== next.weeklyDay);
  return topicsChanged || pausedChanged || frequencyChanged ? { kind: 'update', topicsChanged, pausedChanged, frequencyChanged } : { kind: 'unchanged' };
}

/** Preferences change only while active; other states get a page that says where they stand. */
export function decidePreferencesAllowed(status: SubscriberStatus): LinkDecision {
  return status === 'active' ? { kind: 'ok' } : { kind: 'refuse', code: 'NOT_ACTIVE' };
}

/**
 * Whether a queued one-off email is still worth sending, from the subscriber as it is when its turn
 * comes: a confirmation only while the address is pending and the link's nonce is the latest; the
 * preferences emails only while it is active.
 */
export function decideMail(
  mail: { kind: 'confirmation' | 'preferences_link' | 'preferences_changed'; nonce: string | null },
  subscriber: { status: SubscriberStatus; tokenNonce: string } | null,
): { kind: 'send' } | { kind: 'skip'; reason: string } {
  if (!subscriber) return { kind: 'skip', reason: 'the subscriber no longer exists' };
  const wanted = mail.kind === 'confirmation' ? 'pending' : 'active';
  if (subscriber.status !== wanted) return { kind: 'skip', reason: `the address is ${subscriber.status} now` };
  if (mail.kind === 'confirmation' && mail.nonce !== subscriber.tokenNonce) return { kind: 'skip', reason: 'a newer confirmation email replaced it' };
  return { kind: 'send' };
}

/**
 * What a subscription mail whose `tries`-th try failed becomes: refused for good (5xx) it fails;
 * anything else — a temporary error, and a reply that never came (sent at least once: better twice
 * than never) — is tried again with the backoff, never after `retryUntil` (its last try is then),
 * and fails once that has passed.
 */
export function decideMailFailure(
  failure: SendFailure,
  backoff: BackoffPolicy,
  tries: number,
  now: Date,
  retryUntil: Date,
): { retry: true; at: Date } | { retry: false; reason: 'refused' | 'out_of_time' } {
  if (failure === 'permanent') return { retry: false, reason: 'refused' };
  const next = nextRetry(backoff, tries, now, retryUntil);
  return next.retry ? { retry: true, at: next.at } : { retry: false, reason: 'out_of_time' };
}

/** Unsubscribing works from any state and twice: the second time changes nothing. */
export function decideUnsubscribe(status: SubscriberStatus): { kind: 'unsubscribe' } | { kind: 'already' } {
  return status === 'unsubscribed' ? { kind: 'already' } : { kind: 'unsubscribe' };
}

/** "Subscribe again with the same topics" works from the unsubscribe link for this long after leaving. */
export const UNDO_UNSUBSCRIBE_MS = 30 * 24 * 3600 * 1000;

/**
 * The unsubscribe link's "subscribe again": an address that left less than 30 days ago comes back
 * active with the topics it had (the link proves the mailbox, as the one-click unsubscribe does);
 * later, only through the subscribe form and a new confirmation.
 */
export function decideUndoUnsubscribe(
  subscriber: { status: SubscriberStatus; unsubscribedAt: Date | null },
  now: Date,
): { kind: 'restore' } | { kind: 'already' } | { kind: 'expired' } | { kind: 'refuse'; code: SubscriptionErrorCode } {
  if (subscriber.status === 'active') return { kind: 'already' };
  if (subscriber.status !== 'unsubscribed') return { kind: 'refuse', code: 'NOT_ACTIVE' };
  if (!subscriber.unsubscribedAt || now.getTime() - subscriber.unsubscribedAt.getTime() >= UNDO_UNSUBSCRIBE_MS) return { kind: 'expired' };
  return { kind: 'restore' };
}
