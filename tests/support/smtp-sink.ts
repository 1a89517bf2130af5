// smtp-sink: a real SMTP server (smtp-server) in the test process, on 127.0.0.1 and a free port,
// that keeps every message it accepts — raw bytes, envelope and the mailparser result — and can be
// told to misbehave. No AUTH and no STARTTLS unless asked.
//
//   const sink = await startSmtpSink();                 // accepts everything
//   const mailer = createSmtpMailer({ url: sink.url, concurrency: 4, timeoutMs: 2000 });
//   await mailer.send(message);                         // when send() resolves, the message is in sink.messages
//   const [m] = await sink.waitFor(1);                  // or wait for n messages (default 20 s, then a clear error)
//   m.envelope.to; m.parsed.subject; m.parsed.text; m.parsed.html; m.messageId; m.header('List-Id');
//   sink.messagesTo('a@example.org'); sink.stats.accepted;
//   sink.setBehaviour({ rejectRecipients: { 'gone@example.org': 550 } });
//   sink.dropConnections();                             // cut every open connection (relay restart)
//   sink.reset();                                       // no messages, counters 0, the start behaviour
//   await sink.close();                                 // cuts open (pooled) connections, no 30 s wait
//
// Behaviour (SinkBehaviour, at start or with setBehaviour; checked on every command):
//   rejectRecipients { address: 550 | { code, message } }  refuse those RCPT TO (case-insensitive)
//   failFirst { stage: 'rcpt' | 'data', times, code = 451 } answer the first `times` attempts with
//                                                          code, then accept (counter resets with setBehaviour)
//   rejectData { code: 554 }                            refuse every message after its data
//   stall 'greeting' | 'mail' | 'data'                  never answer: no 220 banner / MAIL FROM / after the data
//   stallRecipients [address]                           take the whole message to these, never answer after its data
//   dropDuringData true | n                             cut the TCP connection once message bytes arrive
//                                                          (every message, or the first n)
//   dataDelayMs                                         wait before answering the data (keeps connections busy)
// Options: auth { user, pass } requires AUTH PLAIN/LOGIN (wrong credentials get 535, sink.url carries
// the right ones); starttls: true advertises STARTTLS with smtp-server's built-in test certificate;
// lmtp: true speaks LMTP (refusals after the data come per recipient, inside a "successful" send).
// stats: connections, rcpt / rcptRejected, data (messages whose data began) / dataRejected, dropped,
// accepted — an exactly-once test compares `accepted` with the distinct Message-IDs. `errors` holds
// what smtp-server reported (client resets …). Parsing skips textAsHtml (parsed.text/html are there).
// Fast enough for bulk tests: 2,000 small messages arrive in a few seconds over 8 pooled connections
// (CPU-bound: nodemailer, smtp-server and mailparser share the test's one thread; replies go out
// with TCP_NODELAY, or every reply waits on a delayed ACK).
import net from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export interface SinkReply {
  code: number;
  message?: string;
}

export interface SinkBehaviour {
  rejectRecipients?: Record<string, number | SinkReply>;
  failFirst?: { stage: 'rcpt' | 'data'; times: number; code?: number; message?: string };
  rejectData?: SinkReply;
  stall?: 'greeting' | 'mail' | 'data';
  stallRecipients?: string[];
  dropDuringData?: boolean | number;
  dataDelayMs?: number;
}

export interface SmtpSinkOptions {
  behaviour?: SinkBehaviour;
  auth?: { user: string; pass: string };
  starttls?: boolean;
  /** speak LMTP: a data refusal is then one reply per recipient after a successful DATA */
  lmtp?: boolean;
}

export interface SinkMessage {
  envelope: { from: string; to: string[] };
  /** the message as received (CRLF line ends, dot-unstuffed) */
  raw: Buffer;
  parsed: ParsedMail;
  /** Message-ID without the angle brackets */
  messageId: string | undefined;
  /** first raw header line of that name, unfolded, without "Name: " — exactly what was sent */
  header(name: string): string | undefined;
  sessionId: string;
  receivedAt: Date;
}

