// Every `serve` process sends: it claims queued deliveries whenever there are some (its own digest
// built them, another process did, or an operator re-queued them), so adding processes adds
// sending capacity. Woken at once after a local digest or resend; otherwise it looks every few
// seconds. Stopping aborts claiming; the sends in flight end and are recorded.
import { sendQueued, type SendDeps, type SendSummary } from '../deliver/send-deliveries.ts';
import { untilAborted } from '../deliver/wait-for-work.ts';

export class SenderService {
  private readonly stopping = new AbortController();
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  readonly totals: SendSummary = { sent: 0, failed: 0, retried: 0, bounced: 0, paused: [] };

  constructor(
    private readonly deps: SendDeps,
    private readonly pollMs = 5_000,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Look for work now. */
  wake(): void {
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      try {
        const summary = await sendQueued(this.deps, { signal: this.stopping.signal });
        this.totals.sent += summary.sent;
        this.totals.failed += summary.failed;
        this.totals.retried += summary.retried;
        this.totals.bounced += summary.bounced;
        this.totals.paused.push(...summary.paused);
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

  /** Stop claiming; resolves when the sends in flight have ended (or `timeoutMs` passed: false). */
  async stop(timeoutMs: number): Promise<boolean> {
    this.stopping.abort();
    if (!this.loop) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const done = await Promise.race([this.loop.then(() => true as const), timedOut]);
    clearTimeout(timer);
    return done;
  }
}
