// "Email me my preferences link", from a page opened with a read link (the archive and the web view,
// whose link may have been forwarded): the reader's own preferences link is queued as the
// `preferences_link` subscription mail, to the reader's stored address — the request names no
// address, and whoever holds the read link never sees the link that is mailed. At most
// PREFERENCES_LINK_LIMIT of them an hour per address, however they were asked for (this and a
// subscribe request for an active address); past that, nothing is queued. The caller answers the
// same whatever happened: queued or not, and whatever the address's state (the mail loop sends a
// preferences link only while the address is active, decide.ts decideMail).
import { enqueueMailWithin } from '../db/subscription-mail.ts';
import type { Subscriber } from '../db/subscribers.ts';
import { maskEmail } from '../log/logger.ts';
import { mailRetryUntil, type SubscriptionDeps } from './deps.ts';
import { readLink } from './read-link.ts';

/** Preferences links queued for one address, at most, per window (a holder of a read link cannot flood the inbox). */
export const PREFERENCES_LINK_LIMIT = { count: 3, windowMs: 3600_000 };

/** The subscriber of an archive link, and whether a preferences link was queued to them. */
export async function askForPreferencesLink(deps: SubscriptionDeps, token: string | undefined): Promise<{ subscriber: Subscriber; queued: boolean }> {
  const { subscriber } = await readLink(deps, token, 'archive');
  const now = deps.now();
  const queued = await enqueueMailWithin(
    deps.prisma,
    { subscriberId: subscriber.id, kind: 'preferences_link', now, retryUntil: mailRetryUntil(now) },
    PREFERENCES_LINK_LIMIT,
  );
  deps.log.info(
    { event: 'preferences_link.asked', subscriberId: subscriber.id, to: maskEmail(subscriber.email), queued },
    queued
      ? `preferences link asked for subscriber ${subscriber.id}: queued`
      : `preferences link asked for subscriber ${subscriber.id}: not queued (${PREFERENCES_LINK_LIMIT.count} in the last hour)`,
  );
  if (queued) deps.mailQueue?.wake();
  return { subscriber, queued };
}
