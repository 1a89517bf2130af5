// Confirm (the second half of double opt-in). Opening the link only checks it; the reader's click
// on the page's button (a POST) confirms — see web/pages/routes/confirm.ts for why.
import { confirmPending } from '../db/subscriptions.ts';
import { getSubscriber, type Subscriber } from '../db/subscribers.ts';
import { maskEmail } from '../log/logger.ts';
import { decideConfirm } from './decide.ts';
import type { SubscriptionDeps } from './deps.ts';
import { SubscriptionError } from './errors.ts';
import { readLink } from './read-link.ts';

const MESSAGES = {
  LINK_SUBSCRIBER_GONE: 'this subscription no longer exists',
  LINK_REPLACED: 'a newer confirmation email replaced this link',
  LINK_USED: 'this link was already used',
} as const;

/**
 * What a confirm link finds: a pending subscriber to confirm, or one this very link already confirmed
 * and still active (reopened from the email, clicked twice): not an error, the reader is subscribed.
 */
export type ConfirmLink = { kind: 'pending'; subscriber: Subscriber } | { kind: 'already-active'; subscriber: Subscriber };

/** Throws TokenError or SubscriptionError for any other link. Writes nothing. */
export async function checkConfirmLink(deps: SubscriptionDeps, token: string | undefined): Promise<ConfirmLink> {
  const { claims, subscriber } = await readLink(deps, token, 'confirm');
  return decided(subscriber, claims.nonce);
}

/** pending → active for the latest confirmation link; the subscriber as confirmed (or as it already was). */
export async function confirmSubscription(deps: SubscriptionDeps, token: string | undefined): Promise<ConfirmLink> {
  const { claims, subscriber } = await readLink(deps, token, 'confirm');
  const link = decided(subscriber, claims.nonce);
  if (link.kind === 'already-active') return link;
  if (!(await confirmPending(deps.prisma, subscriber.id, claims.nonce!, deps.now()))) {
    // Changed between the read and the write (a second click, a new confirmation): decide on what is there now.
    const now = await getSubscriber(deps.prisma, subscriber.id);
    const again = decided(now, claims.nonce);
    if (again.kind === 'already-active') return again;
    throw new SubscriptionError('LINK_REPLACED', MESSAGES.LINK_REPLACED);
  }
  const confirmed = (await getSubscriber(deps.prisma, subscriber.id)) ?? subscriber;
  deps.log.info(
    { event: 'subscriber.confirmed', subscriberId: confirmed.id, to: maskEmail(confirmed.email), topics: confirmed.topics.length },
    `subscriber ${confirmed.id} confirmed`,
  );
  return { kind: 'pending', subscriber: confirmed };
}

function decided(subscriber: Subscriber | null, nonce: string | undefined): ConfirmLink {
  const decision = decideConfirm(subscriber, nonce);
  if (decision.kind === 'ok') return { kind: 'pending', subscriber: subscriber! };
  // this link's own confirmation, and the address still active: say so, with the way to preferences
  if (decision.code === 'LINK_USED' && subscriber?.status === 'active') return { kind: 'already-active', subscriber };
  throw new SubscriptionError(decision.code, MESSAGES[decision.code as keyof typeof MESSAGES] ?? decision.code);
}
