// The built-in receiver for BOUNCE_DOMAIN (BOUNCE_SMTP_PORT): an SMTP server (smtp-server) that takes
// mail only for the signed addresses paperboy issued — refused at RCPT TO otherwise, before any data —
// and hands each message to receiveMessage. Its address is public (the MX of BOUNCE_DOMAIN, and
// complaints@ takes mail from anyone), so everything it holds is bounded:
//   size      a message is read up to `maxBytes`; past it, 552 at once, the connection closed and not
//             read any further (receiver-sockets.ts). smtp-server updates the data stream's
//             `sizeExceeded` as the bytes come (3.21+); its own `rejectOversized` answers only after
//             the whole message has arrived, which is what let 1 GB in.
//   memory    what all connections hold together is at most `memoryBudgetBytes`: a message that would
//             pass it is answered 452 at once (try later) — many senders at once cannot fill memory
//   clients   connection-gate.ts: `maxPerClient` sockets per client (counted from TCP accept),
//             `maxConnections` in all, the connection open the longest without a transaction closed
//             to make room for a newcomer
//   time      `idleTimeoutMs` without a command (smtp-server's socketTimeout) or `maxSessionMs` in all
//             closes a connection with 421
// Answers: 5xx for what will never work (an address we did not sign, a message that is no report or
// cannot be parsed at all, too large); 4xx only for what may work later (our database away, memory
// taken by others, no connection free): the sending MTA tries again and nothing is lost.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { admitConnection } from './connection-gate.ts';
import { checkRecipient, receiveMessage, type ReceiveDeps } from './receive-message.ts';
import { ReceiverSockets } from './receiver-sockets.ts';

export interface ReceiverOptions {
  port: number;
  host: string;
  /** largest message taken, in bytes (a DSN returns at most the original message: ours are small) */
  maxBytes?: number;
  /** connections held at once, from all clients */
  maxConnections?: number;
  /** connections held at once by one client (an IPv4 address, an IPv6 /56) */
  maxPerClient?: number;
  /** a connection that sends nothing for this long is closed (421) */
  idleTimeoutMs?: number;
  /** a connection open this long is closed (421), whatever it is doing */
  maxSessionMs?: number;
  /** bytes of messages held by all connections together */
  memoryBudgetBytes?: number;
}

const RECEIVER_LIMITS = {
  maxBytes: 2 * 1024 * 1024,
  maxConnections: 100,
  maxPerClient: 10,
  idleTimeoutMs: 30_000,
  maxSessionMs: 10 * 60_000,
  memoryBudgetBytes: 32 * 1024 * 1024,
} as const;

export interface BounceReceiver {
  port: number;
  /** connections let in, and bytes of messages held right now */
  stats(): { connections: number; heldBytes: number };
  close(): Promise<void>;
}

