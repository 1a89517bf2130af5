// The one-off emails of the subscription steps (confirmation, preferences link, preferences
// changed), sent from the database by their own small loop — apart from the digest sender. The
// steps only write a row (db/subscription-mail.ts) in the transaction of the change and wake the
// loop, so a reader's answer never waits on SMTP and takes the same time whatever the address's
// state; a process that dies after answering loses nothing (the row is there; `start` polls).
//
// Each mail is checked against the subscriber as it is when its turn comes (decideMail): a
// confirmation replaced by a newer one, or for an address that is no longer pending, is skipped.
// Permanent errors (5xx) fail at once. Temporary ones (4xx, connection, timeout) are tried again
// with backoff (doubling from retryDelayMs, at most maxRetryDelayMs apart; deliver/queue/backoff.ts,
// the digest sender's too, as its reading of a failed send and its loop) for as long as a confirm
// link works — until the mail's retry_until, 7 days after it was queued — then it is failed; and
// when the relay works again after failing (relayRecovered: any message accepted after a relay
// error, a digest's too), every mail waiting on its backoff is tried at once. A failed mail waits
// for an operator (`paperboy subscription-mails`, the dashboard: resend-mail.ts). A claim left by a
// process that died is taken over after leaseMs: these emails are sent at least once (rarely
// twice), never lost.
import { randomUUID } from 'node:crypto';
import { claimMails, hurryWaitingMails, settleMail, type ClaimedMail } from '../db/subscription-mail.ts';
import { getSubscriber, type Subscriber } from '../db/subscribers.ts';
import type { BackoffPolicy } from '../deliver/queue/backoff.ts';
import { asSendError, classifySendFailure } from '../deliver/queue/outcome.ts';
import { SendLoop } from '../deliver/queue/send-loop.ts';
import type { SendError, SendReceipt } from '../deliver/types.ts';
import { maskEmail } from '../log/logger.ts';
import { plural } from '../log/plural.ts';
import { decideMail, decideMailFailure } from './decide.ts';
import type { SubscriptionDeps } from './deps.ts';
import { sendConfirmation, sendPreferencesChanged, sendPreferencesLink } from './mail.ts';

export interface MailQueueSettings {
  /** how often a started queue looks for due mails (retries, leftovers of a process that died) */
  pollMs: number;
  /** a claim older than this is taken over */
  leaseMs: number;
  /** the first retry delay, doubled on each further try … */
  retryDelayMs: number;
  /** … up to this */
  maxRetryDelayMs: number;
  /** mails claimed (and sent in parallel) at a time */
  batch: number;
}

export const DEFAULT_MAIL_QUEUE: MailQueueSettings = { pollMs: 5000, leaseMs: 10 * 60_000, retryDelayMs: 30_000, maxRetryDelayMs: 30 * 60_000, batch: 4 };

export type MailQueueDeps = Omit<SubscriptionDeps, 'mailQueue'> & {
  /** names the claims (a serve process passes its worker id) */
  workerId?: string;
  settings?: Partial<MailQueueSettings>;
};

export class SubscriptionMailQueue {
  private readonly settings: MailQueueSettings;
  private readonly backoff: BackoffPolicy;
  private readonly workerId: string;
  private readonly loop: SendLoop;
  /** the relay works again: bring the mails waiting on backoff forward at the next drain */
  private hurry = false;

  constructor(private readonly deps: MailQueueDeps) {
    this.settings = { ...DEFAULT_MAIL_QUEUE, ...deps.settings };
    this.backoff = { firstDelayMs: this.settings.retryDelayMs, maxDelayMs: this.settings.maxRetryDelayMs, maxTries: Infinity };
    this.workerId = deps.workerId ?? `mail-${randomUUID()}`;
    this.loop = new SendLoop({
      pollMs: this.settings.pollMs,
      round: (signal) => this.drain(signal),
      onError: (err) => this.deps.log.error({ event: 'subscription_mail.loop_failed', err }, `the subscription email loop failed: ${(err as Error).message}`),
    });
  }

  /** Something was queued: send what is due, soon (never inside the caller's own tick). */
  wake(): void {
    this.loop.wake();
  }

  /**
   * The relay accepted a message after failing (deliver/relay-watch.ts): the mails waiting on their
   * backoff are tried now, once, instead of up to maxRetryDelayMs later.
   */
  relayRecovered(): void {
    if (this.loop.stopped) return;
    this.hurry = true;
    this.wake();
  }

  /**
   * Sends one mail now if it is due (an operator's re-send from the command line, where no loop
   * runs), in this process; resolves when its try has ended. Other mails are left to the loop.
   */
  async sendNow(id: number): Promise<void> {
    const claimed = await claimMails(this.deps.prisma, this.workerId, this.deps.now(), this.settings.leaseMs, 1, id);
    await Promise.all(claimed.map((mail) => this.sendOne(mail)));
  }

