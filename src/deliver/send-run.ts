// One run of the digest sender (send-deliveries.ts claims, this sends): each claimed delivery is
// rendered, handed over and sent at SEND_CONCURRENCY in parallel and at most SEND_RATE_LIMIT a
// second, and its outcome recorded with a guarded update (record-writer.ts). What each outcome
// records is decided in delivery-decisions.ts; this file does it: the IO around those decisions.
import PQueue from 'p-queue';
import type { ClaimedDelivery } from '../db/deliveries.ts';
import type { Sql } from '../db/database.ts';
import { pauseDigest } from '../db/digests.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import { recordHardBounce } from '../db/subscribers.ts';
import { maskEmail, type Logger } from '../log/logger.ts';
import type { FailureDetail, Held } from '../model/delivery.ts';
import { noMetrics, type Metrics } from '../observe/metrics.ts';
import type { TokenSigner } from '../security/tokens.ts';
import type { VerpSigner } from '../security/verp.ts';
import { composeDigestMessage, type ComposeOptions } from './compose-message.ts';
import { decideAfterFailure, decideBeforeSend, FailureStreaks, NOTHING_NEW } from './delivery-decisions.ts';
import { renderDelivery, type DigestRenderers } from './digest-renderers.ts';
import { Handover } from './handover.ts';
import { readerLinks, subscriberLinks } from './links.ts';
import type { BackoffPolicy } from './queue/backoff.ts';
import { asSendError } from './queue/outcome.ts';
import { RecordWriter } from './record-writer.ts';
import type { Mailer, OutgoingMessage, SendError } from './types.ts';

interface SendSettings {
  concurrency: number;
  /** messages per second per process; 0 = no limit */
  rateLimit: number;
  maxErrors: number;
  maxTries: number;
  retryDelayMs: number;
  bounceLimit: number;
  baseUrl: string;
}

/** The process as a worker: its id, and whether it holds its lock now (worker-liveness.ts). */
export interface SenderWorker {
  readonly id: string;
  readonly alive: boolean;
  whenAlive(): Promise<boolean>;
}

export interface SendDeps {
  prisma: PrismaClient;
  /** the same pool as prisma, for the hot statements (claim, hand, record) */
  sql: Sql;
  mailer: Mailer;
  log: Logger;
  tokens: TokenSigner;
  renderers: DigestRenderers;
  compose: ComposeOptions;
  settings: SendSettings;
  worker: SenderWorker;
  metrics?: Metrics;
  /** BOUNCE_DOMAIN set: a signed return path per delivery and a mailto: unsubscribe */
  verp?: VerpSigner | null;
}

interface SendProgress {
  sent: number;
  failed: number;
  retried: number;
  unknown: number;
}

export interface SendSummary extends SendProgress {
  bounced: number;
  /** never mailed: every paper of them had reached the reader in another delivery (status skipped, nothing_new) */
  skipped: number;
  /** digests this run paused after SEND_MAX_ERRORS consecutive failures */
  paused: number[];
  /** claims given back untouched (a stop, a paused digest, a send cut before its data ended) */
  released: number;
  /** deliveries whose outcome this run could not record (the database stayed away) */
  unrecorded: number;
}

export interface SendOptions {
  /** stop claiming; the sends in flight go on */
  signal?: AbortSignal;
  /** stop the sends in flight now: cut before the end of their data they are released, after it unknown */
  abortSends?: AbortSignal;
  /** stop trying to write records that fail (they stay for a recovery to settle) */
  giveUpRecording?: AbortSignal;
  onProgress?: (progress: SendProgress) => void;
  /** keep waiting for retries that are due later (default true); false: stop when nothing is due */
  waitForRetries?: boolean;
  /** without giveUpRecording: how long failing records are tried again once sending ended (default 60 s) */
  recordPatienceMs?: number;
  /** how long claiming may keep failing (the database away) before the run gives up (default 60 s) */
  databasePatienceMs?: number;
  /** run now and then during a long run (a recovery of what gone workers left), at most every maintenanceMs */
  maintenance?: () => Promise<unknown>;
  maintenanceMs?: number;
}

export function emptySummary(): SendSummary {
  return { sent: 0, failed: 0, retried: 0, unknown: 0, bounced: 0, skipped: 0, paused: [], released: 0, unrecorded: 0 };
}

type Context = () => Record<string, unknown>;

export class SendRun {
  readonly summary = emptySummary();
  readonly queue: PQueue;
  readonly writer: RecordWriter;
  private readonly handover: Handover;
  /** claimed, not yet started */
  private readonly waiting = new Map<number, Held>();
  private readonly streaks: FailureStreaks;
  private readonly backoff: BackoffPolicy;
  private readonly metrics: Metrics;

