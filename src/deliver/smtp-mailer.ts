// The SMTP Mailer: up to SEND_CONCURRENCY connections of nodemailer's own SMTP client
// (SMTPConnection: EHLO, STARTTLS, AUTH, PIPELINING, dot-stuffing), pooled here (smtp-pool.ts) rather
// than by nodemailer's pool, because the delivery log must know exactly how far each message got:
//   - the message data waits for `beforeData` (the handed mark), after the relay accepted the envelope;
//   - a failure before the data ended is definite (the relay discards an unfinished message), one
//     after it with a reply is definite too, one after it without a reply is an unknown outcome;
//   - the final reply gets its own timeout (SMTP_REPLY_TIMEOUT, 10 minutes by RFC 5321 §4.5.3.2.6),
//     every other step SMTP_TIMEOUT;
//   - nothing is ever sent again here once a byte of its data went out (nodemailer's pool re-queues
//     a message whose connection closed; a delivery log cannot allow that).
// `send` resolves only when the server accepted the recipient and the message data.
import type { Logger } from '../log/logger.ts';
import type { DkimSign } from './dkim.ts';
import { buildRaw } from './raw-message.ts';
import { HandoverError, HandoverStream } from './smtp-handover-stream.ts';
import { createSmtpPool, type SmtpPool, type Slot } from './smtp-pool.ts';
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

interface Exchange {
  slot: Slot;
  raw: Buffer;
  envelope: { from: string; to: string[] };
  hooks: SendHooks;
}

type Timeouts = Pick<SmtpMailerOptions, 'timeoutMs'> & { replyTimeoutMs: number };

const socketOf = (slot: Slot) => (slot.connection as unknown as { _socket?: { setTimeout(ms: number): void } })._socket;

/** How far a send got, and what was said over SMTP last (for the operator who checks an unknown outcome in the relay's log). */
class Progress {
  private endedAt = 0;

  constructor(
    readonly stream: HandoverStream,
    private readonly bytes: number,
  ) {
    stream.once('end', () => (this.endedAt = Date.now()));
  }

  get stage(): SendStage {
    return this.stream.ended ? 'after-data' : this.stream.started ? 'in-data' : 'before-data';
  }

  said(what: string): string {
    if (!this.stream.ended) return `envelope accepted; ${what} before the end of the message data`;
    const later = Math.round((Date.now() - this.endedAt) / 1000);
    return `DATA accepted (354); ${this.bytes} bytes of message data and the final "." sent; then ${what} ${later} s later`;
  }

  /** A failure reported by SMTPConnection, as a SendError that says where it stopped. */
  failure(err: unknown): SendError {
    if (err instanceof Error && (err as { code?: string }).code === 'ESTREAM' && this.stream.errored instanceof HandoverError) {
      return Object.assign(new SendError('EHANDOVER', this.stream.errored.message, null, null, 'before-data'), { cause: this.stream.errored.cause });
    }
    const e = toSendError(err);
    const noReply = e.code === 'ETIMEDOUT' ? 'no reply: timed out' : 'the connection closed with no reply';
    const what = e.responseCode !== null ? `the reply ${e.response ?? e.responseCode}` : noReply;
    return e.at(this.stage, this.said(what));
  }

  /** Stopped by the caller (shutting down). */
  aborted(): SendError {
    const why = this.stream.ended ? 'stopped waiting for the final reply (shutting down)' : 'stopped before the message data ended (shutting down)';
    return new SendError('EABORTED', why, null, null, this.stage, this.said('this process stopped waiting'));
  }
}

/** The envelope, then the data once the hand-over hook allows it; resolves with the server's final reply. */
function transfer({ slot, raw, envelope, hooks }: Exchange, replyTimeoutMs: number): Promise<SentInfo> {
  const progress = new Progress(new HandoverStream(raw, hooks.beforeData), raw.length);
  progress.stream.once('end', () => socketOf(slot)?.setTimeout(replyTimeoutMs)); // the final reply has its own, longer timeout
  let onAbort: (() => void) | undefined;
  return new Promise<SentInfo>((resolve, reject) => {
    onAbort = () => {
      slot.dead = true;
      slot.connection.close();
      reject(progress.aborted());
    };
    if (hooks.signal?.aborted) return onAbort();
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    slot.connection.send(envelope, progress.stream, (err, info) => (err ? reject(progress.failure(err)) : resolve(info)));
  }).finally(() => {
    if (onAbort) hooks.signal?.removeEventListener('abort', onAbort);
  });
}

