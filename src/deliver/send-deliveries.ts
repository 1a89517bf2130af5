// The send step: claim queued deliveries in batches, send them at SEND_CONCURRENCY in parallel and
// at most SEND_RATE_LIMIT a second, and record each outcome with a guarded update. Any number of
// processes may run this at once: claims are row-locked (SKIP LOCKED) and conditional.
// Each message's data goes to the relay only once its `handed` mark is committed (handover.ts), so:
//   - a claim that never reached the relay is released (by this worker, or a recovery if it died);
//   - a send that failed before the end of its data is definite (retried, or failed);
//   - one whose final reply never came is `unknown`: never retried here, an operator decides.
// When a record cannot be written (the database went away), nothing new is handed over until it can.
// This file claims; send-run.ts sends and records, as delivery-decisions.ts decides.
import { claimDeliveries, type ClaimedDelivery } from '../db/deliveries.ts';
import type { Logger } from '../log/logger.ts';
import { claimRetryDelay } from './delivery-decisions.ts';
import { SendRun, type SendDeps, type SendOptions, type SendSummary } from './send-run.ts';
import { untilAborted, waitForWork } from './wait-for-work.ts';

export { emptySummary, type SendDeps, type SenderWorker, type SendSummary } from './send-run.ts';

export async function sendQueued(deps: SendDeps, options: SendOptions = {}): Promise<SendSummary> {
  const run = new SendRun(deps, options);
  try {
    await new Claimer(deps, options, run).loop();
  } finally {
    // Stop: what is claimed but not started goes back to the queue untouched; what is in flight ends
    // (or is cut by abortSends); then every record is written (or given up with giveUpRecording).
    await run.finish();
  }
  return run.summary;
}

/**
 * Where the next claim starts: after the highest id this sender claimed, and from the start of the
 * queue when that pass ends (nothing left after it) or SWEEP_MS after the last start — for what came
 * due behind the cursor (a retry, a claim another sender released). From the cursor a claim costs the
 * same at the millionth delivery as at the first (claimDeliveries).
 */
export class ClaimCursor {
  private last = 0;
  private sweptAt: number;

  constructor(
    private readonly sweepMs = SWEEP_MS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.sweptAt = now();
  }

  /** the id the next claim starts after */
  from(): number {
    if (this.last > 0 && this.now() - this.sweptAt >= this.sweepMs) this.last = 0;
    if (this.last === 0) this.sweptAt = this.now();
    return this.last;
  }

  /** a claim from `from` took these ids (ascending); true when the pass ended and the next claim starts over */
  took(from: number, ids: readonly number[]): boolean {
    if (ids.length > 0) this.last = ids[ids.length - 1]!;
    else this.last = 0;
    return ids.length === 0 && from > 0;
  }
}

const SWEEP_MS = 10_000;

/** Claims while the run lasts: a batch at a time, as the sends make room, and only while records can be written. */
class Claimer {
  private readonly batch: number;
  private readonly domain: string;
  private readonly patience: number;
  /** since when the database has been away (claims or records failing), if it is */
  private awaySince: number | null = null;
  private lastMaintenance = performance.now();
  private readonly cursor = new ClaimCursor();
  private readonly log: Logger;

  constructor(
    private readonly deps: SendDeps,
    private readonly options: SendOptions,
    private readonly run: SendRun,
  ) {
    this.batch = Math.max(deps.settings.concurrency * 4, 32);
    this.domain = new URL(deps.settings.baseUrl).hostname || 'localhost';
    this.patience = options.databasePatienceMs ?? 60_000;
    this.log = deps.log;
  }

  async loop(): Promise<void> {
    const { run, options } = this;
    while (!run.stopping()) {
      if (run.queue.size >= this.batch / 2) {
        await untilAborted(run.queue.onSizeLessThan(this.batch / 2), options.signal);
        continue;
      }
      // hand nothing new over while this worker is away or a record cannot be written
      if (!this.deps.worker.alive || run.writer.failing) {
        await this.waitForDatabase();
        continue;
      }
      const claimed = await this.claim();
      if (claimed === 'done') break;
      for (const delivery of claimed) run.add(delivery);
    }
  }

  /** A batch of claims; none when the database is away (after a wait) or nothing was due; 'done' when nothing more will be. */
  private async claim(): Promise<ClaimedDelivery[] | 'done'> {
    const { deps, run, options } = this;
    try {
      await this.maintain();
      const from = this.cursor.from();
      const claimed = await claimDeliveries(deps.sql, deps.worker.id, this.batch - run.queue.size, this.domain, from);
      if (
        this.cursor.took(
          from,
          claimed.map((d) => d.id),
        )
      )
        return []; // the pass ended: once more from the start
      if (claimed.length === 0 && !(await waitForWork(deps.sql, run.queue, options.signal, options.waitForRetries ?? true))) return 'done';
      this.awaySince = null;
      return claimed;
    } catch (err) {
      // The database is away (restarting, unreachable): claim nothing, let the sends in flight end,
      // and look again with backoff until it is back or patience runs out.
      if (this.awaySince === null)
        this.log.error({ event: 'sender.database_unavailable', err }, `cannot claim deliveries: ${(err as Error).message}; trying again`);
      const away = this.away();
      if (away > this.patience) throw err;
      await untilAborted(sleep(claimRetryDelay(away)), options.signal);
      return [];
    }
  }

  /** This worker lost its lock, or records fail: wait until it is back (at most a second at a time), or give up after patience. */
  private async waitForDatabase(): Promise<void> {
    const away = this.away();
    if (away > this.patience) throw new Error(`the database has been unavailable for ${Math.round(away / 1000)} s: stopped sending`);
    const { worker } = this.deps;
    const back = worker.alive ? this.run.writer.whenHealthy(this.options.signal) : worker.whenAlive();
    await untilAborted(Promise.race([back, sleep(1_000)]), this.options.signal);
  }

  private away(): number {
    const now = Date.now();
    return now - (this.awaySince ??= now);
  }

  private async maintain(): Promise<void> {
    const { maintenance, maintenanceMs } = this.options;
    if (!maintenance || performance.now() - this.lastMaintenance < (maintenanceMs ?? 15_000)) return;
    this.lastMaintenance = performance.now();
    await maintenance();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