export interface SinkStats {
  connections: number;
  rcpt: number;
  rcptRejected: number;
  data: number;
  dataRejected: number;
  dropped: number;
  accepted: number;
}

export interface SmtpSink {
  readonly url: string;
  readonly port: number;
  readonly messages: readonly SinkMessage[];
  readonly stats: Readonly<SinkStats>;
  /** errors smtp-server reported (client resets and the like); informational */
  readonly errors: readonly Error[];
  messagesTo(address: string): SinkMessage[];
  waitFor(count: number, timeoutMs?: number): Promise<SinkMessage[]>;
  setBehaviour(behaviour: SinkBehaviour): void;
  /** cut every open connection now (a relay restart, an idle timeout); returns how many */
  dropConnections(): number;
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_TEXT: Record<number, string> = {
  421: '4.3.2 Service shutting down',
  450: '4.2.1 Mailbox unavailable, try again later',
  451: '4.3.0 Temporary local problem, try again later',
  452: '4.2.2 Mailbox full',
  550: '5.1.1 Recipient address rejected: User unknown',
  552: '5.3.4 Message too big',
  553: '5.1.3 Bad recipient address syntax',
  554: '5.6.0 Transaction failed: message refused',
};

function smtpError(reply: SinkReply): Error {
  const err = new Error(reply.message ?? DEFAULT_TEXT[reply.code] ?? 'Refused') as Error & { responseCode: number };
  err.responseCode = reply.code;
  return err;
}

function headerOf(raw: Buffer, name: string): string | undefined {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw
    .subarray(0, end === -1 ? raw.length : end)
    .toString('latin1')
    .replace(/\r\n[ \t]/g, ' ');
  const wanted = name.toLowerCase() + ':';
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(wanted));
  return line === undefined ? undefined : Buffer.from(line.slice(wanted.length).trim(), 'latin1').toString('utf8');
}

