// Preferences: topics and pause, from the signed link in every digest (no expiry). Only an active
// subscription changes; a change is confirmed on the page and by email (so a forwarded digest's
// link cannot quietly change someone's subscription).
import { updatePreferences } from '../db/subscriptions.ts';
import { getSubscriber, type Subscriber } from '../db/subscribers.ts';
import { SendError } from '../deliver/types.ts';
import { maskEmail } from '../log/logger.ts';
import { decidePreferences, decidePreferencesAllowed, type Preferences } from './decide.ts';
import type { SubscriptionDeps } from './deps.ts';
import { SubscriptionError } from './errors.ts';
import { sendPreferencesChanged } from './mail.ts';
import { readLink } from './read-link.ts';

/** The subscriber of a preferences link, in whatever state; throws TokenError or SubscriptionError. */
export async function openPreferences(deps: SubscriptionDeps, token: string | undefined): Promise<Subscriber> {
  return (await readLink(deps, token, 'preferences')).subscriber;
}

export type PreferencesResult = { kind: 'unchanged'; subscriber: Subscriber } | { kind: 'updated'; subscriber: Subscriber; topicsChanged: boolean; pausedChanged: boolean };

export async function changePreferences(deps: SubscriptionDeps, token: string | undefined, next: Preferences): Promise<PreferencesResult> {
  const { subscriber } = await readLink(deps, token, 'preferences');
  const notActive = () => new SubscriptionError('NOT_ACTIVE', `the subscription is ${subscriber.status}`);
  if (decidePreferencesAllowed(subscriber.status).kind === 'refuse') throw notActive();
  const change = decidePreferences(subscriber, next);
  if (change.kind === 'unchanged') return { kind: 'unchanged', subscriber };
  if (!(await updatePreferences(deps.prisma, subscriber.id, next, deps.now()))) throw notActive();
  const updated = (await getSubscriber(deps.prisma, subscriber.id)) ?? { ...subscriber, ...next };
  const to = maskEmail(updated.email);
  deps.log.info(
    { event: 'subscriber.preferences_changed', subscriberId: updated.id, to, topics: updated.topics.length, paused: updated.paused, topicsChanged: change.topicsChanged, pausedChanged: change.pausedChanged },
    `subscriber ${updated.id} changed their preferences`,
  );
  try {
    const receipt = await sendPreferencesChanged(deps, updated);
    deps.log.info({ event: 'preferences_changed.sent', subscriberId: updated.id, to, messageId: receipt.messageId }, 'preferences-changed email sent');
  } catch (err) {
    // The change is saved and shown on the page; the notice email is a courtesy.
    const code = err instanceof SendError ? err.storedCode : 'EUNKNOWN';
    deps.log.warn({ event: 'preferences_changed.failed', subscriberId: updated.id, to, code }, `preferences-changed email failed: ${code}`);
  }
  return { kind: 'updated', subscriber: updated, topicsChanged: change.topicsChanged, pausedChanged: change.pausedChanged };
}
