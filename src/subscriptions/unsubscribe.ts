// Unsubscribe: from the page's button, the preferences page, or a mail client's one-click POST
// (RFC 8058). Takes effect at once (the next digest leaves the address out, and a queued delivery
// is skipped at send time) and is idempotent.
import { unsubscribeSubscriber } from '../db/subscriptions.ts';
import { getSubscriber, type Subscriber } from '../db/subscribers.ts';
import { maskEmail } from '../log/logger.ts';
import { decideUnsubscribe } from './decide.ts';
import type { SubscriptionDeps } from './deps.ts';
import { readLink } from './read-link.ts';

export type UnsubscribeVia = 'one-click' | 'page';

/** The subscriber this link would unsubscribe; throws TokenError or SubscriptionError. Writes nothing. */
export async function checkUnsubscribeLink(deps: SubscriptionDeps, token: string | undefined): Promise<Subscriber> {
  return (await readLink(deps, token, 'unsubscribe')).subscriber;
}

export async function unsubscribe(deps: SubscriptionDeps, token: string | undefined, via: UnsubscribeVia): Promise<{ subscriber: Subscriber; changed: boolean }> {
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
