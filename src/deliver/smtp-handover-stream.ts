// The message data of one SMTP send as a stream that starts only once `beforeData` resolved (the
// handed mark): SMTPConnection pipes it into the connection right after the relay's 354 to DATA.
// `ended` turns true once every byte was taken — the final "." follows at once: from then on, no
// reply means an unknown outcome.
import { Readable } from 'node:stream';

/** Message data goes out in pieces of this size, so backpressure from the socket holds it back. */
const CHUNK = 16 * 1024;

export class HandoverStream extends Readable {
  started = false;
  ended = false;
  private ready = false;
  private offset = 0;

  constructor(
    private readonly raw: Buffer,
    private readonly beforeData: (() => Promise<void>) | undefined,
  ) {
    super({ highWaterMark: CHUNK });
    this.once('end', () => (this.ended = true));
  }

  override _read(): void {
    if (this.ready) return this.pushSome();
    if (this.started) return;
    this.started = true;
    const go = this.beforeData ? this.beforeData() : Promise.resolve();
    go.then(
      () => {
        this.ready = true;
        this.pushSome();
      },
      (err: unknown) => this.destroy(new HandoverError(err)),
    );
  }

  /** In chunks, as the connection takes them: `ended` must not run ahead of what was written. */
  private pushSome(): void {
    while (this.offset < this.raw.length) {
      const chunk = this.raw.subarray(this.offset, this.offset + CHUNK);
      this.offset += chunk.length;
      if (!this.push(chunk)) return;
    }
    this.push(null);
  }
}

/** The handed mark could not be recorded: the stream was destroyed before any data went out. */
export class HandoverError extends Error {
  constructor(reason: unknown) {
    super(`the message was not handed over: ${(reason as Error)?.message ?? String(reason)}`, { cause: reason });
  }
}
