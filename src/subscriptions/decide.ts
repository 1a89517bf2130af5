// The decisions of the subscription steps, apart from the rows they read and write. Pure: they take
// what was read and say what to do; the use cases (subscribe.ts, confirm.ts, …) do it.
import type { SubscriberStatus } from '../db/subscribers.ts';
import type { SubscriptionErrorCode } from './errors.ts';

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
}

export type PreferencesChange = { kind: 'unchanged' } | { kind: 'update'; topicsChanged: boolean; pausedChanged: boolean };

/** Topics are compared as typed, in order: reordering them is a change the reader asked for. */
export function decidePreferences(current: Preferences, next: Preferences): PreferencesChange {
  const topicsChanged = current.topics.length !== next.topics.length || current.topics.some((t, i) => t !== next.topics[i]);
  const pausedChanged = current.paused !== next.paused;
  return topicsChanged || pausedChanged ? { kind: 'update', topicsChanged, pausedChanged } : { kind: 'unchanged' };
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

/** Unsubscribing works from any state and twice: the second time changes nothing. */
export function decideUnsubscribe(status: SubscriberStatus): { kind: 'unsubscribe' } | { kind: 'already' } {
  return status === 'unsubscribed' ? { kind: 'already' } : { kind: 'unsubscribe' };
}
