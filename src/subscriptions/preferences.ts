// Preferences: topics and pause, from the signed link in every digest (no expiry). Only an active
// subscription changes; a change is confirmed on the page and by email (so a forwarded digest's
// link cannot quietly change someone's subscription).
import { enqueueMail, joinQueuedPreferencesMail } from '../db/subscription-mail.ts';
import { updatePreferences } from '../db/subscriptions.ts';
import { getSubscriber, type Subscriber } from '../db/subscribers.ts';
import { maskEmail } from '../log/logger.ts';
import { decidePreferences, decidePreferencesAllowed, type Preferences } from './decide.ts';
import { currentPause } from './pause.ts';
import { mailRetryUntil, type SubscriptionDeps } from './deps.ts';
import { SubscriptionError } from './errors.ts';
import { readLink } from './read-link.ts';

/** The subscriber of a preferences link, in whatever state; throws TokenError or SubscriptionError. */
export async function openPreferences(deps: SubscriptionDeps, token: string | undefined): Promise<Subscriber> {
  return (await readLink(deps, token, 'preferences')).subscriber;
}

export type PreferencesResult =
  | { kind: 'unchanged'; subscriber: Subscriber }
  | { kind: 'updated'; subscriber: Subscriber; topicsChanged: boolean; pausedChanged: boolean; frequencyChanged: boolean };

export async function changePreferences(deps: SubscriptionDeps, token: string | undefined, next: Preferences): Promise<PreferencesResult> {
  const { subscriber } = await readLink(deps, token, 'preferences');
  const notActive = () => new SubscriptionError('NOT_ACTIVE', `the subscription is ${subscriber.status}`);
  if (decidePreferencesAllowed(subscriber.status).kind === 'refuse') throw notActive();
  const now = deps.now();
  const change = decidePreferences(
    { topics: subscriber.topics, frequency: subscriber.frequency, weeklyDay: subscriber.weeklyDay, ...currentPause(subscriber, now) },
    next,
  );
  if (change.kind === 'unchanged') return { kind: 'unchanged', subscriber };
  const updatedNow = await deps.prisma.$transaction(async (tx) => {
    // The notice email is queued with the change: a change is never saved without it.
    // a muted topic the reader took out of their topics is not muted any more
    if (!(await updatePreferences(tx, subscriber.id, { ...next, mutedTopics: subscriber.mutedTopics.filter((t) => next.topics.includes(t)) }, now)))
      return false;
    // several saves within PREFERENCES_MAIL_DELAY make one email: a queued one takes this change too
    if (await joinQueuedPreferencesMail(tx, subscriber.id, mailRetryUntil(now))) return 'joined';
    const notBefore = new Date(now.getTime() + deps.preferencesMailDelayMs);
    await enqueueMail(tx, { subscriberId: subscriber.id, kind: 'preferences_changed', now, retryUntil: mailRetryUntil(now), notBefore });
    return 'queued';
  });
  if (!updatedNow) throw notActive();
  deps.mailQueue?.wake();
  const updated = (await getSubscriber(deps.prisma, subscriber.id)) ?? { ...subscriber, ...next };
  const to = maskEmail(updated.email);
  deps.log.info(
    {
      event: 'subscriber.preferences_changed',
      subscriberId: updated.id,
      to,
      topics: updated.topics.length,
      paused: updated.paused,
      pausedUntil: updated.pausedUntil,
      topicsChanged: change.topicsChanged,
      pausedChanged: change.pausedChanged,
      frequency: updated.frequency,
      frequencyChanged: change.frequencyChanged,
      mail: updatedNow,
    },
    `subscriber ${updated.id} changed their preferences`,
  );
  return {
    kind: 'updated',
    subscriber: updated,
    topicsChanged: change.topicsChanged,
    pausedChanged: change.pausedChanged,
    frequencyChanged: change.frequencyChanged,
  };
}
