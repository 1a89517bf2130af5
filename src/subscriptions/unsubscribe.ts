// Unsubscribe: from the page's button, the preferences page, or a mail client's one-click POST
// (RFC 8058). Takes effect at once (the next digest leaves the address out, and a queued delivery
// is skipped at send time) and is idempotent.
import { restoreUnsubscribed, unsubscribeSubscriber } from '../db/subscriptions.ts';
import { getSubscriber, type Subscriber } from '../db/subscribers.ts';
import { maskEmail } from '../log/logger.ts';
import { decideUndoUnsubscribe, decideUnsubscribe, UNDO_UNSUBSCRIBE_MS } from './decide.ts';
import { SubscriptionError } from './errors.ts';
import type { SubscriptionDeps } from './deps.ts';
import { readLink } from './read-link.ts';

export type UnsubscribeVia = 'one-click' | 'page';

/** The subscriber this link would unsubscribe; throws TokenError or SubscriptionError. Writes nothing. */
export async function checkUnsubscribeLink(deps: SubscriptionDeps, token: string | undefined): Promise<Subscriber> {
  return (await readLink(deps, token, 'unsubscribe')).subscriber;
}

export async function unsubscribe(
  deps: SubscriptionDeps,
  token: string | undefined,
  via: UnsubscribeVia,
): Promise<{ subscriber: Subscriber; changed: boolean }> {
  const { subscriber } = await readLink(deps, token, 'unsubscribe');
  if (decideUnsubscribe(subscriber.status).kind === 'already') return { subscriber, changed: false };
  const changed = await unsubscribeSubscriber(deps.prisma, subscriber.id, deps.now());
  const now = (await getSubscriber(deps.prisma, subscriber.id)) ?? subscriber;
  if (changed) {
    deps.log.info(
      { event: 'subscriber.unsubscribed', subscriberId: subscriber.id, to: maskEmail(subscriber.email), from: subscriber.status, via },
      `subscriber ${subscriber.id} unsubscribed (${via})`,
    );
  }
  return { subscriber: now, changed };
}

export type UndoResult = { kind: 'restored' | 'already' | 'expired'; subscriber: Subscriber };

/** "Subscribe again with the same topics" from the unsubscribe link, within 30 days of leaving. */
export async function undoUnsubscribe(deps: SubscriptionDeps, token: string | undefined): Promise<UndoResult> {
  const { subscriber } = await readLink(deps, token, 'unsubscribe');
  const now = deps.now();
  const decision = decideUndoUnsubscribe(subscriber, now);
  if (decision.kind === 'refuse') throw new SubscriptionError(decision.code, `the subscription is ${subscriber.status}`);
  if (decision.kind !== 'restore') return { kind: decision.kind, subscriber };
  if (!(await restoreUnsubscribed(deps.prisma, subscriber.id, new Date(now.getTime() - UNDO_UNSUBSCRIBE_MS), now))) {
    // changed between the read and the write (a second click): say where it stands now
    const again = (await getSubscriber(deps.prisma, subscriber.id)) ?? subscriber;
    const later = decideUndoUnsubscribe(again, now);
    if (later.kind === 'refuse') throw new SubscriptionError(later.code, `the subscription is ${again.status}`);
    return { kind: later.kind === 'restore' ? 'already' : later.kind, subscriber: again };
  }
  const restored = (await getSubscriber(deps.prisma, subscriber.id)) ?? subscriber;
  deps.log.info(
    { event: 'subscriber.resubscribed', subscriberId: restored.id, to: maskEmail(restored.email), topics: restored.topics.length },
    `subscriber ${restored.id} subscribed again from the unsubscribe link`,
  );
  return { kind: 'restored', subscriber: restored };
}

/** Whether the unsubscribe link still offers "subscribe again" (an address that left under 30 days ago). */
export function canUndo(subscriber: Pick<Subscriber, 'status' | 'unsubscribedAt'>, now: Date): boolean {
  return decideUndoUnsubscribe(subscriber, now).kind === 'restore';
}
