// Records what happened to each delivery a sender held: `sent` in small batches (one statement per
// batch: status, mailed papers and the attempt together, so the log keeps up with a fast relay),
// the rest one guarded statement each. A write that fails (the database went away) is tried again
// with backoff until it succeeds or the sender gives up at its stop deadline; meanwhile `failing` is
// true and the sender hands nothing new over. What could not be written stays claimed or handed in
// the database, where a recovery settles it (claimed → queued, handed → unknown), and is logged here
// with what this process knew (`delivery.record_failed`: ids and the relay's replies).
import { markFailed, markSent, markUnknown, releaseClaims, scheduleRetry, type UnknownDetail } from '../db/deliveries.ts';
import type { FailureDetail, Held } from '../model/delivery.ts';
import type { Sql } from '../db/database.ts';
import { markSkipped } from '../db/hand-over.ts';
import type { Logger } from '../log/logger.ts';
import { untilAborted } from './wait-for-work.ts';
import { plural } from '../log/plural.ts';

interface PendingSent extends Held {
  response: string;
  done: () => void;
}

export interface RecordWriterOptions {
  sql: Sql;
  workerId: string;
  log: Logger;
  maxBatch?: number;
  maxDelayMs?: number;
  /** first delay before a failed write is tried again (doubled up to maxRetryDelayMs) */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

export class RecordWriter {
  private pending: PendingSent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly writes = new Set<Promise<unknown>>();
  private unwritten = 0;
  private failures = 0;
  private healthyWaiters: Array<() => void> = [];
  private readonly giveUp = new AbortController();
  private readonly sql: Sql;
  private readonly workerId: string;
  private readonly log: Logger;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  /** deliveries whose outcome could not be recorded (given up) */
  readonly unrecorded: number[] = [];

  constructor(options: RecordWriterOptions) {
    this.sql = options.sql;
    this.workerId = options.workerId;
    this.log = options.log;
    this.maxBatch = options.maxBatch ?? 50;
    this.maxDelayMs = options.maxDelayMs ?? 25;
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 2_000;
  }

  /** Accepted by the relay but not yet recorded: a sender should wait before sending more. */
  get backlogged(): boolean {
    return this.unwritten >= this.maxBatch * 4;
  }

  /** A write is failing and being tried again: hand nothing new over. */
  get failing(): boolean {
    return this.failures > 0;
  }

  /** Resolves when no write is failing (or the signal aborts). */
  async whenHealthy(signal?: AbortSignal): Promise<void> {
    if (!this.failing) return;
    await untilAborted(new Promise<void>((resolve) => this.healthyWaiters.push(resolve)), signal);
  }

  /**
   * Queues this delivery's `sent` for the next batch. The returned promise resolves once it is
   * written (or given up); a sender need not wait for it, except when `backlogged`.
   */
  sent(held: Held, response: string): Promise<void> {
    return new Promise((done) => {
      this.pending.push({ id: held.id, attempt: held.attempt, response, done });
      this.unwritten++;
      if (this.pending.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs);
    });
  }

  failed(held: Held, failure: FailureDetail): Promise<boolean> {
    return this.write([held.id], 'failed', () => markFailed(this.sql, this.workerId, held, failure), false);
  }

  retry(held: Held, delayMs: number, failure: FailureDetail): Promise<boolean> {
    return this.write([held.id], 'queued for a retry', () => scheduleRetry(this.sql, this.workerId, held, delayMs, failure), false);
  }

  skipped(held: Held, reason: { code: string; error: string }): Promise<boolean> {
    return this.write([held.id], 'skipped', () => markSkipped(this.sql, this.workerId, held, reason), false);
  }

  unknown(held: Held, detail: UnknownDetail): Promise<boolean> {
    return this.write([held.id], 'unknown', () => markUnknown(this.sql, this.workerId, held, detail), false);
  }

  /** Back to queued, untouched: nothing of them went to the relay. */
  release(held: readonly Held[]): Promise<number> {
    if (held.length === 0) return Promise.resolve(0);
    return this.write(
      held.map((h) => h.id),
      'released',
      () => releaseClaims(this.sql, this.workerId, held),
      0,
    );
  }

  /** Writes what is pending; failed writes are tried again until they succeed or `giveUp` aborts. */
  async close(giveUp?: AbortSignal): Promise<void> {
    const onAbort = () => this.giveUp.abort();
    if (giveUp?.aborted) onAbort();
    giveUp?.addEventListener('abort', onAbort, { once: true });
    try {
      this.flush();
      while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
    } finally {
      giveUp?.removeEventListener('abort', onAbort);
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    void this.write(
      batch.map((b) => b.id),
      'sent',
      async () => {
        const written = new Set(await markSent(this.sql, this.workerId, batch));
        const lost = batch.filter((b) => !written.has(b.id)).map((b) => b.id);
        if (lost.length > 0) {
          this.log.error(
            { event: 'delivery.record_conflict', deliveryIds: lost },
            'sent, but these deliveries were no longer ours to record (an operator resolved them meanwhile?)',
          );
        }
        return written.size;
      },
      0,
      batch.map((b) => ({ id: b.id, response: b.response })),
    ).finally(() => {
      this.unwritten -= batch.length;
      for (const b of batch) b.done();
    });
  }

  /** Runs `statement` until it succeeds (tried again with backoff) or the writer gives up. */
  private write<T>(ids: number[], outcome: string, statement: () => Promise<T>, fallback: T, replies?: Array<{ id: number; response: string }>): Promise<T> {
    const run = (async () => {
      let failed = false;
      for (let delay = this.retryDelayMs; ; delay = Math.min(delay * 2, this.maxRetryDelayMs)) {
        try {
          const result = await statement();
          if (failed) this.recovered();
          return result;
        } catch (err) {
          if (!failed) {
            failed = true;
            this.failures++;
            this.log.warn(
              { event: 'delivery.record_retry', deliveryIds: ids, outcome, err },
              `could not record ${plural(ids.length, 'delivery', 'deliveries')} as ${outcome}; trying again`,
            );
          }
          if (this.giveUp.signal.aborted) {
            this.recovered();
            this.unrecorded.push(...ids);
            this.log.error(
              { event: 'delivery.record_failed', deliveryIds: ids, outcome, ...(replies ? { replies } : {}), err },
              `gave up recording ${plural(ids.length, 'delivery', 'deliveries')} as ${outcome}: ` +
                'they stay claimed or handed until a recovery settles them (handed ones become unknown)',
            );
            return fallback;
          }
          await untilAborted(new Promise((r) => setTimeout(r, delay)), this.giveUp.signal);
        }
      }
    })();
    this.writes.add(run);
    void run.finally(() => this.writes.delete(run));
    return run;
  }

  private recovered(): void {
    this.failures--;
    if (this.failures === 0) {
      const w = this.healthyWaiters;
      this.healthyWaiters = [];
      for (const wake of w) wake();
    }
  }
}
