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

/** The pending subscriber this link would confirm; throws TokenError or SubscriptionError. Writes nothing. */
export async function checkConfirmLink(deps: SubscriptionDeps, token: string | undefined): Promise<Subscriber> {
  const { claims, subscriber } = await readLink(deps, token, 'confirm');
  refuseUnlessOk(decideConfirm(subscriber, claims.nonce));
  return subscriber;
}

/** pending → active for the latest confirmation link; the subscriber as confirmed. */
export async function confirmSubscription(deps: SubscriptionDeps, token: string | undefined): Promise<Subscriber> {
  const { claims, subscriber } = await readLink(deps, token, 'confirm');
  refuseUnlessOk(decideConfirm(subscriber, claims.nonce));
  if (!(await confirmPending(deps.prisma, subscriber.id, claims.nonce!, deps.now()))) {
    // Changed between the read and the write (a second click, a new confirmation): decide on what is there now.
    refuseUnlessOk(decideConfirm(await getSubscriber(deps.prisma, subscriber.id), claims.nonce));
    throw new SubscriptionError('LINK_REPLACED', MESSAGES.LINK_REPLACED);
  }
  const confirmed = (await getSubscriber(deps.prisma, subscriber.id)) ?? subscriber;
  deps.log.info({ event: 'subscriber.confirmed', subscriberId: confirmed.id, to: maskEmail(confirmed.email), topics: confirmed.topics.length }, `subscriber ${confirmed.id} confirmed`);
  return confirmed;
}

function refuseUnlessOk(decision: ReturnType<typeof decideConfirm>): void {
  if (decision.kind === 'refuse') throw new SubscriptionError(decision.code, MESSAGES[decision.code as keyof typeof MESSAGES] ?? decision.code);
}
