// The SMTP Mailer: up to SEND_CONCURRENCY connections of nodemailer's own SMTP client
// (SMTPConnection: EHLO, STARTTLS, AUTH, PIPELINING, dot-stuffing), pooled here rather than by
// nodemailer's pool, because the delivery log must know exactly how far each message got:
//   - the message data waits for `beforeData` (the handed mark), after the relay accepted the envelope;
//   - a failure before the data ended is definite (the relay discards an unfinished message), one
//     after it with a reply is definite too, one after it without a reply is an unknown outcome;
//   - the final reply gets its own timeout (SMTP_REPLY_TIMEOUT, 10 minutes by RFC 5321 §4.5.3.2.6),
//     every other step SMTP_TIMEOUT;
//   - nothing is ever sent again here once a byte of its data went out (nodemailer's pool re-queues
//     a message whose connection closed; a delivery log cannot allow that).
// `send` resolves only when the server accepted the recipient and the message data.
import { Readable } from 'node:stream';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { Logger } from '../log/logger.ts';
import type { DkimSign } from './dkim.ts';
import { buildRaw } from './raw-message.ts';
import { toSendError } from './smtp-errors.ts';
import { SendError, type Mailer, type OutgoingMessage, type SendHooks, type SendReceipt, type SendStage } from './types.ts';

export interface SmtpMailerOptions {
  /** smtp://user:pass@relay:587 or smtps://…:465; query parameters are SMTPConnection options (?requireTLS=true) */
  url: string;
  /** pooled connections, and so messages in flight at once */
  concurrency: number;
  /** connect, greeting and each command, in ms (SMTP_TIMEOUT) */
  timeoutMs: number;
  /** the reply to the end of the message data, in ms (SMTP_REPLY_TIMEOUT); default timeoutMs */
  replyTimeoutMs?: number;
  /** DKIM-sign every message (DKIM_DOMAIN) */
  dkim?: DkimSign | undefined;
  log?: Logger;
}

/** Messages one connection sends before it is replaced (servers limit messages per session). */
const MAX_MESSAGES_PER_CONNECTION = 100;

/** "smtp://user@relay:587": the URL without its password, for logs and /healthz. */
export function describeSmtpUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('SMTP URL is not a valid URL'); // never echo it: it may hold a password
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new Error(`SMTP URL must start with smtp:// or smtps:// (got ${parsed.protocol}//)`);
  }
  parsed.password = '';
  return parsed.toString().replace(/\/$/, '');
}

interface SentInfo {
  response?: string;
  accepted?: string[];
  rejected?: string[];
  rejectedErrors?: unknown[];
}

function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** A success reply that did not cover the recipient (LMTP, or an odd server) is no success. */
function checkAccepted(info: SentInfo, wanted: string[]): void {
  const accepted = (info.accepted ?? []).map(String);
  const missing = wanted.filter((to) => !accepted.some((a) => sameAddress(a, to)));
  if (missing.length === 0 && (info.rejected ?? []).length === 0) return;
  const first = info.rejectedErrors?.[0];
  const reason = first ? toSendError(first) : null;
  throw new SendError(
    'EENVELOPE',
    `server accepted the message for nobody: ${missing.concat(info.rejected ?? []).join(', ')}`,
    reason?.responseCode ?? null,
    reason?.response ?? null,
    'after-data',
  );
}

/**
 * The message data as a stream that starts only once `beforeData` resolved: SMTPConnection pipes it
 * into the connection right after the relay's 354 to DATA. `ended` turns true once every byte was
 * taken — the final "." follows at once: from then on, no reply means an unknown outcome.
 */
