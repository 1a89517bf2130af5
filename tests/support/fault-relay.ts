// fault-relay: a small SMTP server written on raw TCP, for the faults smtp-server cannot stage
// precisely: a reply withheld after the final ".", a connection dropped after it, a reply that comes
// later than the client's timeout. Each message's fault is picked by the test (by recipient, by
// count, at random with a seed); the relay keeps the truth — which messages it took — so a test can
// compare the delivery log with it.
//
//   const relay = await startFaultRelay({ pick: (m) => (m.to === 'slow@example.org' ? { kind: 'late-reply', delayMs: 1500 } : { kind: 'accept' }) });
//   relay.url                            smtp://127.0.0.1:<port>
//   relay.taken                          messages the relay took (it replied 250, or it keeps them despite a fault)
//   relay.takenBy(messageId)             how many times that Message-ID was taken
//   relay.seen                           every message whose data began, with its fault
//   relay.setConnectionFault(f)          from now on, each new connection's fault (a relay that goes down and comes back)
//
// Faults (Fault.kind), per message unless said:
//   accept                   250 after the final "."
//   greeting-421             (per connection: `connectionFault`) 421 as the greeting, then close
//   stall-greeting           (per connection) never greets
//   rcpt-451 | rcpt-452 | rcpt-550   that reply to RCPT TO; the session goes on
//   data-554                 554 after the final "." (not taken)
//   drop-mid-data            the connection is cut when the first data bytes arrive (never taken)
//   drop-after-dot           the whole message and its "." arrive, the connection is cut with no reply;
//                            `keep` says whether the relay took it anyway (a real relay may have queued it)
//   stall-after-dot          the whole message arrives, no reply ever (`keep` as above)
//   late-reply               250 after `delayMs` (taken, whether or not the client still listens)
import net from 'node:net';

export type Fault =
  | { kind: 'accept' }
  | { kind: 'rcpt-451' | 'rcpt-452' | 'rcpt-550' }
  | { kind: 'data-554' }
  | { kind: 'drop-mid-data' }
  | { kind: 'drop-after-dot'; keep: boolean }
  | { kind: 'stall-after-dot'; keep: boolean }
  | { kind: 'late-reply'; delayMs: number };

export type ConnectionFault = { kind: 'none' } | { kind: 'greeting-421' } | { kind: 'stall-greeting' };

export interface RelayMessage {
  from: string;
  to: string;
  /** without angle brackets */
  messageId: string | null;
  bytes: number;
  fault: Fault['kind'];
  at: number;
}

export interface FaultRelayOptions {
  /** the fault of each message, from its envelope (called at RCPT TO) */
  pick?: (message: { from: string; to: string; index: number }) => Fault;
  /** the fault of each new connection */
  connectionFault?: (index: number) => ConnectionFault;
}

export interface FaultRelay {
  readonly url: string;
  readonly port: number;
  /** messages the relay took, in the order it took them */
  readonly taken: readonly RelayMessage[];
  /** every message whose data arrived in full or in part, with its fault */
  readonly seen: readonly RelayMessage[];
  readonly connections: number;
  takenBy(messageId: string): number;
  /** resolves once `count` messages were taken */
  waitForTaken(count: number, timeoutMs?: number): Promise<void>;
  setPick(pick: FaultRelayOptions['pick']): void;
  setConnectionFault(fault: FaultRelayOptions['connectionFault']): void;
  close(): Promise<void>;
}

const REPLY: Record<string, string> = {
  'rcpt-451': '451 4.3.0 Temporary local problem, try again later',
  'rcpt-452': '452 4.2.2 Mailbox full',
  'rcpt-550': '550 5.1.1 Recipient address rejected: User unknown',
  'data-554': '554 5.6.0 Transaction failed: message refused',
};

