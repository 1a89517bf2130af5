// The SMTP Mailer: one pooled nodemailer transport per process (maxConnections = SEND_CONCURRENCY).
// `send` resolves only when the server accepted the recipient and the message data; every failure
// is a SendError with a stable code and, when the server answered, its reply. It never retries a
// message the server saw: the delivery step decides. (The pool itself re-queues a message only when
// its connection closed before a byte of it was written — see maxRequeues below.)
import nodemailer from 'nodemailer';
import type { SendMailOptions, SMTPPoolSentMessageInfo } from 'nodemailer';
import type { Logger } from '../log/logger.ts';
import { toSendError } from './smtp-errors.ts';
import { SendError, type Mailer, type OutgoingMessage, type SendReceipt } from './types.ts';

export interface SmtpMailerOptions {
  /** smtp://user:pass@relay:587 or smtps://…:465; query parameters are nodemailer options (?requireTLS=true) */
  url: string;
  /** pooled connections, and so messages in flight at once */
  concurrency: number;
  /** connect, greeting and socket inactivity timeout of each step, in ms (SMTP_TIMEOUT) */
  timeoutMs: number;
  log?: Logger;
}

/** Messages one connection sends before the pool replaces it (servers limit messages per session). */
const MAX_MESSAGES_PER_CONNECTION = 100;
/** Re-queues of a message whose connection closed before any of it was written (safe: not sent). */
const MAX_REQUEUES = 2;

/** RFC 5322 field name: printable US-ASCII except the colon. */
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
/** a value nodemailer may pass through untouched: printable ASCII and spaces/tabs, no CR/LF */
const PLAIN_VALUE = /^[\x20-\x7e\t]*$/;
const MESSAGE_ID = /^[^\s<>@]+@[^\s<>@]+$/;

/**
 * The nodemailer message for an OutgoingMessage, shared by the SMTP and the outbox Mailer so the
 * .eml files carry exactly the headers SMTP would send. Extra header values that are plain ASCII go
 * out verbatim and unfolded (a List-Unsubscribe URL stays on one line); others are MIME-encoded by
 * nodemailer. CR/LF in an extra header is refused (the contract forbids it); CR/LF in the subject
 * is turned into a space by nodemailer, so it can never start a header of its own.
 */
export function toMailOptions(message: OutgoingMessage): SendMailOptions {
  if (!MESSAGE_ID.test(message.messageId)) {
    throw new SendError('EMESSAGE', `invalid Message-ID ${JSON.stringify(message.messageId)} (want local@domain, no brackets)`);
  }
  const headers: Record<string, string | { prepared: true; value: string }> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (!FIELD_NAME.test(name)) throw new SendError('EMESSAGE', `invalid header name ${JSON.stringify(name)}`);
    if (/[\r\n]/.test(value)) throw new SendError('EMESSAGE', `header ${name} contains CR/LF`);
    const verbatim = PLAIN_VALUE.test(value) && name.length + 2 + value.length <= 998;
    headers[name] = verbatim ? { prepared: true, value } : value;
  }
  return {
    from: message.from,
    to: message.to,
    ...(message.replyTo ? { replyTo: message.replyTo } : {}),
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: `<${message.messageId}>`,
    headers,
    // the bodies are strings we rendered: never let nodemailer read files or fetch URLs for them
    disableFileAccess: true,
    disableUrlAccess: true,
  };
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

function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** A success reply that did not cover the recipient (LMTP, or an odd server) is no success. */
function checkAccepted(info: SMTPPoolSentMessageInfo): void {
  const wanted = info.envelope?.to ?? [];
  const accepted = (info.accepted ?? []).map(String);
  const missing = wanted.filter((to) => !accepted.some((a) => sameAddress(a, to)));
  if (missing.length === 0 && (info.rejected ?? []).length === 0) return;
  const first = (info as { rejectedErrors?: unknown[] }).rejectedErrors?.[0];
  const reason = first ? toSendError(first) : null;
  throw new SendError(
    'EENVELOPE',
    `server accepted the message for nobody: ${missing.concat(info.rejected ?? []).join(', ')}`,
    reason?.responseCode ?? null,
    reason?.response ?? null,
  );
}

export function createSmtpMailer({ url, concurrency, timeoutMs, log }: SmtpMailerOptions): Mailer {
  const description = describeSmtpUrl(url);
  const transporter = nodemailer.createTransport({
    pool: true,
    url,
    maxConnections: concurrency,
    maxMessages: MAX_MESSAGES_PER_CONNECTION,
    maxRequeues: MAX_REQUEUES,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    // nodemailer's own log lines carry raw addresses; we log our own events with the ids instead
    logger: false,
  });
  // a connection-level 'error' with no listener would crash the process
  transporter.on('error', (err: Error) => log?.warn({ event: 'smtp.transport_error', err: toSendError(err).storedCode }, 'SMTP transport error'));

  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  async function sendOne(message: OutgoingMessage): Promise<SendReceipt> {
    if (closed) throw new SendError('ECONNECTION', 'the SMTP mailer is closed');
    const options = toMailOptions(message);
    let info: SMTPPoolSentMessageInfo;
    try {
      info = await transporter.sendMail(options);
    } catch (err) {
      throw toSendError(err);
    }
    checkAccepted(info);
    return { response: info.response, messageId: message.messageId };
  }

  return {
    kind: 'smtp',
    description,
    send(message) {
      const sending = sendOne(message);
      const tracked = sending.catch(() => undefined);
      inFlight.add(tracked);
      void tracked.finally(() => inFlight.delete(tracked));
      return sending;
    },
    async close() {
      if (closed) return;
      closed = true;
      // let the messages in flight finish (each step is bounded by timeoutMs), then close the pool;
      // a server trickling its replies past every timeout gets its connections cut
      const settled = Promise.allSettled([...inFlight]);
      let timer: NodeJS.Timeout | undefined;
      const patience = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), timeoutMs * 4);
        timer.unref();
      });
      const late = (await Promise.race([settled, patience])) === 'late';
      clearTimeout(timer);
      transporter.close(late ? { force: true } : undefined);
      log?.debug({ event: 'smtp.closed', forced: late }, 'SMTP pool closed');
    },
  };
}