  constructor(
    private readonly deps: SendDeps,
    private readonly options: SendOptions,
  ) {
    const { settings, worker } = deps;
    this.queue = new PQueue({ concurrency: settings.concurrency, ...(settings.rateLimit > 0 ? { intervalCap: settings.rateLimit, interval: 1000 } : {}) });
    this.writer = new RecordWriter({ sql: deps.sql, workerId: worker.id, log: deps.log });
    this.handover = new Handover(deps.sql, worker);
    this.streaks = new FailureStreaks(settings.maxErrors);
    this.backoff = { firstDelayMs: settings.retryDelayMs, maxDelayMs: Infinity, maxTries: settings.maxTries };
    this.metrics = deps.metrics ?? noMetrics;
  }

  stopping(): boolean {
    return this.options.signal?.aborted === true || this.options.abortSends?.aborted === true;
  }

  /** Sends a claimed delivery in its turn. */
  add(delivery: ClaimedDelivery): void {
    this.waiting.set(delivery.id, delivery);
    void this.queue
      .add(() => this.deliver(delivery))
      .catch((err) => this.deps.log.error({ event: 'delivery.error', deliveryId: delivery.id, err }, 'unexpected error while sending'));
  }

  /**
   * The run ends: what is claimed but not started goes back to the queue untouched; what is in flight
   * ends (or is cut by abortSends); then every record is written (or given up with giveUpRecording).
   */
  async finish(): Promise<void> {
    this.queue.clear();
    this.summary.released += await this.writer.release([...this.waiting.values()]);
    this.waiting.clear();
    await this.queue.onIdle();
    const giveUp = this.options.giveUpRecording ?? AbortSignal.timeout(this.options.recordPatienceMs ?? 60_000);
    await this.writer.close(giveUp);
    this.summary.unrecorded = this.writer.unrecorded.length;
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    this.waiting.delete(delivery.id);
    if (this.streaks.isPaused(delivery.digestId) || this.stopping()) return this.release(delivery);
    const { log } = this.deps;
    // the masked address costs a hash: only for the lines actually written
    const context = () => ({ deliveryId: delivery.id, digestId: delivery.digestId, subscriberId: delivery.subscriberId, to: maskEmail(delivery.email) });
    const before = decideBeforeSend(delivery);
    if (before.kind === 'reader-left') {
      await this.writer.failed(delivery, { code: before.code, error: 'not sent: the subscriber no longer gets digests', response: null });
      log.info({ event: 'delivery.skipped', ...context(), code: before.code }, `delivery ${delivery.id} not sent: ${before.code}`);
      return;
    }
    if (before.kind === 'nothing-new') {
      await this.writer.skipped(delivery, { code: NOTHING_NEW, error: 'not sent: the reader got every paper of it in another delivery (or is getting it)' });
      this.summary.skipped++;
      log.info({ event: 'delivery.skipped', ...context(), code: NOTHING_NEW }, `delivery ${delivery.id} not sent: nothing new for this reader`);
      return;
    }
    const message = await this.compose(delivery, context);
    if (!message) return;
    await this.send(delivery, message, context);
    this.progress();
  }

  /** The delivery's message, rendered from its frozen digest; null when it could not be (recorded failed). */
  private async compose(delivery: ClaimedDelivery, context: Context): Promise<OutgoingMessage | null> {
    const { deps } = this;
    const { baseUrl } = deps.settings;
    try {
      const prepared = await deps.renderers.get(delivery.digestId);
      const links = subscriberLinks(deps.tokens, baseUrl, delivery.subscriberId);
      const reader = readerLinks(deps.tokens, baseUrl, delivery.subscriberId, delivery.id);
      const bounce = deps.verp
        ? { returnPath: deps.verp.bounceAddress(delivery.id, delivery.attempt), unsubscribeMailto: deps.verp.unsubscribeAddress(delivery.subscriberId) }
        : undefined;
      const content = renderDelivery(prepared, delivery.email, delivery.papers, links, reader, delivery.frequency);
      return composeDigestMessage(deps.compose, delivery, content, links, bounce);
    } catch (err) {
      await this.writer.failed(delivery, { code: 'render_failed', error: (err as Error).message, response: null });
      this.summary.failed++;
      deps.log.error({ event: 'delivery.failed', ...context(), code: 'render_failed', err }, `delivery ${delivery.id} could not be rendered`);
      return null;
    }
  }

