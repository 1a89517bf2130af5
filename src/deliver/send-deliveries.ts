// The send step: claim queued deliveries in batches, send them at SEND_CONCURRENCY in parallel and
// at most SEND_RATE_LIMIT a second, and record each outcome with a guarded update. Any number of
// processes may run this at once: claims are row-locked (SKIP LOCKED) and conditional.
// Each message's data goes to the relay only once its `handed` mark is committed (handover.ts), so:
//   - a claim that never reached the relay is released (by this worker, or a recovery if it died);
//   - a send that failed before the end of its data is definite (retried, or failed);
//   - one whose final reply never came is `unknown`: never retried here, an operator decides.
// When a record cannot be written (the database went away), nothing new is handed over until it can.
import PQueue from 'p-queue';
import { claimDeliveries, type ClaimedDelivery } from '../db/deliveries.ts';
import type { Held } from '../model/delivery.ts';
import { pauseDigest } from '../db/digests.ts';
import type { Sql } from '../db/database.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import { recordHardBounce } from '../db/subscribers.ts';
import { maskEmail, type Logger } from '../log/logger.ts';
import { noMetrics, type Metrics } from '../observe/metrics.ts';
import type { TokenSigner } from '../security/tokens.ts';
import type { VerpSigner } from '../security/verp.ts';
import { composeDigestMessage, type ComposeOptions } from './compose-message.ts';
import { renderDelivery, type DigestRenderers } from './digest-renderers.ts';
import { ClaimLostError, Handover } from './handover.ts';
import { readerLinks, subscriberLinks } from './links.ts';
import { RecordWriter } from './record-writer.ts';
import { SendError, type Mailer } from './types.ts';
import { untilAborted, waitForWork } from './wait-for-work.ts';

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

/** The code of a delivery skipped because its reader got all of it in other deliveries. */
const NOTHING_NEW = 'nothing_new';

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

/** What a stored unknown says about a send that ended after its data with no reply. */
function unknownDetail(error: SendError) {
  const code = error.code === 'EABORTED' ? 'STOPPED' : error.code === 'ETIMEDOUT' ? 'NO_REPLY' : 'DROPPED_AFTER_DATA';
  return { code, error: error.message, exchange: error.exchange ?? 'the message data and its final "." were sent; no reply' };
}