function reply(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

type Limits = Record<keyof typeof RECEIVER_LIMITS, number>;
type Callback = (err?: Error | null, message?: string) => void;

function resolveLimits(options: ReceiverOptions): Limits {
  return Object.fromEntries(Object.entries(RECEIVER_LIMITS).map(([k, v]) => [k, options[k as keyof typeof RECEIVER_LIMITS] ?? v])) as Limits;
}

/** What the receiver holds across connections: when each was let in, their deadlines, the bytes of messages held. */
class ReceiverState {
  /** sessions let in (connection-gate), with when */
  readonly admitted = new WeakMap<SMTPServerSession, number>();
  readonly deadlines = new Map<SMTPServerSession, NodeJS.Timeout>();
  heldBytes = 0;
  server!: SMTPServer;

  constructor(
    readonly deps: ReceiveDeps,
    readonly limits: Limits,
  ) {}

  readonly tooLarge = () => `5.3.4 message larger than ${this.limits.maxBytes} bytes`;

  refused(reason: string, detail: Record<string, unknown>, message: string): void {
    this.deps.metrics.inboundRefused(reason, 'smtp');
    this.deps.log.warn({ event: 'inbound.refused', via: 'smtp', reason, ...detail }, `refused an inbound message: ${message}`);
  }

  /** answers now, in the middle of whatever the client is sending, and closes the connection (read no further: receiver-sockets.ts) */
  cut(session: SMTPServerSession, code: number, message: string): void {
    const connection = [...this.server.connections].find((c) => c.session === session);
    if (!connection) return;
    connection.send(code, message);
    if (code !== 421) connection.close(); // send() closes after a 421 itself
  }

  held() {
    return [...this.server.connections]
      .filter((c) => this.admitted.has(c.session))
      .map((c) => ({ connection: c, busy: Boolean(c.session.envelope?.mailFrom), since: this.admitted.get(c.session)! }));
  }
}

function onConnect(state: ReceiverState, session: SMTPServerSession, callback: Callback): void {
  const { limits, deps } = state;
  const decision = admitConnection(state.held(), limits.maxConnections);
  if (!decision.admit) {
    state.refused('too_many_connections', { remote: session.remoteAddress, limit: 'all' }, `all ${limits.maxConnections} connections are busy`);
    return callback(reply(421, '4.7.0 every connection is busy, try again later'));
  }
  if (decision.evict) {
    const victim = decision.evict.connection;
    deps.log.info(
      { event: 'inbound.connection_closed', reason: 'idle_evicted', remote: victim.remoteAddress },
      'closed the connection idle the longest to answer a new client',
    );
    victim.send(421, '4.7.0 closing an idle connection to make room, try again later');
  }
  state.admitted.set(session, Date.now());
  const deadline = setTimeout(() => {
    deps.log.info(
      { event: 'inbound.connection_closed', reason: 'too_long', remote: session.remoteAddress },
      `closed a connection open for ${limits.maxSessionMs} ms`,
    );
    state.cut(session, 421, '4.4.2 connection open too long, try again later');
  }, limits.maxSessionMs);
  deadline.unref();
  state.deadlines.set(session, deadline);
  callback();
}

function onRcptTo(state: ReceiverState, address: SMTPServerAddress, session: SMTPServerSession, callback: Callback): void {
  const target = checkRecipient(state.deps.verp, address.address);
  if (typeof target === 'object' && 'reason' in target) {
    state.refused(target.reason, { rcpt: address.address.replace(/\+.*@/, '+…@'), remote: session.remoteAddress }, target.message);
    return callback(reply(550, `5.1.1 ${target.message}`));
  }
  callback();
}

function onData(state: ReceiverState, stream: SMTPServerDataStream, session: SMTPServerSession, callback: Callback): void {
  const { limits, deps } = state;
  const chunks: Buffer[] = [];
  let mine = 0; // bytes this message holds of the budget
  let over = false;
  const release = () => {
    state.heldBytes -= mine;
    mine = 0;
    chunks.length = 0;
  };
  // Past a limit the reply goes out at once and the connection is closed: the client learns now,
  // and nothing more of the message is read (smtp-server stops parsing a closed connection and
  // drops what still arrives). onData's callback is then never called: there is no transaction
  // left to answer. The stream is destroyed with the connection.
  const stop = (code: number, reason: string, message: string) => {
    over = true;
    release();
    state.refused(reason, { remote: session.remoteAddress }, message);
    state.cut(session, code, message);
  };
  stream.on('data', (chunk: Buffer) => {
    if (over) return;
    if (stream.sizeExceeded) return stop(552, 'too_large', state.tooLarge());
    if (state.heldBytes + chunk.length > limits.memoryBudgetBytes) return stop(452, 'busy', '4.3.1 too much mail being received at once, try again later');
    state.heldBytes += chunk.length;
    mine += chunk.length;
    chunks.push(chunk);
  });
  stream.on('error', release); // the client went away in the middle
  stream.on('end', () => {
    if (over) return;
    if (stream.sizeExceeded) {
      // (seen on the data of the last chunk already; kept in case smtp-server ever sets it later)
      release();
      state.refused('too_large', { remote: session.remoteAddress }, state.tooLarge());
      return callback(reply(552, state.tooLarge()));
    }
    const raw = Buffer.concat(chunks, mine);
    chunks.length = 0;
    const recipients = session.envelope.rcptTo.map((r) => r.address);
    receiveMessage(deps, raw, recipients)
      .then(
        (outcome) => {
          if (!outcome.accepted) {
            state.refused(outcome.reason, { remote: session.remoteAddress }, outcome.message);
            return callback(reply(550, `5.6.0 ${outcome.message}`));
          }
          callback(null, 'report handled');
        },
        (err: unknown) => {
          deps.log.error({ event: 'inbound.failed', via: 'smtp', err }, 'could not handle an inbound message: answered 451 (the sender tries again)');
          callback(reply(451, '4.3.0 temporary failure, try again later'));
        },
      )
      .finally(release);
  });
}

export async function startBounceReceiver(deps: ReceiveDeps, options: ReceiverOptions): Promise<BounceReceiver> {
  const limits = resolveLimits(options);
  const state = new ReceiverState(deps, limits);
  const server = new SMTPServer({
    name: deps.verp.domain,
    banner: 'paperboy bounce receiver',
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    size: limits.maxBytes,
    // a hard cap on sockets not yet decided on (smtp-server waits 100 ms for early talkers)
    maxClients: limits.maxConnections * 5,
    maxRecipients: 100,
    socketTimeout: limits.idleTimeoutMs,
    disableReverseLookup: true,
    logger: false,
    onConnect: (session, callback) => onConnect(state, session, callback),
    onClose(session: SMTPServerSession) {
      clearTimeout(state.deadlines.get(session));
      state.deadlines.delete(session);
    },
    onRcptTo: (address, session, callback) => onRcptTo(state, address, session, callback),
    onData: (stream, session, callback) => onData(state, stream, session, callback),
  });
  state.server = server;
  server.on('error', (err) => deps.log.warn({ event: 'inbound.receiver_error', err }, `bounce receiver: ${err.message}`));
  new ReceiverSockets(limits.maxPerClient).guard(server.server, (socket) =>
    state.refused(
      'too_many_connections',
      { remote: socket.remoteAddress, limit: 'client' },
      `too many connections from ${socket.remoteAddress} (${limits.maxPerClient})`,
    ),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  deps.log.info({ event: 'inbound.listening', port, domain: deps.verp.domain, limits }, `bounce receiver for ${deps.verp.domain} on port ${port}`);
  return {
    port,
    stats: () => ({ connections: state.held().length, heldBytes: state.heldBytes }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of state.deadlines.values()) clearTimeout(t);
        server.close(() => resolve());
        // the idle ones at once (smtp-server would wait for them up to 30 s); a message being
        // received is still answered
        for (const c of server.connections) if (!c.session.envelope?.mailFrom) c.send(421, '4.3.2 shutting down, try again later');
      }),
  };
}