export async function startFaultRelay(options: FaultRelayOptions = {}): Promise<FaultRelay> {
  let pick = options.pick ?? (() => ({ kind: 'accept' }));
  let connectionFault = options.connectionFault;
  const taken: RelayMessage[] = [];
  const seen: RelayMessage[] = [];
  const byId = new Map<string, number>();
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let messages = 0;
  let waiters: Array<() => void> = [];

  const take = (m: RelayMessage) => {
    taken.push(m);
    if (m.messageId) byId.set(m.messageId, (byId.get(m.messageId) ?? 0) + 1);
    for (const w of waiters) w();
  };

  const server = net.createServer((socket) => {
    const index = connections++;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
    const fault = connectionFault?.(index) ?? { kind: 'none' };
    if (fault.kind === 'stall-greeting') return;
    if (fault.kind === 'greeting-421') {
      socket.end('421 4.3.2 Service shutting down\r\n');
      return;
    }
    const write = (line: string) => {
      if (!socket.destroyed) socket.write(`${line}\r\n`);
    };
    write('220 fault-relay.test ESMTP');

    let buffer = Buffer.alloc(0);
    let dead = false; // stalled for good: whatever comes is ignored
    let inData = false;
    let data: Buffer[] = [];
    let dataBytes = 0;
    let from = '';
    let to: string | null = null;
    let current: Fault = { kind: 'accept' };
    const record = (): RelayMessage => {
      const raw = Buffer.concat(data).toString('latin1');
      const head = raw.slice(0, raw.indexOf('\r\n\r\n') >>> 0);
      const id = /^Message-ID:\s*<([^>]+)>/im.exec(head)?.[1] ?? null;
      return { from, to: to ?? '', messageId: id, bytes: dataBytes, fault: current.kind, at: Date.now() };
    };

    const endOfData = () => {
      inData = false;
      const message = record();
      seen.push(message);
      data = [];
      dataBytes = 0;
      const f = current;
      to = null;
      switch (f.kind) {
        case 'data-554':
          write(REPLY['data-554']!);
          return;
        case 'drop-after-dot':
          if (f.keep) take(message);
          socket.destroy();
          return;
        case 'stall-after-dot':
          if (f.keep) take(message);
          dead = true;
          return;
        case 'late-reply':
          take(message);
          setTimeout(() => write('250 2.0.0 Ok: queued (late)'), f.delayMs).unref();
          return;
        default:
          take(message);
          write(`250 2.0.0 Ok: queued as ${taken.length}`);
      }
    };

    const command = (line: string) => {
      const verb = line.slice(0, 4).toUpperCase();
      switch (verb) {
        case 'EHLO':
          write('250-fault-relay.test');
          write('250-PIPELINING');
          write('250-8BITMIME');
          write('250 SMTPUTF8');
          return;
        case 'HELO':
          write('250 fault-relay.test');
          return;
        case 'MAIL':
          from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          write('250 2.1.0 Ok');
          return;
        case 'RCPT': {
          const address = /<([^>]*)>/.exec(line)?.[1] ?? '';
          current = pick({ from, to: address, index: messages++ });
          const reply = REPLY[current.kind];
          if (reply && current.kind.startsWith('rcpt-')) {
            write(reply);
            return;
          }
          to = address;
          write('250 2.1.5 Ok');
          return;
        }
        case 'DATA':
          if (!to) {
            write('554 5.5.1 Error: no valid recipients');
            return;
          }
          inData = true;
          write('354 End data with <CR><LF>.<CR><LF>');
          return;
        case 'RSET':
          to = null;
          write('250 2.0.0 Ok');
          return;
        case 'NOOP':
          write('250 2.0.0 Ok');
          return;
        case 'QUIT':
          socket.end('221 2.0.0 Bye\r\n');
          return;
        default:
          write('502 5.5.2 Error: command not recognized');
      }
    };

    socket.on('data', (chunk: Buffer) => {
      if (dead) return;
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (dead) return;
        if (inData) {
          if (current.kind === 'drop-mid-data' && to !== null) {
            dataBytes += buffer.length;
            seen.push(record());
            socket.destroy();
            return;
          }
          const end = buffer.indexOf('\r\n.\r\n');
          // the data may start with ".\r\n" (empty message) or end exactly at the buffer's start
          const atStart = dataBytes === 0 && buffer.subarray(0, 3).toString() === '.\r\n';
          if (end === -1 && !atStart) {
            // keep the last 4 bytes: the terminator may straddle two chunks
            if (buffer.length > 4) {
              data.push(buffer.subarray(0, buffer.length - 4));
              dataBytes += buffer.length - 4;
              buffer = buffer.subarray(buffer.length - 4);
            }
            return;
          }
          const cut = atStart ? 0 : end + 2;
          data.push(buffer.subarray(0, cut));
          dataBytes += cut;
          buffer = buffer.subarray(cut + 3);
          endOfData();
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol === -1) return;
        const line = buffer.subarray(0, eol).toString('utf8');
        buffer = buffer.subarray(eol + 2);
        command(line);
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    taken,
    seen,
    get connections() {
      return connections;
    },
    takenBy: (messageId) => byId.get(messageId) ?? 0,
    waitForTaken(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (taken.length < count) return;
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== check);
          reject(new Error(`fault-relay: ${taken.length} of ${count} messages taken after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(check);
        check();
      });
    },
    setPick(next) {
      pick = next ?? (() => ({ kind: 'accept' }));
    },
    setConnectionFault(next) {
      connectionFault = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
