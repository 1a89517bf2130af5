// Every `serve` process sends: it claims queued deliveries whenever there are some (its own digest
// built them, another process did, or an operator re-queued them), so adding processes adds
// sending capacity. Woken at once after a local digest or resend; otherwise it looks every few
// seconds, and settles what gone workers left behind (their claims queued again, their handed rows
// unknown). The loop and its stop path are the subscription mails' too (deliver/queue/send-loop.ts):
// no new claims; the sends in flight end — those still waiting at the deadline are cut (released if
// their data had not ended, unknown if it had) — and every record is written.
import { emptySummary, sendQueued, type SendDeps, type SendSummary } from '../deliver/send-deliveries.ts';
import { SendLoop } from '../deliver/queue/send-loop.ts';

export interface StopOutcome {
  /** every send ended by itself and every outcome was recorded */
  clean: boolean;
  /** sends cut at the deadline after their data ended: their outcome is unknown */
  cutUnknown: number;
  unrecorded: number;
}

export class SenderService {
  private readonly abortSends = new AbortController();
  private readonly giveUpRecording = new AbortController();
  private readonly loop: SendLoop;
  private started = false;
  readonly totals: SendSummary = emptySummary();

  constructor(
    private readonly deps: SendDeps,
    pollMs = 5_000,
    /** settles what gone workers left (deliver/worker-liveness.ts recover); run before each round and now and then */
    private readonly recover: () => Promise<unknown> = () => Promise.resolve(undefined),
  ) {
    this.loop = new SendLoop({
      pollMs,
      round: (signal) => this.round(signal),
      onError: (err) => deps.log.error({ event: 'sender.failed', err }, `sending failed: ${(err as Error).message}`),
    });
  }

  start(): void {
    this.started = true;
    this.loop.start();
  }

  /** Look for work now. */
  wake(): void {
    if (this.started) this.loop.wake();
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

  private async round(signal: AbortSignal): Promise<void> {
    await this.recover();
    const summary = await sendQueued(this.deps, {
      signal,
      abortSends: this.abortSends.signal,
      giveUpRecording: this.giveUpRecording.signal,
      maintenance: this.recover,
    });
    this.add(summary);
  }

  /**
   * Stops claiming at once; cuts the sends still in flight at `cutAt` (epoch ms) and stops retrying
   * failed records at `giveUpAt`. Resolves when the loop has ended.
   */
  async stop(cutAt: number, giveUpAt: number): Promise<StopOutcome> {
    const before = this.totals.unknown;
    let cut = false;
    const giveUpTimer = setTimeout(() => this.giveUpRecording.abort(), Math.max(0, giveUpAt - Date.now()));
    try {
      await this.loop.stop(cutAt, () => ((cut = true), this.abortSends.abort()));
    } finally {
      clearTimeout(giveUpTimer);
    }
    const cutUnknown = cut ? this.totals.unknown - before : 0;
    return { clean: cutUnknown === 0 && this.totals.unrecorded === 0, cutUnknown, unrecorded: this.totals.unrecorded };
  }
}
