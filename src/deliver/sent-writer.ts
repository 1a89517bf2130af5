// Records sent deliveries in small batches (one statement per batch: status, mailed papers and the
// attempt together), so the log keeps up with a fast relay. A delivery counts as recorded only once
// its batch is written; if the process dies before that, it stays `sending` and is reported stuck.
import { markSent } from '../db/deliveries.ts';
import type { Sql } from '../db/database.ts';
import type { Logger } from '../log/logger.ts';

interface Pending {
  id: number;
  response: string;
  done: () => void;
}

export class SentWriter {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private unwritten = 0;

  constructor(
    private readonly sql: Sql,
    private readonly workerId: string,
    private readonly log: Logger,
    private readonly maxBatch = 50,
    private readonly maxDelayMs = 25,
  ) {}

  /**
   * Queues this delivery's `sent` for the next batch. The returned promise resolves once it is
   * written; a sender need not wait for it (its slot is free once the relay accepted), except
   * when too many are waiting, which `backlogged` tells.
   */
  add(id: number, response: string): Promise<void> {
    return new Promise((done) => {
      this.pending.push({ id, response, done });
      this.unwritten++;
      if (this.pending.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs);
    });
  }

  /** Accepted by the relay but not yet recorded: a sender should wait before sending more. */
  get backlogged(): boolean {
    return this.unwritten >= this.maxBatch * 4;
  }

  async close(): Promise<void> {
    this.flush();
    await this.chain;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.chain = this.chain.then(async () => {
      try {
        const written = new Set(await markSent(this.sql, this.workerId, batch));
        const lost = batch.filter((b) => !written.has(b.id)).map((b) => b.id);
        if (lost.length > 0) {
          this.log.error({ event: 'delivery.record_conflict', deliveryIds: lost }, 'sent, but these deliveries were no longer ours to record');
        }
      } catch (err) {
        this.log.error({ event: 'delivery.record_failed', deliveryIds: batch.map((b) => b.id), err }, 'sent, but recording it failed: these deliveries stay in sending (stuck)');
      } finally {
        this.unwritten -= batch.length;
        for (const b of batch) b.done();
      }
    });
  }
}
