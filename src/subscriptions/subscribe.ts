// Subscribe (double opt-in): store the address pending and queue the email that fits its state
// (decide.ts), in one transaction; the mail loop (mail-queue.ts) sends it. Whatever the state, the
// caller shows the same page, and no state waits on the mail server: the answer cannot tell them
// apart by its content or its timing.
import { createPending, refreshPending, resubscribe } from '../db/subscriptions.ts';
import { enqueueMail } from '../db/subscription-mail.ts';
import { findSubscriberByEmail, getSubscriber, newNonce, type Subscriber } from '../db/subscribers.ts';
import { maskEmail } from '../log/logger.ts';
import { decideSubscribe, type SubscribeAction } from './decide.ts';
import { mailRetryUntil, type SubscriptionDeps } from './deps.ts';
import type { Frequency } from '../model/reader.ts';
import type { Db } from '../db/database.ts';

export interface SubscribeInput {
  /** checked by parseEmail */
  email: string;
  /** checked by parseTopicsField */
  topics: string[];
  /** how often (default daily): src/digest/frequency.ts */
  frequency?: Frequency;
  weeklyDay?: number;
}

export type SubscribeResult =
  | { kind: 'confirmation-queued'; subscriberId: number; action: 'create' | 'refresh-pending' | 'resubscribe' }
  | { kind: 'preferences-link-queued'; subscriberId: number }
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
      log.info(
        { event: 'subscriber.subscribe_ignored', subscriberId: action.subscriberId, to, reason: action.reason },
        'subscribe request for a bounced address: nothing mailed',
      );
      return { kind: 'ignored', subscriberId: action.subscriberId, reason: action.reason };
    }
    if (action.kind === 'send-preferences-link') {
      await enqueueMail(prisma, { subscriberId: action.subscriberId, kind: 'preferences_link', now, retryUntil: mailRetryUntil(now) });
      deps.mailQueue?.wake();
      return { kind: 'preferences-link-queued', subscriberId: action.subscriberId };
    }

    const nonce = newNonce();
    const pending = await prisma.$transaction(async (tx) => {
      const written = await writePending(tx, action, input, nonce, now);
      if (written) await enqueueMail(tx, { subscriberId: written.id, kind: 'confirmation', nonce, now, retryUntil: mailRetryUntil(now) });
      return written;
    });
    if (!pending) continue; // the address changed state meanwhile: decide again
    log.info(
      { event: 'subscriber.pending', subscriberId: pending.id, to, action: action.kind, topics: pending.topics.length },
      `subscriber ${pending.id} pending (${action.kind})`,
    );
    deps.mailQueue?.wake();
    return { kind: 'confirmation-queued', subscriberId: pending.id, action: action.kind };
  }
  throw new Error(`subscribe: the address kept changing state (${ATTEMPTS} attempts)`);
}

async function writePending(
  db: Db,
  action: Extract<SubscribeAction, { kind: 'create' | 'refresh-pending' | 'resubscribe' }>,
  input: SubscribeInput,
  nonce: string,
  now: Date,
): Promise<Subscriber | null> {
  const values = { topics: input.topics, frequency: input.frequency ?? 'daily', weeklyDay: input.weeklyDay ?? 1, nonce, now };
  if (action.kind === 'create') return createPending(db, { email: input.email, ...values });
  const written =
    action.kind === 'refresh-pending' ? await refreshPending(db, action.subscriberId, values) : await resubscribe(db, action.subscriberId, values);
  return written ? getSubscriber(db, action.subscriberId) : null;
}
