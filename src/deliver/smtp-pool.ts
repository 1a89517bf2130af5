// The SMTP Mailer's connections: up to `concurrency` sessions of nodemailer's own SMTP client
// (SMTPConnection: EHLO, STARTTLS, AUTH, PIPELINING), opened on demand, reused for up to
// MAX_MESSAGES_PER_CONNECTION messages, replaced when they die. Pooled here rather than by
// nodemailer's pool, which re-queues a message whose connection closed (smtp-mailer.ts says why
// that cannot be allowed).
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { SendError } from './types.ts';

/** Messages one connection sends before it is replaced (servers limit messages per session). */
const MAX_MESSAGES_PER_CONNECTION = 100;

export interface Slot {
  connection: SMTPConnection;
  messages: number;
  dead: boolean;
  busy: boolean;
}

export interface SmtpPool {
  /** an idle connection, or a new one once the pool has room; rejects when one cannot be opened */
  acquire(): Promise<Slot>;
  /** gives a connection back after a send (replaced when dead, closing, or used up) */
  release(slot: Slot): void;
  /** drops a connection (cut unless already dead) */
  retire(slot: Slot): void;
  /** closing: refuses every waiter and later acquire, ends the idle connections */
  drain(): void;
  /** cuts every connection left */
  cutAll(): void;
}

type AcquireWaiter = (slot: Slot | null, err?: Error) => void;

interface Auth {
  user: string;
  pass: string;
}

/** SMTPConnection's options from the URL (its query parameters too), with our timeouts; the credentials apart. */
function connectionSettings(url: string, timeoutMs: number): { options: SMTPConnection.Options; auth: Auth | undefined; forceAuth: boolean } {
  const { auth, ...connectionOptions } = parseConnectionUrl(url) as Record<string, unknown> & { auth?: Auth };
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
  return { options, auth, forceAuth: connectionOptions.forceAuth === true };
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * One step of opening a session (connect, login). Until the session is ready, a failure may come as
 * the callback's error, an 'error' event or a bare 'end' (a close before the greeting): whichever
 * comes first decides.
 */
function step(connection: SMTPConnection, start: (done: (err?: unknown) => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: unknown) => done(err);
    const onEnd = () => done(new SendError('ECONNECTION', 'the server closed the connection before the session was ready'));
    const done = (err?: unknown) => {
      connection.off('error', onError);
      connection.off('end', onEnd);
      if (err) reject(asError(err));
      else resolve();
    };
    connection.once('error', onError);
    connection.once('end', onEnd);
    start(done);
  });
}

/** A new session, greeted and logged in (when the server offers AUTH, as nodemailer's pool does; forceAuth=true to insist). */
async function openSession(settings: ReturnType<typeof connectionSettings>, onEnd: (slot: Slot) => void): Promise<Slot> {
  const { options, auth, forceAuth } = settings;
  const connection = new SMTPConnection(options);
  const slot: Slot = { connection, messages: 0, dead: false, busy: true };
  connection.on('error', () => undefined); // every failure also reaches the callback that waits on it
  connection.once('end', () => {
    slot.dead = true;
    onEnd(slot);
  });
  try {
    await step(connection, (done) => connection.connect((err) => done(err)));
    if (auth && (auth.user || auth.pass) && (connection.allowsAuth || forceAuth)) {
      await step(connection, (done) => connection.login({ credentials: { user: auth.user, pass: auth.pass } }, (err) => done(err)));
    }
  } catch (err) {
    slot.dead = true;
    connection.close();
    throw err;
  }
  return slot;
}

const closedError = () => new SendError('ECONNECTION', 'the SMTP mailer is closed');

class ConnectionPool implements SmtpPool {
  private readonly slots = new Set<Slot>();
  private readonly idle: Slot[] = [];
  private readonly waiting: AcquireWaiter[] = [];
  private opening = 0;
  private closed = false;

  constructor(
    private readonly settings: ReturnType<typeof connectionSettings>,
    private readonly concurrency: number,
  ) {}

  acquire(): Promise<Slot> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(closedError());
      this.waiting.push((slot, err) => (slot ? resolve(slot) : reject(err ?? closedError())));
      this.pump();
    });
  }

  release(slot: Slot): void {
    slot.busy = false;
    if (slot.dead || this.closed || slot.messages >= MAX_MESSAGES_PER_CONNECTION) {
      if (!slot.dead && !this.closed) slot.connection.quit();
      this.retire(slot);
      return;
    }
    this.idle.push(slot);
    this.pump();
  }

  retire(slot: Slot): void {
    if (!slot.dead) {
      slot.dead = true;
      slot.connection.close();
    }
    this.slots.delete(slot);
    const i = this.idle.indexOf(slot);
    if (i >= 0) this.idle.splice(i, 1);
    this.pump();
  }

  drain(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w(null, closedError());
    for (const slot of this.idle.splice(0)) {
      slot.connection.quit();
      this.retire(slot);
    }
  }

  cutAll(): void {
    for (const slot of [...this.slots]) this.retire(slot);
  }

  /** Gives the next waiter an idle connection, or opens one if the pool has room. */
  private pump(): void {
    while (this.waiting.length > 0) {
      const ready = this.idle.shift();
      if (ready?.dead) {
        this.slots.delete(ready);
        continue;
      }
      if (ready) {
        ready.busy = true;
        this.waiting.shift()!(ready);
        continue;
      }
      if (this.slots.size + this.opening >= this.concurrency) return;
      this.open(this.waiting.shift()!);
    }
  }

  private open(waiter: AcquireWaiter): void {
    this.opening++;
    openSession(this.settings, (slot) => (slot.busy ? undefined : this.retire(slot))).then(
      (slot) => {
        this.opening--;
        this.slots.add(slot);
        waiter(slot);
      },
      (err: unknown) => {
        this.opening--;
        waiter(null, asError(err));
        this.pump();
      },
    );
  }
}

export function createSmtpPool(url: string, concurrency: number, timeoutMs: number): SmtpPool {
  return new ConnectionPool(connectionSettings(url, timeoutMs), concurrency);
}
