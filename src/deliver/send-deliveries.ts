// The send step: claim queued deliveries in batches, send them at SEND_CONCURRENCY in parallel and
// at most SEND_RATE_LIMIT a second, and record each outcome with a guarded update. Any number of
// processes may run this at once: claims are row-locked (SKIP LOCKED) and conditional.
// Unlike listmonk's checkpoint, nothing moves before the outcome is recorded: a crash leaves at
// most the in-flight deliveries in `sending`, which are then reported as stuck, never resent.
import PQueue from 'p-queue';
import { claimDeliveries, markFailed, releaseClaims, scheduleRetry, type ClaimedDelivery } from '../db/deliveries.ts';
import { pauseDigest } from '../db/digests.ts';
import type { Sql } from '../db/database.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import { recordHardBounce } from '../db/subscribers.ts';
import { maskEmail, type Logger } from '../log/logger.ts';
import { noMetrics, type Metrics } from '../observe/metrics.ts';
import type { TokenSigner } from '../security/tokens.ts';
import { composeDigestMessage, type ComposeOptions } from './compose-message.ts';
import { renderDelivery, type DigestRenderers } from './digest-renderers.ts';
import { subscriberLinks } from './links.ts';
import { SentWriter } from './sent-writer.ts';
import { SendError, type Mailer } from './types.ts';
import { waitForWork } from './wait-for-work.ts';

export interface SendSettings {
  concurrency: number;
  /** messages per second per process; 0 = no limit */
  rateLimit: number;
  maxErrors: number;
  maxTries: number;
  retryDelayMs: number;
  bounceLimit: number;
  baseUrl: string;
}

export interface SendDeps {
  prisma: PrismaClient;
  /** the same pool as prisma, for the hot statements (claim, record sent) */
  sql: Sql;
  mailer: Mailer;
  log: Logger;
  tokens: TokenSigner;
  renderers: DigestRenderers;
  compose: ComposeOptions;
  settings: SendSettings;
  workerId: string;
  metrics?: Metrics;
}

export interface SendProgress {
  sent: number;
  failed: number;
  retried: number;
}

export interface SendSummary extends SendProgress {
  bounced: number;
  /** digests this run paused after SEND_MAX_ERRORS consecutive failures */
  paused: number[];
}

export interface SendOptions {
  signal?: AbortSignal;
  onProgress?: (progress: SendProgress) => void;
  /** keep waiting for retries that are due later (default true); false: stop when nothing is due */
  waitForRetries?: boolean;
}