  /** Polls for due mails until stopped (serve): retries and what a process that died left. */
  start(): void {
    this.loop.start();
  }

  /** No new claims; waits for the sends in flight (true when they ended within timeoutMs). */
  stop(timeoutMs: number): Promise<boolean> {
    return this.loop.stop(Date.now() + timeoutMs);
  }

  /** Resolves when nothing is being sent or about to be (tests; a clean stop). */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  private async drain(signal: AbortSignal): Promise<void> {
    const { prisma } = this.deps;
    if (this.hurry) {
      this.hurry = false;
      const count = await hurryWaitingMails(prisma, this.deps.now());
      if (count > 0)
        this.deps.log.info(
          { event: 'subscription_mail.relay_back', mails: count },
          `the relay works again: ${count} subscription emails waiting to be tried again are tried now`,
        );
    }
    while (!signal.aborted) {
      const claimed = await claimMails(prisma, this.workerId, this.deps.now(), this.settings.leaseMs, this.settings.batch);
      if (claimed.length === 0) return;
      await Promise.all(claimed.map((mail) => this.sendOne(mail)));
    }
  }

  private async sendOne(mail: ClaimedMail): Promise<void> {
    const { deps } = this;
    const subscriber = await getSubscriber(deps.prisma, mail.subscriberId);
    const decision = decideMail(mail, subscriber);
    const context = { mailId: mail.id, subscriberId: mail.subscriberId, ...(subscriber ? { to: maskEmail(subscriber.email) } : {}), tries: mail.tries };
    if (decision.kind === 'skip') {
      await settleMail(deps.prisma, mail, this.workerId, deps.now(), { status: 'skipped', reason: decision.reason });
      deps.log.info({ event: `${mail.kind}.skipped`, ...context, reason: decision.reason }, `${label(mail)} not sent: ${decision.reason}`);
      return;
    }
    try {
      const receipt = await this.send(mail, subscriber!);
      await settleMail(deps.prisma, mail, this.workerId, deps.now(), { status: 'sent', messageId: receipt.messageId });
      deps.log.info({ event: `${mail.kind}.sent`, ...context, messageId: receipt.messageId }, `${label(mail)} sent to subscriber ${mail.subscriberId}`);
    } catch (err) {
      await this.settleFailure(mail, asSendError(err), context);
    }
  }

  /** A try that failed: queued again with backoff, or failed for good (refused, or its retry window ended). */
  private async settleFailure(mail: ClaimedMail, err: SendError, context: Record<string, unknown>): Promise<void> {
    const { deps } = this;
    const code = err.storedCode;
    const error = withoutAddresses(`${code}: ${err.message}`).slice(0, 500);
    const now = deps.now();
    const next = decideMailFailure(classifySendFailure(err), this.backoff, mail.tries, now, mail.retryUntil);
    if (next.retry) {
      await settleMail(deps.prisma, mail, this.workerId, now, { status: 'queued', error, nextTryAt: next.at });
      deps.log.warn(
        { event: `${mail.kind}.retry`, ...context, code, nextTryAt: next.at, retryUntil: mail.retryUntil },
        `${label(mail)} to subscriber ${mail.subscriberId} failed (${code}); trying again at ${next.at.toISOString()}`,
      );
      return;
    }
    const refused = next.reason === 'refused';
    const stored = refused ? error : `${error} (tried ${mail.tries} times until ${mail.retryUntil.toISOString()})`.slice(0, 500);
    await settleMail(deps.prisma, mail, this.workerId, now, { status: 'failed', error: stored });
    deps.log.warn(
      { event: `${mail.kind}.failed`, ...context, code, error, reason: next.reason },
      `${label(mail)} to subscriber ${mail.subscriberId} failed for good ` +
        `(${refused ? `refused: ${code}` : `still ${code} after ${plural(mail.tries, 'try', 'tries')}`}): ` +
        'an operator can send it again (paperboy subscription-mails)',
    );
  }

  private send(mail: ClaimedMail, subscriber: Subscriber): Promise<SendReceipt> {
    switch (mail.kind) {
      case 'confirmation':
        return sendConfirmation(this.deps, subscriber, mail.nonce!);
      case 'preferences_link':
        return sendPreferencesLink(this.deps, subscriber);
      case 'preferences_changed':
        return sendPreferencesChanged(this.deps, subscriber);
    }
  }
}

const label = (mail: ClaimedMail): string => `${mail.kind.replace('_', ' ')} email ${mail.id}`;

/** SMTP replies often quote the recipient ("<ada@example.org>: user unknown"): keep them out of logs and rows. */
const withoutAddresses = (text: string): string => text.replace(/[^\s<>"'@]+@[^\s<>"']+/g, '<address>');