class HandoverStream extends Readable {
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

/** Message data goes out in pieces of this size, so backpressure from the socket holds it back. */
const CHUNK = 16 * 1024;

class HandoverError extends Error {
  constructor(reason: unknown) {
    super(`the message was not handed over: ${(reason as Error)?.message ?? String(reason)}`, { cause: reason });
  }
}

interface Slot {
  connection: SMTPConnection;
  messages: number;
  dead: boolean;
  busy: boolean;
}

type AcquireWaiter = (slot: Slot | null, err?: unknown) => void;

export function createSmtpMailer({ url, concurrency, timeoutMs, replyTimeoutMs = timeoutMs, dkim, log }: SmtpMailerOptions): Mailer {
  const description = describeSmtpUrl(url);
  const { auth, ...connectionOptions } = parseConnectionUrl(url) as Record<string, unknown> & { auth?: { user: string; pass: string } };
  const options = {
    ...connectionOptions,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    // a connection given up on is cut, not politely ended (its QUIT would wait on a stalled relay)
    socketCloseTimeout: 0,
    logger: false,
  } as SMTPConnection.Options;

  const slots = new Set<Slot>();
  const idle: Slot[] = [];
  let opening = 0;
  const waiting: AcquireWaiter[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  const retire = (slot: Slot) => {
    if (!slot.dead) {
      slot.dead = true;
      slot.connection.close();
    }
    slots.delete(slot);
    const i = idle.indexOf(slot);
    if (i >= 0) idle.splice(i, 1);
    pump();
  };

  const open = async (): Promise<Slot> => {
    const connection = new SMTPConnection(options);
    const slot: Slot = { connection, messages: 0, dead: false, busy: true };
    connection.on('error', () => undefined); // every failure also reaches the callback that waits on it
    connection.once('end', () => {
      slot.dead = true;
      if (!slot.busy) retire(slot);
    });
    // Until the session is ready, a failure may come as the callback's error, an 'error' event or a
    // bare 'end' (a close before the greeting): whichever comes first decides.
    const ready = (start: (done: (err?: unknown) => void) => void) =>
      new Promise<void>((resolve, reject) => {
        const onError = (err: unknown) => done(err);
        const onEnd = () => done(new SendError('ECONNECTION', 'the server closed the connection before the session was ready'));
        const done = (err?: unknown) => {
          connection.off('error', onError);
          connection.off('end', onEnd);
          if (err) reject(err);
          else resolve();
        };
        connection.once('error', onError);
        connection.once('end', onEnd);
        start(done);
      });
    try {
      await ready((done) => connection.connect((err) => done(err)));
      // as nodemailer's pool does: log in when the server offers AUTH (forceAuth=true to insist)
      if (auth && (auth.user || auth.pass) && (connection.allowsAuth || connectionOptions.forceAuth === true)) {
        await ready((done) => connection.login({ credentials: { user: auth.user, pass: auth.pass } }, (err) => done(err)));
      }
    } catch (err) {
      slot.dead = true;
      connection.close();
      throw err;
    }
    slots.add(slot);
    return slot;
  };

  /** Gives the next waiter an idle connection, or opens one if the pool has room. */
  function pump(): void {
    while (waiting.length > 0) {
      const ready = idle.shift();
      if (ready) {
        if (ready.dead) {
          slots.delete(ready);
          continue;
        }
        ready.busy = true;
        waiting.shift()!(ready);
        continue;
      }
      if (slots.size + opening >= concurrency) return;
      const waiter = waiting.shift()!;
      opening++;
      open().then(
        (slot) => {
          opening--;
          waiter(slot);
        },
        (err: unknown) => {
          opening--;
          waiter(null, err);
          pump();
        },
      );
    }
  }

  const acquire = (): Promise<Slot> =>
    new Promise((resolve, reject) => {
      waiting.push((slot, err) => (slot ? resolve(slot) : reject(err)));
      pump();
    });

  const release = (slot: Slot) => {
    slot.busy = false;
    if (slot.dead || closed || slot.messages >= MAX_MESSAGES_PER_CONNECTION) {
      if (!slot.dead && !closed) slot.connection.quit();
      retire(slot);
      return;
    }
    idle.push(slot);
    pump();
  };

  /** One try over one connection. */
  async function over(slot: Slot, raw: Buffer, envelope: { from: string; to: string[] }, hooks: SendHooks): Promise<SendReceipt & { reused: boolean }> {
    const reused = slot.messages > 0;
    slot.messages++;
    const stream = new HandoverStream(raw, hooks.beforeData);
    const stage = (): SendStage => (stream.ended ? 'after-data' : stream.started ? 'in-data' : 'before-data');
    const socket = () => (slot.connection as unknown as { _socket?: { setTimeout(ms: number): void } })._socket;
    let endedAt = 0;
    stream.once('end', () => {
      endedAt = Date.now();
      socket()?.setTimeout(replyTimeoutMs); // the final reply has its own, longer timeout
    });
    const exchange = (what: string) =>
      stream.ended
        ? `DATA accepted (354); ${raw.length} bytes of message data and the final "." sent; then ${what} ${Math.round((Date.now() - endedAt) / 1000)} s later`
        : `envelope accepted; ${what} before the end of the message data`;

    let onAbort: (() => void) | undefined;
    try {
      const info = await new Promise<SentInfo>((resolve, reject) => {
        onAbort = () => {
          slot.dead = true;
          slot.connection.close();
          const sent = stream.ended;
          reject(
            new SendError(
              'EABORTED',
              sent ? 'stopped waiting for the final reply (shutting down)' : 'stopped before the message data ended (shutting down)',
              null,
              null,
              stage(),
              exchange('this process stopped waiting'),
            ),
          );
        };
        if (hooks.signal?.aborted) return onAbort();
        hooks.signal?.addEventListener('abort', onAbort, { once: true });
        slot.connection.send(envelope, stream, (err, info) => {
          if (err) {
            if (err instanceof Error && (err as { code?: string }).code === 'ESTREAM' && stream.errored instanceof HandoverError) {
              return reject(Object.assign(new SendError('EHANDOVER', stream.errored.message, null, null, 'before-data'), { cause: stream.errored.cause }));
            }
            const e = toSendError(err);
            const at = stage();
            const what =
              e.responseCode !== null
                ? `the reply ${e.response ?? e.responseCode}`
                : e.code === 'ETIMEDOUT'
                  ? 'no reply: timed out'
                  : 'the connection closed with no reply';
            return reject(e.at(at, exchange(what)));
          }
          resolve(info as SentInfo);
        });
      });
      checkAccepted(info, envelope.to);
      socket()?.setTimeout(timeoutMs);
      return { response: info.response ?? '', messageId: '', reused };
    } catch (err) {
      const e = err instanceof SendError ? err : toSendError(err);
      // a refusal by reply leaves the session usable (RSET); anything else ends the connection
      if (!slot.dead && e.responseCode !== null && e.responseCode !== 421 && (e.code === 'EENVELOPE' || e.code === 'EMESSAGE')) {
        await new Promise<void>((resolve) => slot.connection.reset((resetErr) => (resetErr ? retire(slot) : undefined, resolve())));
      } else if (!slot.dead) {
        slot.dead = true;
        slot.connection.close();
      }
      throw Object.assign(e, { reused });
    } finally {
      if (onAbort) hooks.signal?.removeEventListener('abort', onAbort);
      release(slot);
    }
  }

  async function sendOne(message: OutgoingMessage, hooks: SendHooks): Promise<SendReceipt> {
    if (closed) throw new SendError('ECONNECTION', 'the SMTP mailer is closed');
    if (hooks.signal?.aborted) throw new SendError('EABORTED', 'stopped before sending (shutting down)');
    const { raw, envelope } = await buildRaw(message, dkim);
    for (let round = 1; ; round++) {
      let slot: Slot;
      try {
        slot = await acquire();
      } catch (err) {
        throw toSendError(err);
      }
      try {
        const receipt = await over(slot, raw, envelope, hooks);
        return { response: receipt.response, messageId: message.messageId };
      } catch (err) {
        const e = err as SendError & { reused?: boolean };
        // A connection that sat idle may have been closed by the server just as it was reused:
        // nothing of this message went out, so it may go once more over a new connection.
        const stale = e.reused && e.stage === 'before-data' && e.responseCode === null && e.code === 'ECONNECTION';
        if (round === 1 && stale && !hooks.signal?.aborted) continue;
        throw err;
      }
    }
  }

  return {
    kind: 'smtp',
    description,
    send(message, hooks = {}) {
      const sending = sendOne(message, hooks);
      const tracked = sending.catch(() => undefined);
      inFlight.add(tracked);
      void tracked.finally(() => inFlight.delete(tracked));
      return sending;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const w of waiting.splice(0)) w(null, new SendError('ECONNECTION', 'the SMTP mailer is closed'));
      for (const slot of idle.splice(0)) {
        slot.connection.quit();
        retire(slot);
      }
      // sends in flight end on their own (their callers abort them when they stop waiting); one
      // nobody aborts (a confirmation email) gets one more step's time, then its connection is cut
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
      for (const slot of [...slots]) retire(slot);
      log?.debug({ event: 'smtp.closed' }, 'SMTP connections closed');
    },
  };
}