const zeroStats = (): SinkStats => ({ connections: 0, rcpt: 0, rcptRejected: 0, data: 0, dataRejected: 0, dropped: 0, accepted: 0 });

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  let behaviour: SinkBehaviour = { ...options.behaviour };
  let failuresLeft = behaviour.failFirst?.times ?? 0;
  let dropsLeft = 0;
  const resetCounters = () => {
    failuresLeft = behaviour.failFirst?.times ?? 0;
    dropsLeft = typeof behaviour.dropDuringData === 'number' ? behaviour.dropDuringData : behaviour.dropDuringData ? Infinity : 0;
  };
  resetCounters();
  let messages: SinkMessage[] = [];
  let stats = zeroStats();
  const errors: Error[] = [];
  const sockets = new Map<number, net.Socket>();
  let waiters: Array<() => void> = [];

  const tempFailure = (stage: 'rcpt' | 'data'): Error | null => {
    const rule = behaviour.failFirst;
    if (!rule || rule.stage !== stage || failuresLeft <= 0) return null;
    failuresLeft--;
    return smtpError({ code: rule.code ?? 451, ...(rule.message ? { message: rule.message } : {}) });
  };

  const server = new SMTPServer({
    name: 'smtp-sink.test',
    logger: false,
    lmtp: options.lmtp ?? false,
    disableReverseLookup: true,
    maxAllowedUnauthenticatedCommands: false,
    disabledCommands: [...(options.starttls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    closeTimeout: 100,
    onConnect(_session, callback) {
      stats.connections++;
      if (behaviour.stall === 'greeting') return; // never greet
      callback();
    },
    onAuth(auth, _session, callback) {
      const ok = options.auth && auth.username === options.auth.user && auth.password === options.auth.pass;
      if (!ok) return callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      callback(null, { user: auth.username });
    },
    onMailFrom(_address, _session, callback) {
      if (behaviour.stall === 'mail') return; // never answer
      callback();
    },
    onRcptTo(address, _session, callback) {
      stats.rcpt++;
      const wanted = address.address.toLowerCase();
      const rule = Object.entries(behaviour.rejectRecipients ?? {}).find(([a]) => a.toLowerCase() === wanted)?.[1];
      const err = rule !== undefined ? smtpError(typeof rule === 'number' ? { code: rule } : rule) : tempFailure('rcpt');
      if (err) stats.rcptRejected++;
      callback(err);
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      stats.data++;
      const chunks: Buffer[] = [];
      const drop = dropsLeft > 0;
      if (drop) dropsLeft--;
      stream.on('data', (chunk: Buffer) => {
        if (drop) {
          stats.dropped++;
          sockets.get(session.remotePort)?.destroy();
          return;
        }
        chunks.push(chunk);
      });
      stream.on('end', () => void finish());
      const finish = async () => {
        if (drop) return;
        if (behaviour.stall === 'data') return; // took it all, never answers
        const stalled = new Set((behaviour.stallRecipients ?? []).map((a) => a.toLowerCase()));
        if (session.envelope.rcptTo.some((r) => stalled.has(r.address.toLowerCase()))) return;
        if (behaviour.dataDelayMs) await new Promise((r) => setTimeout(r, behaviour.dataDelayMs));
        const refusal = tempFailure('data') ?? (behaviour.rejectData ? smtpError(behaviour.rejectData) : null);
        if (refusal) {
          stats.dataRejected++;
          if (options.lmtp)
            return callback(
              null,
              session.envelope.rcptTo.map(() => refusal),
            );
          return callback(refusal);
        }
        const raw = Buffer.concat(chunks);
        try {
          const parsed = await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true });
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          messages.push({
            envelope: { from, to: session.envelope.rcptTo.map((r) => r.address) },
            raw,
            parsed,
            messageId: parsed.messageId?.replace(/^<|>$/g, ''),
            header: (name) => headerOf(raw, name),
            sessionId: session.id,
            receivedAt: new Date(),
          });
          stats.accepted++;
          for (const wake of waiters) wake();
          callback(null, `2.0.0 Ok: queued as ${session.id}.${stats.accepted}`);
        } catch (err) {
          errors.push(err as Error);
          callback(smtpError({ code: 554, message: `5.6.0 unparseable message: ${(err as Error).message}` }));
        }
      };
    },
  });
  server.on('error', (err: Error) => errors.push(err));
  server.server.on('connection', (socket: net.Socket) => {
    const port = socket.remotePort ?? 0;
    socket.setNoDelay(true); // without it every reply waits on delayed ACKs: 3x slower
    sockets.set(port, socket);
    socket.once('close', () => sockets.delete(port));
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as net.AddressInfo).port;
  const credentials = options.auth ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@` : '';

  return {
    url: `smtp://${credentials}127.0.0.1:${port}`,
    port,
    get messages() {
      return messages;
    },
    get stats() {
      return stats;
    },
    errors,
    messagesTo(address) {
      const wanted = address.toLowerCase();
      return messages.filter((m) => m.envelope.to.some((to) => to.toLowerCase() === wanted));
    },
    waitFor(count, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== check);
          resolve(messages.slice());
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== check);
          reject(new Error(`smtp-sink: ${messages.length} of ${count} messages after ${timeoutMs} ms (stats ${JSON.stringify(stats)})`));
        }, timeoutMs);
        waiters.push(check);
        check();
      });
    },
    setBehaviour(next) {
      behaviour = { ...next };
      resetCounters();
    },
    dropConnections() {
      const open = [...sockets.values()];
      for (const socket of open) socket.destroy();
      return open.length;
    },
    reset() {
      messages = [];
      stats = zeroStats();
      errors.length = 0;
      behaviour = { ...options.behaviour };
      resetCounters();
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets.values()) socket.destroy();
      });
    },
  };
}
