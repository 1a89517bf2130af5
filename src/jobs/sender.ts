// Every `serve` process sends: it claims queued deliveries whenever there are some (its own digest
// built them, another process did, or an operator re-queued them), so adding processes adds
// sending capacity. Woken at once after a local digest or resend; otherwise it looks every few
// seconds, and settles what gone workers left behind (their claims queued again, their handed rows
// unknown). Stopping: no new claims; the sends in flight end — those still waiting at the deadline
// are cut (released if their data had not ended, unknown if it had) — and every record is written.
import { emptySummary, sendQueued, type SendDeps, type SendSummary } from '../deliver/send-deliveries.ts';
import { untilAborted } from '../deliver/wait-for-work.ts';

export interface StopOutcome {
  /** every send ended by itself and every outcome was recorded */
  clean: boolean;
  /** sends cut at the deadline after their data ended: their outcome is unknown */
  cutUnknown: number;
  unrecorded: number;
}

export class SenderService {
  private readonly stopping = new AbortController();
  private readonly abortSends = new AbortController();
  private readonly giveUpRecording = new AbortController();
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  readonly totals: SendSummary = emptySummary();

  constructor(
    private readonly deps: SendDeps,
    private readonly pollMs = 5_000,
    /** settles what gone workers left (deliver/worker-liveness.ts recover); run before each round and now and then */
    private readonly recover: () => Promise<unknown> = () => Promise.resolve(),
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Look for work now. */
  wake(): void {
    this.wakeUp?.();
  }

  private add(summary: SendSummary): void {
    const t = this.totals;
    t.sent += summary.sent;
    t.failed += summary.failed;
    t.retried += summary.retried;
    t.unknown += summary.unknown;
    t.bounced += summary.bounced;
    t.skipped += summary.skipped;
    t.released += summary.released;
    t.unrecorded += summary.unrecorded;
    t.paused.push(...summary.paused);
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      try {
        await this.recover();
        const summary = await sendQueued(this.deps, {
          signal: this.stopping.signal,
          abortSends: this.abortSends.signal,
          giveUpRecording: this.giveUpRecording.signal,
          maintenance: this.recover,
        });
        this.add(summary);
      } catch (err) {
        this.deps.log.error({ event: 'sender.failed', err }, `sending failed: ${(err as Error).message}`);
      }
      const nap = new Promise<void>((resolve) => {
        this.wakeUp = resolve;
        setTimeout(resolve, this.pollMs).unref();
      });
      await untilAborted(nap, this.stopping.signal);
      this.wakeUp = null;
    }
  }

  /**
   * Stops claiming at once; cuts the sends still in flight at `cutAt` (epoch ms) and stops retrying
   * failed records at `giveUpAt`. Resolves when the loop has ended.
   */
  async stop(cutAt: number, giveUpAt: number): Promise<StopOutcome> {
    this.stopping.abort();
    if (!this.loop) return { clean: true, cutUnknown: 0, unrecorded: 0 };
    const before = this.totals.unknown;
    let cut = false;
    const cutTimer = setTimeout(() => ((cut = true), this.abortSends.abort()), Math.max(0, cutAt - Date.now()));
    const giveUpTimer = setTimeout(() => this.giveUpRecording.abort(), Math.max(0, giveUpAt - Date.now()));
    try {
      await this.loop;
    } finally {
      clearTimeout(cutTimer);
      clearTimeout(giveUpTimer);
    }
    const cutUnknown = cut ? this.totals.unknown - before : 0;
    return { clean: cutUnknown === 0 && this.totals.unrecorded === 0, cutUnknown, unrecorded: this.totals.unrecorded };
  }
}