/** After a failed send: a refusal by reply leaves the session usable (RSET); anything else ends the connection. */
async function afterFailure(pool: SmtpPool, slot: Slot, e: SendError): Promise<void> {
  if (!slot.dead && e.responseCode !== null && e.responseCode !== 421 && (e.code === 'EENVELOPE' || e.code === 'EMESSAGE')) {
    await new Promise<void>((resolve) => slot.connection.reset((resetErr) => (resetErr ? pool.retire(slot) : undefined, resolve())));
  } else if (!slot.dead) {
    slot.dead = true;
    slot.connection.close();
  }
}

/** One try over one connection; the connection goes back to the pool whatever happens. */
async function over(pool: SmtpPool, exchange: Exchange, timeouts: Timeouts): Promise<SendReceipt & { reused: boolean }> {
  const { slot } = exchange;
  const reused = slot.messages > 0;
  slot.messages++;
  try {
    const info = await transfer(exchange, timeouts.replyTimeoutMs);
    checkAccepted(info, exchange.envelope.to);
    socketOf(slot)?.setTimeout(timeouts.timeoutMs);
    return { response: info.response ?? '', messageId: '', reused };
  } catch (err) {
    const e = err instanceof SendError ? err : toSendError(err);
    await afterFailure(pool, slot, e);
    throw Object.assign(e, { reused });
  } finally {
    pool.release(slot);
  }
}

/** A connection that sat idle may have been closed by the server just as it was reused: nothing of the message went out. */
const staleConnection = (e: SendError & { reused?: boolean }) =>
  e.reused === true && e.stage === 'before-data' && e.responseCode === null && e.code === 'ECONNECTION';

/** The message built once, then sent over a pooled connection; once more over a new one if the first was stale. */
async function sendOne(pool: SmtpPool, message: OutgoingMessage, hooks: SendHooks, timeouts: Timeouts, dkim: DkimSign | undefined): Promise<SendReceipt> {
  if (hooks.signal?.aborted) throw new SendError('EABORTED', 'stopped before sending (shutting down)');
  const { raw, envelope } = await buildRaw(message, dkim);
  for (let round = 1; ; round++) {
    let slot: Slot;
    try {
      slot = await pool.acquire();
    } catch (err) {
      throw toSendError(err);
    }
    try {
      const receipt = await over(pool, { slot, raw, envelope, hooks }, timeouts);
      return { response: receipt.response, messageId: message.messageId };
    } catch (err) {
      if (round === 1 && staleConnection(err as SendError) && !hooks.signal?.aborted) continue;
      throw err;
    }
  }
}

export function createSmtpMailer({ url, concurrency, timeoutMs, replyTimeoutMs = timeoutMs, dkim, log }: SmtpMailerOptions): Mailer {
  const description = describeSmtpUrl(url);
  const pool = createSmtpPool(url, concurrency, timeoutMs);
  const timeouts = { timeoutMs, replyTimeoutMs };
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;
  return {
    kind: 'smtp',
    description,
    send(message, hooks = {}) {
      const sending = closed ? Promise.reject(new SendError('ECONNECTION', 'the SMTP mailer is closed')) : sendOne(pool, message, hooks, timeouts, dkim);
      const tracked = sending.catch(() => undefined);
      inFlight.add(tracked);
      void tracked.finally(() => inFlight.delete(tracked));
      return sending;
    },
    async close() {
      if (closed) return;
      closed = true;
      pool.drain();
      // sends in flight end on their own (their callers abort them when they stop waiting); one
      // nobody aborts (a confirmation email) gets one more step's time, then its connection is cut
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
      pool.cutAll();
      log?.debug({ event: 'smtp.closed' }, 'SMTP connections closed');
    },
  };
}