export async function sendQueued(deps: SendDeps, options: SendOptions = {}): Promise<SendSummary> {
  const { prisma, log, settings, worker } = deps;
  const metrics = deps.metrics ?? noMetrics;
  const summary = emptySummary();
  const queue = new PQueue({
    concurrency: settings.concurrency,
    ...(settings.rateLimit > 0 ? { intervalCap: settings.rateLimit, interval: 1000 } : {}),
  });
  const writer = new RecordWriter({ sql: deps.sql, workerId: worker.id, log });
  const handover = new Handover(deps.sql, worker);
  const waiting = new Map<number, Held>(); // claimed, not yet started
  const consecutive = new Map<number, number>(); // digest → failures in a row
  const paused = new Set<number>();
  const progress = () => options.onProgress?.({ sent: summary.sent, failed: summary.failed, retried: summary.retried, unknown: summary.unknown });
  const stopping = () => options.signal?.aborted === true || options.abortSends?.aborted === true;

  const failedInARow = async (delivery: ClaimedDelivery) => {
    const streak = (consecutive.get(delivery.digestId) ?? 0) + 1;
    consecutive.set(delivery.digestId, streak);
    if (streak < settings.maxErrors || paused.has(delivery.digestId)) return;
    paused.add(delivery.digestId);
    const reason = `${streak} consecutive failed sends (SEND_MAX_ERRORS=${settings.maxErrors})`;
    if (await pauseDigest(prisma, delivery.digestId, reason, new Date()).catch(() => false)) {
      summary.paused.push(delivery.digestId);
      log.error({ event: 'digest.paused', digestId: delivery.digestId, consecutiveFailures: streak }, `paused digest ${delivery.digestId}: ${reason}`);
    }
  };

  const release = async (delivery: ClaimedDelivery) => {
    summary.released += await writer.release([delivery]);
  };

  const deliver = async (delivery: ClaimedDelivery) => {
    waiting.delete(delivery.id);
    if (paused.has(delivery.digestId) || stopping()) return release(delivery);
    // the masked address costs a hash: only for the lines actually written
    const context = () => ({ deliveryId: delivery.id, digestId: delivery.digestId, subscriberId: delivery.subscriberId, to: maskEmail(delivery.email) });
    if (delivery.subscriberStatus !== 'active' || delivery.subscriberPaused || delivery.subscriberFeedOnly) {
      const code =
        delivery.subscriberStatus !== 'active'
          ? `subscriber_${delivery.subscriberStatus}`
          : delivery.subscriberPaused
            ? 'subscriber_paused'
            : 'subscriber_feed_only';
      await writer.failed(delivery, { code, error: 'not sent: the subscriber no longer gets digests', response: null });
      log.info({ event: 'delivery.skipped', ...context(), code }, `delivery ${delivery.id} not sent: ${code}`);
      return;
    }
    if (delivery.papers.length === 0) {
      await writer.skipped(delivery, { code: NOTHING_NEW, error: 'not sent: the reader got every paper of it in another delivery (or is getting it)' });
      summary.skipped++;
      log.info({ event: 'delivery.skipped', ...context(), code: NOTHING_NEW }, `delivery ${delivery.id} not sent: nothing new for this reader`);
      return;
    }
    let message;
    try {
      const prepared = await deps.renderers.get(delivery.digestId);
      const links = subscriberLinks(deps.tokens, settings.baseUrl, delivery.subscriberId);
      const reader = readerLinks(deps.tokens, settings.baseUrl, delivery.subscriberId, delivery.id);
      const bounce = deps.verp
        ? { returnPath: deps.verp.bounceAddress(delivery.id, delivery.attempt), unsubscribeMailto: deps.verp.unsubscribeAddress(delivery.subscriberId) }
        : undefined;
      message = composeDigestMessage(
        deps.compose,
        delivery,
        renderDelivery(prepared, delivery.email, delivery.papers, links, reader, delivery.frequency),
        links,
        bounce,
      );
    } catch (err) {
      await writer.failed(delivery, { code: 'render_failed', error: (err as Error).message, response: null });
      summary.failed++;
      log.error({ event: 'delivery.failed', ...context(), code: 'render_failed', err }, `delivery ${delivery.id} could not be rendered`);
      return;
    }
    const started = performance.now();
    try {
      const receipt = await deps.mailer.send(message, {
        beforeData: () => handover.mark(delivery),
        ...(options.abortSends ? { signal: options.abortSends } : {}),
      });
      metrics.deliverySent((performance.now() - started) / 1000);
      consecutive.set(delivery.digestId, 0);
      const recorded = writer.sent(delivery, receipt.response);
      if (writer.backlogged) await recorded; // the database is behind: let it catch up
      summary.sent++;
      if (log.isLevelEnabled('info'))
        log.info({ event: 'delivery.sent', ...context(), messageId: delivery.messageId, response: receipt.response }, `sent delivery ${delivery.id}`);
    } catch (err) {
      await settle(delivery, err instanceof SendError ? err : new SendError('EUNKNOWN', (err as Error).message), context);
    }
    progress();
  };

  /** Records a send that did not end in `sent`. */
  const settle = async (delivery: ClaimedDelivery, error: SendError, context: () => Record<string, unknown>) => {
    if (error.code === 'EHANDOVER') {
      const lost = error.cause instanceof ClaimLostError;
      // never handed: nothing went out. A claim taken away is someone else's now; otherwise give it back
      // (PapersTakenError: papers of it reached the reader since the claim; the next claim leaves them out)
      if (!lost) await release(delivery);
      log.warn({ event: 'delivery.not_handed', ...context(), reason: error.message }, `delivery ${delivery.id} was not handed over: ${error.message}`);
      return;
    }
    if (error.code === 'EABORTED' && !error.unknownOutcome) return release(delivery);
    if (error.unknownOutcome || (error.code === 'EABORTED' && error.stage === 'after-data')) {
      const detail = unknownDetail(error);
      await writer.unknown(delivery, detail);
      summary.unknown++;
      metrics.smtpError(detail.code === 'NO_REPLY' ? 'ETIMEDOUT' : 'ECONNECTION');
      log.error(
        { event: 'delivery.unknown', ...context(), messageId: delivery.messageId, code: detail.code, exchange: detail.exchange },
        `delivery ${delivery.id}: no final reply after its data (${error.message}); check the relay's log for ${delivery.messageId}, then \`paperboy resolve ${delivery.id} --sent\` or \`--resend\``,
      );
      if (error.code !== 'EABORTED') await failedInARow(delivery);
      return;
    }
    const failure = { code: error.storedCode, error: error.message, response: error.response };
    metrics.smtpError(failure.code);
    if (!error.permanent && delivery.tries + 1 < settings.maxTries) {
      const delay = settings.retryDelayMs * 2 ** delivery.tries;
      await writer.retry(delivery, delay, failure);
      summary.retried++;
      log.warn(
        { event: 'delivery.retry', ...context(), code: failure.code, tries: delivery.tries + 1, delayMs: delay },
        `delivery ${delivery.id}: ${error.message}; retrying in ${delay} ms`,
      );
    } else {
      await writer.failed(delivery, failure);
      summary.failed++;
      log.warn({ event: 'delivery.failed', ...context(), code: failure.code, response: failure.response }, `delivery ${delivery.id} failed: ${error.message}`);
      if (error.hardBounce && (await recordHardBounce(prisma, delivery.subscriberId, settings.bounceLimit, new Date()).catch(() => false))) {
        summary.bounced++;
        log.warn(
          { event: 'subscriber.bounced', subscriberId: delivery.subscriberId, to: maskEmail(delivery.email) },
          `subscriber ${delivery.subscriberId} is now bounced`,
        );
      }
    }
    await failedInARow(delivery);
  };

  let lastMaintenance = performance.now();
  const maintain = async () => {
    if (!options.maintenance || performance.now() - lastMaintenance < (options.maintenanceMs ?? 15_000)) return;
    lastMaintenance = performance.now();
    await options.maintenance();
  };

  let awaySince: number | null = null;
  const patience = options.databasePatienceMs ?? 60_000;
  const batch = Math.max(settings.concurrency * 4, 32);
  const domain = new URL(settings.baseUrl).hostname || 'localhost';
  try {
    while (!stopping()) {
      if (queue.size >= batch / 2) {
        await untilAborted(queue.onSizeLessThan(batch / 2), options.signal);
        continue;
      }
      // hand nothing new over while this worker is away or a record cannot be written
      if (!worker.alive || writer.failing) {
        const away = Date.now() - (awaySince ??= Date.now());
        if (away > patience) throw new Error(`the database has been unavailable for ${Math.round(away / 1000)} s: stopped sending`);
        const back = worker.alive ? writer.whenHealthy(options.signal) : worker.whenAlive();
        await untilAborted(Promise.race([back, new Promise((r) => setTimeout(r, 1_000))]), options.signal);
        continue;
      }
      let claimed: ClaimedDelivery[];
      try {
        await maintain();
        claimed = await claimDeliveries(deps.sql, worker.id, batch - queue.size, domain);
        if (claimed.length === 0 && !(await waitForWork(deps.sql, queue, options.signal, options.waitForRetries ?? true))) break;
        awaySince = null;
      } catch (err) {
        // The database is away (restarting, unreachable): claim nothing, let the sends in flight end,
        // and look again with backoff until it is back or patience runs out.
        const now = Date.now();
        if (awaySince === null) log.error({ event: 'sender.database_unavailable', err }, `cannot claim deliveries: ${(err as Error).message}; trying again`);
        const away = now - (awaySince ??= now);
        if (away > patience) throw err;
        await untilAborted(new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** Math.floor(away / 1_000)))), options.signal);
        continue;
      }
      if (claimed.length === 0) continue;
      for (const delivery of claimed) {
        waiting.set(delivery.id, delivery);
        void queue
          .add(() => deliver(delivery))
          .catch((err) => log.error({ event: 'delivery.error', deliveryId: delivery.id, err }, 'unexpected error while sending'));
      }
    }
  } finally {
    // Stop: what is claimed but not started goes back to the queue untouched; what is in flight ends
    // (or is cut by abortSends); then every record is written (or given up with giveUpRecording).
    queue.clear();
    summary.released += await writer.release([...waiting.values()]);
    waiting.clear();
    await queue.onIdle();
    const giveUp = options.giveUpRecording ?? AbortSignal.timeout(options.recordPatienceMs ?? 60_000);
    await writer.close(giveUp);
    summary.unrecorded = writer.unrecorded.length;
  }
  return summary;
}