export async function sendQueued(deps: SendDeps, options: SendOptions = {}): Promise<SendSummary> {
  const { prisma, log, settings, workerId } = deps;
  const metrics = deps.metrics ?? noMetrics;
  const summary: SendSummary = { sent: 0, failed: 0, retried: 0, bounced: 0, paused: [] };
  const queue = new PQueue({
    concurrency: settings.concurrency,
    ...(settings.rateLimit > 0 ? { intervalCap: settings.rateLimit, interval: 1000 } : {}),
  });
  const writer = new SentWriter(deps.sql, workerId, log);
  const waiting = new Set<number>(); // claimed, not yet started
  const consecutive = new Map<number, number>(); // digest → failures in a row
  const paused = new Set<number>();
  const progress = () => options.onProgress?.({ sent: summary.sent, failed: summary.failed, retried: summary.retried });

  const failed = async (delivery: ClaimedDelivery) => {
    const streak = (consecutive.get(delivery.digestId) ?? 0) + 1;
    consecutive.set(delivery.digestId, streak);
    if (streak < settings.maxErrors || paused.has(delivery.digestId)) return;
    paused.add(delivery.digestId);
    const reason = `${streak} consecutive failed sends (SEND_MAX_ERRORS=${settings.maxErrors})`;
    if (await pauseDigest(prisma, delivery.digestId, reason, new Date())) {
      summary.paused.push(delivery.digestId);
      log.error({ event: 'digest.paused', digestId: delivery.digestId, consecutiveFailures: streak }, `paused digest ${delivery.digestId}: ${reason}`);
    }
  };

  const deliver = async (delivery: ClaimedDelivery) => {
    waiting.delete(delivery.id);
    if (paused.has(delivery.digestId)) {
      await releaseClaims(prisma, workerId, [delivery.id]);
      return;
    }
    // the masked address costs a hash: only for the lines actually written
    const context = () => ({ deliveryId: delivery.id, digestId: delivery.digestId, subscriberId: delivery.subscriberId, to: maskEmail(delivery.email) });
    if (delivery.subscriberStatus !== 'active' || delivery.subscriberPaused) {
      const code = delivery.subscriberPaused && delivery.subscriberStatus === 'active' ? 'subscriber_paused' : `subscriber_${delivery.subscriberStatus}`;
      await markFailed(prisma, workerId, delivery.id, { code, error: 'not sent: the subscriber no longer gets digests', response: null });
      log.info({ event: 'delivery.skipped', ...context(), code }, `delivery ${delivery.id} not sent: ${code}`);
      return;
    }
    let message;
    try {
      const prepared = await deps.renderers.get(delivery.digestId);
      const links = subscriberLinks(deps.tokens, settings.baseUrl, delivery.subscriberId);
      message = composeDigestMessage(deps.compose, delivery, renderDelivery(prepared, delivery.email, delivery.papers, links), links);
    } catch (err) {
      await markFailed(prisma, workerId, delivery.id, { code: 'render_failed', error: (err as Error).message, response: null });
      summary.failed++;
      log.error({ event: 'delivery.failed', ...context(), code: 'render_failed', err }, `delivery ${delivery.id} could not be rendered`);
      return;
    }
    const sending = performance.now();
    try {
      const receipt = await deps.mailer.send(message);
      metrics.deliverySent((performance.now() - sending) / 1000);
      consecutive.set(delivery.digestId, 0);
      const recorded = writer.add(delivery.id, receipt.response);
      if (writer.backlogged) await recorded; // the database is behind: let it catch up
      summary.sent++;
      if (log.isLevelEnabled('info')) log.info({ event: 'delivery.sent', ...context(), messageId: delivery.messageId, response: receipt.response }, `sent delivery ${delivery.id}`);
    } catch (err) {
      const error = err instanceof SendError ? err : new SendError('EUNKNOWN', (err as Error).message);
      const failure = { code: error.storedCode, error: error.message, response: error.response };
      metrics.smtpError(failure.code);
      if (!error.permanent && delivery.tries + 1 < settings.maxTries) {
        const delay = settings.retryDelayMs * 2 ** delivery.tries;
        await scheduleRetry(prisma, workerId, delivery.id, delay, failure);
        summary.retried++;
        log.warn({ event: 'delivery.retry', ...context(), code: failure.code, tries: delivery.tries + 1, delayMs: delay }, `delivery ${delivery.id}: ${error.message}; retrying in ${delay} ms`);
      } else {
        await markFailed(prisma, workerId, delivery.id, failure);
        summary.failed++;
        log.warn({ event: 'delivery.failed', ...context(), code: failure.code, response: failure.response }, `delivery ${delivery.id} failed: ${error.message}`);
        if (error.hardBounce && (await recordHardBounce(prisma, delivery.subscriberId, settings.bounceLimit, new Date()))) {
          summary.bounced++;
          log.warn({ event: 'subscriber.bounced', subscriberId: delivery.subscriberId, to: maskEmail(delivery.email) }, `subscriber ${delivery.subscriberId} is now bounced`);
        }
      }
      await failed(delivery);
    }
    progress();
  };

  const batch = Math.max(settings.concurrency * 4, 32);
  const domain = new URL(settings.baseUrl).hostname || 'localhost';
  try {
    while (!options.signal?.aborted) {
      if (queue.size >= batch / 2) {
        await queue.onSizeLessThan(batch / 2);
        continue;
      }
      const claimed = await claimDeliveries(deps.sql, workerId, batch - queue.size, domain);
      if (claimed.length === 0) {
        const more = await waitForWork(prisma, queue, options.signal, options.waitForRetries ?? true);
        if (!more) break;
        continue;
      }
      for (const delivery of claimed) {
        waiting.add(delivery.id);
        void queue.add(() => deliver(delivery)).catch((err) => log.error({ event: 'delivery.error', deliveryId: delivery.id, err }, 'unexpected error while sending'));
      }
    }
  } finally {
    // Stop: what is claimed but not started goes back to the queue untouched; what is in flight ends.
    queue.clear();
    await releaseClaims(prisma, workerId, [...waiting]).catch((err) => log.error({ event: 'delivery.release_failed', err }, 'could not release claims'));
    await queue.onIdle();
    await writer.close();
  }
  return summary;
}
