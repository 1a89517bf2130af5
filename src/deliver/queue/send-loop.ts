// The loop both send queues run in a `serve` (jobs/sender.ts for a digest's deliveries,
// subscriptions/mail-queue.ts for the subscription mails), and their one stop path. A round claims
// and sends until nothing is due or the loop stops; a round runs when the loop is woken (something
// was queued, the relay works again) or every pollMs once started, never two at once — a wake
// during a round runs another right after it, so nothing queued meanwhile waits for the next poll.
//
// Stopping (SIGTERM, SIGINT: app/service.ts): no new round, and the round under way is told to stop
// claiming (its signal aborts); what it claimed and has not started goes back, the sends in flight
// end. At the deadline a queue that can cut its sends does (a digest's: released or unknown, each
// recorded) and stop waits until the round has recorded them; one that cannot (a subscription
// mail: its lease hands it to the next process) is left to end on its own.

export interface SendLoopOptions {
  /** how often a started loop runs a round (retries come due, what a process that died left) */
  pollMs: number;
  /** one round: claim and send until nothing is due or `signal` aborts (the loop stops) */
  round: (signal: AbortSignal) => Promise<unknown>;
  /** a round that threw: the loop goes on */
  onError: (err: unknown) => void;
}

export class SendLoop {
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly options: SendLoopOptions) {}

  get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Run a round soon (never inside the caller's own tick); after the one under way, if any. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.options.round(this.stopping.signal))
      .then(
        () => undefined,
        (err: unknown) => this.options.onError(err),
      )
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** A round now, then one every pollMs until stopped. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Resolves when no round is under way or about to be. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Stops: no new round; the round under way stops claiming. True when it ended by `deadline` (epoch
   * ms). At the deadline `cut`, when given, cuts the sends in flight and stop still waits for the
   * round (it records what they did); without `cut`, stop answers false then and the round ends alone.
   */
  async stop(deadline: number, cut?: () => void): Promise<boolean> {
    this.stopping.abort();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.again = false;
    const ended = this.idle().then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))));
    const inTime = await Promise.race([ended, late]);
    clearTimeout(timer);
    if (!inTime && cut) {
      cut();
      await ended;
    }
    return inTime;
  }
}