  /** Hands the delivery over (its data waits for the committed mark) and sends it; records the outcome. */
  private async send(delivery: ClaimedDelivery, message: OutgoingMessage, context: Context): Promise<void> {
    const { deps, writer } = this;
    const started = performance.now();
    try {
      const receipt = await deps.mailer.send(message, {
        beforeData: () => this.handover.mark(delivery),
        ...(this.options.abortSends ? { signal: this.options.abortSends } : {}),
      });
      this.metrics.deliverySent((performance.now() - started) / 1000);
      this.streaks.succeeded(delivery.digestId);
      const recorded = writer.sent(delivery, receipt.response);
      if (writer.backlogged) await recorded; // the database is behind: let it catch up
      this.summary.sent++;
      if (deps.log.isLevelEnabled('info'))
        deps.log.info({ event: 'delivery.sent', ...context(), messageId: delivery.messageId, response: receipt.response }, `sent delivery ${delivery.id}`);
    } catch (err) {
      await this.settle(delivery, asSendError(err), context);
    }
  }

  /** Records a send that did not end in `sent`, as decideAfterFailure says. */
  private async settle(delivery: ClaimedDelivery, error: SendError, context: Context): Promise<void> {
    const { log } = this.deps;
    const step = decideAfterFailure(error, delivery.tries, this.backoff, new Date());
    switch (step.kind) {
      case 'not-handed':
        // never handed: nothing went out. A claim taken away is someone else's now; otherwise give it back
        // (PapersTakenError: papers of it reached the reader since the claim; the next claim leaves them out)
        if (step.release) await this.release(delivery);
        log.warn({ event: 'delivery.not_handed', ...context(), reason: error.message }, `delivery ${delivery.id} was not handed over: ${error.message}`);
        return;
      case 'release':
        return this.release(delivery);
      case 'unknown':
        await this.writer.unknown(delivery, step.detail);
        this.summary.unknown++;
        this.metrics.smtpError(step.metric);
        log.error(
          { event: 'delivery.unknown', ...context(), messageId: delivery.messageId, code: step.detail.code, exchange: step.detail.exchange },
          `delivery ${delivery.id}: no final reply after its data (${error.message}); ` +
            `check the relay's log for ${delivery.messageId}, then \`paperboy resolve ${delivery.id} --sent\` or \`--resend\``,
        );
        if (step.countsAsFailure) await this.failedInARow(delivery);
        return;
      case 'retry':
        this.metrics.smtpError(step.failure.code);
        await this.writer.retry(delivery, step.delayMs, step.failure);
        this.summary.retried++;
        log.warn(
          { event: 'delivery.retry', ...context(), code: step.failure.code, tries: step.tries, delayMs: step.delayMs },
          `delivery ${delivery.id}: ${error.message}; retrying in ${step.delayMs} ms`,
        );
        return this.failedInARow(delivery);
      case 'failed':
        this.metrics.smtpError(step.failure.code);
        await this.fail(delivery, step.failure, step.hardBounce, context);
        return this.failedInARow(delivery);
    }
  }

  /** → failed with its reply; a refused recipient counts towards the subscriber's BOUNCE_LIMIT. */
  private async fail(delivery: ClaimedDelivery, failure: FailureDetail, hardBounce: boolean, context: Context): Promise<void> {
    const { deps } = this;
    await this.writer.failed(delivery, failure);
    this.summary.failed++;
    deps.log.warn(
      { event: 'delivery.failed', ...context(), code: failure.code, response: failure.response },
      `delivery ${delivery.id} failed: ${failure.error}`,
    );
    if (!hardBounce || !(await recordHardBounce(deps.prisma, delivery.subscriberId, deps.settings.bounceLimit, new Date()).catch(() => false))) return;
    this.summary.bounced++;
    deps.log.warn(
      { event: 'subscriber.bounced', subscriberId: delivery.subscriberId, to: maskEmail(delivery.email) },
      `subscriber ${delivery.subscriberId} is now bounced`,
    );
  }

  /** One more failure of its digest in a row: the SEND_MAX_ERRORS-th pauses the digest. */
  private async failedInARow(delivery: ClaimedDelivery): Promise<void> {
    const streak = this.streaks.failed(delivery.digestId);
    if (streak === null) return;
    const { maxErrors } = this.deps.settings;
    const reason = `${streak} consecutive failed sends (SEND_MAX_ERRORS=${maxErrors})`;
    if (!(await pauseDigest(this.deps.prisma, delivery.digestId, reason, new Date()).catch(() => false))) return;
    this.summary.paused.push(delivery.digestId);
    this.deps.log.error({ event: 'digest.paused', digestId: delivery.digestId, consecutiveFailures: streak }, `paused digest ${delivery.digestId}: ${reason}`);
  }

  private async release(delivery: ClaimedDelivery): Promise<void> {
    this.summary.released += await this.writer.release([delivery]);
  }

  private progress(): void {
    const { sent, failed, retried, unknown } = this.summary;
    this.options.onProgress?.({ sent, failed, retried, unknown });
  }
}
