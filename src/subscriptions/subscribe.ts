// Subscribe (double opt-in): store the address pending first, then mail what fits its state
// (decide.ts). Whatever the state, the caller shows the same page; only a failed send differs, and
// then the pending row is kept so the reader can simply try again.
import { createPending, refreshPending, resubscribe } from '../db/subscriptions.ts';
import { findSubscriberByEmail, getSubscriber, newNonce, type Subscriber } from '../db/subscribers.ts';
import { SendError } from '../deliver/types.ts';
import { maskEmail } from '../log/logger.ts';
import { decideSubscribe, type SubscribeAction } from './decide.ts';
import type { SubscriptionDeps } from './deps.ts';
import { SubscriptionError } from './errors.ts';
import { sendConfirmation, sendPreferencesLink } from './mail.ts';

export interface SubscribeInput {
  /** checked by parseEmail */
  email: string;
  /** checked by parseTopicsField */
  topics: string[];
}

export type SubscribeResult =
  | { kind: 'confirmation-sent'; subscriberId: number; action: 'create' | 'refresh-pending' | 'resubscribe' }
  | { kind: 'preferences-link-sent'; subscriberId: number }
  | { kind: 'ignored'; subscriberId: number; reason: 'bounced' };

/** A guarded write that lost a race reads again; a few rounds always settle. */
const ATTEMPTS = 4;

export async function subscribe(deps: SubscriptionDeps, input: SubscribeInput): Promise<SubscribeResult> {
  const { prisma, log } = deps;
  const to = maskEmail(input.email);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const existing = await findSubscriberByEmail(prisma, input.email);
    const action = decideSubscribe(existing);
    const now = deps.now();

    if (action.kind === 'ignore') {
      log.info({ event: 'subscriber.subscribe_ignored', subscriberId: action.subscriberId, to, reason: action.reason }, 'subscribe request for a bounced address: nothing mailed');
      return { kind: 'ignored', subscriberId: action.subscriberId, reason: action.reason };
    }
    if (action.kind === 'send-preferences-link') {
      const subscriber = existing!;
      await mailOrFail(deps, 'preferences_link', subscriber, () => sendPreferencesLink(deps, subscriber));
      return { kind: 'preferences-link-sent', subscriberId: subscriber.id };
    }

    const nonce = newNonce();
    const pending = await writePending(deps, action, input, nonce, now);
    if (!pending) continue; // the address changed state meanwhile: decide again
    log.info({ event: 'subscriber.pending', subscriberId: pending.id, to, action: action.kind, topics: pending.topics.length }, `subscriber ${pending.id} pending (${action.kind})`);
    await mailOrFail(deps, 'confirmation', pending, () => sendConfirmation(deps, pending, nonce));
    return { kind: 'confirmation-sent', subscriberId: pending.id, action: action.kind };
  }
  throw new Error(`subscribe: the address kept changing state (${ATTEMPTS} attempts)`);
}

async function writePending(
  deps: SubscriptionDeps,
  action: Extract<SubscribeAction, { kind: 'create' | 'refresh-pending' | 'resubscribe' }>,
  input: SubscribeInput,
  nonce: string,
  now: Date,
): Promise<Subscriber | null> {
  const values = { topics: input.topics, nonce, now };
  if (action.kind === 'create') return createPending(deps.prisma, { email: input.email, ...values });
  const written = action.kind === 'refresh-pending' ? await refreshPending(deps.prisma, action.subscriberId, values) : await resubscribe(deps.prisma, action.subscriberId, values);
  return written ? getSubscriber(deps.prisma, action.subscriberId) : null;
}

/** Sends, logs `<what>.sent` or `<what>.failed`; a failed send becomes SubscriptionError MAIL_FAILED. */
async function mailOrFail(deps: SubscriptionDeps, what: 'confirmation' | 'preferences_link', subscriber: Subscriber, sendIt: () => Promise<{ messageId: string }>): Promise<void> {
  const context = { subscriberId: subscriber.id, to: maskEmail(subscriber.email) };
  try {
    const receipt = await sendIt();
    deps.log.info({ event: `${what}.sent`, ...context, messageId: receipt.messageId }, `${what.replace('_', ' ')} email sent to subscriber ${subscriber.id}`);
  } catch (err) {
    const code = err instanceof SendError ? err.storedCode : 'EUNKNOWN';
    deps.log.warn({ event: `${what}.failed`, ...context, code, error: withoutAddresses(String((err as Error)?.message)) }, `${what.replace('_', ' ')} email to subscriber ${subscriber.id} failed: ${code}`);
    throw new SubscriptionError('MAIL_FAILED', 'the email could not be sent', { cause: err });
  }
}

/** SMTP replies often quote the recipient ("<ada@example.org>: user unknown"): keep them out of the logs. */
const withoutAddresses = (text: string): string => text.replace(/[^\s<>"'@]+@[^\s<>"']+/g, '<address>');
