// The signed link of an email, read: the token checked for its purpose (TokenError when it is
// missing, damaged, forged, for another page or expired), then the subscriber it names.
import { getSubscriber, readSubscriber, type Subscriber } from '../db/subscribers.ts';
import type { TokenClaims, TokenPurpose } from '../security/tokens.ts';
import type { SubscriptionDeps } from './deps.ts';
import { SubscriptionError } from './errors.ts';

export interface OpenedLink {
  claims: TokenClaims;
  subscriber: Subscriber;
}

export async function readLink(
  deps: Pick<SubscriptionDeps, 'prisma' | 'tokens' | 'now'> & { sql?: SubscriptionDeps['sql'] },
  token: string | undefined,
  purpose: TokenPurpose,
): Promise<OpenedLink> {
  const claims = deps.tokens.verify(token, purpose, deps.now());
  const subscriber = deps.sql ? await readSubscriber(deps.sql, claims.subscriberId) : await getSubscriber(deps.prisma, claims.subscriberId);
  // an erased subscriber is a tombstone kept for the counts: none of their links opens anything
  if (!subscriber || subscriber.status === 'erased') throw new SubscriptionError('LINK_SUBSCRIBER_GONE', 'this subscription no longer exists');
  return { claims, subscriber };
}
