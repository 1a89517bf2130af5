// The handed marks: claimed → handed, committed before a message's data goes to the relay (the
// mailer waits for `mark`). Marks are group-committed: while one statement is in flight, the marks
// asked for meanwhile wait and go together in the next one, so a fast relay costs about one round
// trip per batch, never a message sent without its mark. The same statement checks, under a lock per
// reader, that none of a delivery's papers reached its reader in another delivery since its claim
// (db/hand-over.ts): never the same paper twice, whoever re-queued what.
import type { Held } from '../model/delivery.ts';
import { markHanded } from '../db/hand-over.ts';
import type { Sql } from '../db/database.ts';

/** The claim is no longer this worker's (released by a recovery, or re-queued): do not send it. */
export class ClaimLostError extends Error {
  readonly code = 'CLAIM_LOST';
  constructor(readonly deliveryId: number) {
    super(`delivery ${deliveryId} is no longer claimed by this worker`);
  }
}

/** Some of its papers reached the reader in another delivery since the claim (or are on their way): not handed. */
export class PapersTakenError extends Error {
  readonly code = 'PAPERS_TAKEN';
  constructor(readonly deliveryId: number) {
    super(`delivery ${deliveryId} has papers its reader got in another delivery since it was claimed: claimed again to leave them out`);
  }
}

/** This worker does not hold its lock now (its database connection dropped): it hands nothing. */
export class WorkerAwayError extends Error {
  readonly code = 'WORKER_AWAY';
  constructor() {
    super('this worker lost its database lock: handing nothing over until it is back');
  }
}

interface Waiting {
  held: Held;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class Handover {
  private waiting: Waiting[] = [];
  private running = false;

  constructor(
    private readonly sql: Sql,
    private readonly worker: { readonly id: string; readonly alive: boolean },
    /** the statement that marks a batch (db/hand-over.ts); tests give their own */
    private readonly markBatch: typeof markHanded = markHanded,
  ) {}

  /** Resolves once this delivery is recorded as handed; rejects if it must not be sent. */
  mark(held: Held): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ held, resolve, reject });
      if (!this.running) {
        this.running = true;
        queueMicrotask(() => void this.run()); // gather the marks asked for in this same turn
      }
    });
  }

  private async run(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting;
        this.waiting = [];
        if (!this.worker.alive) {
          for (const w of batch) w.reject(new WorkerAwayError());
          continue;
        }
        try {
          const marked = await this.markBatch(
            this.sql,
            this.worker.id,
            batch.map((w) => w.held),
          );
          const handed = new Set(marked.handed);
          const taken = new Set(marked.taken);
          for (const w of batch) {
            if (handed.has(w.held.id)) w.resolve();
            else w.reject(taken.has(w.held.id) ? new PapersTakenError(w.held.id) : new ClaimLostError(w.held.id));
          }
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
