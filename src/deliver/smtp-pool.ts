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

type AcquireWaiter = (slot: Slot | null, err?: unknown) => void;

export function createSmtpPool(url: string, concurrency: number, timeoutMs: number): SmtpPool {
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

  return {
    acquire: () =>
      new Promise((resolve, reject) => {
        if (closed) return reject(new SendError('ECONNECTION', 'the SMTP mailer is closed'));
        waiting.push((slot, err) => (slot ? resolve(slot) : reject(err)));
        pump();
      }),
    release(slot) {
      slot.busy = false;
      if (slot.dead || closed || slot.messages >= MAX_MESSAGES_PER_CONNECTION) {
        if (!slot.dead && !closed) slot.connection.quit();
        retire(slot);
        return;
      }
      idle.push(slot);
      pump();
    },
    retire,
    drain() {
      closed = true;
      for (const w of waiting.splice(0)) w(null, new SendError('ECONNECTION', 'the SMTP mailer is closed'));
      for (const slot of idle.splice(0)) {
        slot.connection.quit();
        retire(slot);
      }
    },
    cutAll() {
      for (const slot of [...slots]) retire(slot);
    },
  };
}
