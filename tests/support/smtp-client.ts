// A raw SMTP client over a TCP socket, for what nodemailer will not do on purpose: hold a connection
// open and say nothing, connect from another loopback address (127.0.0.2 …: every 127/8 address is
// this machine on Linux), or stream a huge message generated on the fly and watch for a reply while
// it is still being written. Used by the inbound tests and the inbound benchmark.
import net from 'node:net';

export interface Reply {
  code: number;
  text: string;
}

export interface RawSmtp {
  socket: net.Socket;
  /** the server's first reply: 220, or 421 when it turned the connection away */
  greeting: Reply | null;
  /** the next reply not yet taken, or null once the connection is closed */
  reply(): Promise<Reply | null>;
  /** writes one command line and waits for its reply */
  command(line: string): Promise<Reply | null>;
  /** resolves when the server has closed the connection (or it was destroyed) */
  closed: Promise<void>;
  isClosed(): boolean;
  destroy(): void;
}

/** allowHalfOpen: keep our side writable after the server closes its side (an attacker that ignores the close) */
export function connectSmtp(port: number, options: { host?: string; localAddress?: string; allowHalfOpen?: boolean } = {}): Promise<RawSmtp> {
  const socket = net.connect({
    port,
    host: options.host ?? '127.0.0.1',
    allowHalfOpen: options.allowHalfOpen ?? false,
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
  });
  const replies: Reply[] = [];
  const waiting: Array<(r: Reply | null) => void> = [];
  let buffer = '';
  let lines: string[] = [];
  let ended = false;
  socket.setEncoding('latin1');
  socket.on('data', (text: string) => {
    buffer += text;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        const reply = { code: Number(line.slice(0, 3)), text: lines.map((l) => l.slice(4)).join('\n') };
        lines = [];
        const next = waiting.shift();
        if (next) next(reply);
        else replies.push(reply);
      }
    }
  });
  const closed = new Promise<void>((resolve) => {
    const done = () => {
      if (ended) return;
      ended = true;
      for (const w of waiting.splice(0)) w(null);
      resolve();
    };
    socket.on('end', done);
    socket.on('close', done);
  });
  socket.on('error', () => undefined); // a reset after the server's close: `closed` says it
  const reply = (): Promise<Reply | null> => {
    const r = replies.shift();
    if (r) return Promise.resolve(r);
    if (ended) return Promise.resolve(null);
    return new Promise((resolve) => waiting.push(resolve));
  };
  const client: Omit<RawSmtp, 'greeting'> = {
    socket,
    reply,
    command(line) {
      if (!socket.destroyed && socket.writable) socket.write(`${line}\r\n`);
      return reply();
    },
    closed,
    isClosed: () => ended,
    destroy: () => socket.destroy(),
  };
  return new Promise((resolve, reject) => {
    socket.once('connect', () => void reply().then((greeting) => resolve({ ...client, greeting })));
    socket.once('error', reject);
  });
}

export interface StreamResult {
  /** bytes of message data written before the server answered (or all of them) */
  written: number;
  /** whether the whole message and its final "." went out before the server's reply came */
  finished: boolean;
  reply: Reply | null;
  /** relentless: bytes written in all, until the server cut the connection (or all of them) */
  pushed: number;
  /** ms from the start of the data to the reply, and to the end of writing */
  replyAfterMs: number | null;
  stoppedAfterMs: number;
}

/**
 * Sends MAIL FROM, RCPT TO and DATA, then a message of `totalBytes` made on the fly (one 64 KiB
 * chunk of 1,000-byte lines written again and again, with backpressure: nothing of it is kept), and
 * the final "." if it gets that far. Stops writing as soon as the server replies — or, `relentless`
 * (connect with allowHalfOpen), goes on writing whatever the server says until it cuts the connection.
 */
export async function streamMessage(client: RawSmtp, rcpt: string, totalBytes: number, { relentless = false } = {}): Promise<StreamResult> {
  for (const line of ['EHLO stream.example', 'MAIL FROM:<>', `RCPT TO:<${rcpt}>`, 'DATA']) {
    const r = await client.command(line);
    if (!r || r.code >= 400) return { written: 0, finished: false, reply: r, pushed: 0, replyAfterMs: null, stoppedAfterMs: 0 };
  }
  const line = `${'x'.repeat(998)}\r\n`;
  const chunk = Buffer.from(line.repeat(64));
  const head = Buffer.from('From: <stream@example.net>\r\nSubject: a very large message\r\nMessage-ID: <stream@example.net>\r\n\r\n');
  const { socket } = client;
  let answer: Reply | null | undefined;
  let answeredAt: number | null = null;
  let writtenAtAnswer = 0;
  let pushed = 0;
  const dataStart = performance.now();
  const answered = client.reply().then((r) => {
    answer = r;
    answeredAt = performance.now();
    writtenAtAnswer = pushed;
    return r;
  });
  let dead = false;
  const gone = new Promise<void>((resolve) => {
    const die = () => ((dead = true), resolve());
    socket.once('close', die);
    socket.once('error', die);
  });
  const writable = () => !dead && !socket.destroyed && socket.writable && (relentless || (answer === undefined && !client.isClosed()));
  const write = (b: Buffer) => {
    pushed += b.length;
    return socket.write(b);
  };
  /** until the socket drains, or goes; or (not relentless) the server answers or closes its side */
  const drain = () =>
    new Promise<void>((resolve) => {
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
      if (!relentless) void Promise.race([answered, client.closed]).then(done);
    });
  let drained = write(head);
  while (pushed < totalBytes && writable()) {
    if (!drained) {
      await drain();
      if (!writable()) break;
    }
    drained = write(chunk);
  }
  let finished = false;
  if (answer === undefined && writable()) {
    write(Buffer.from('.\r\n'));
    finished = true;
  }
  const stoppedAfterMs = performance.now() - dataStart;
  const reply = await Promise.race([answered, gone.then(() => answer ?? null)]);
  return {
    written: answer === undefined ? pushed : writtenAtAnswer,
    finished,
    reply: reply ?? null,
    pushed,
    replyAfterMs: answeredAt === null ? null : answeredAt - dataStart,
    stoppedAfterMs,
  };
}

/**
 * Writes `totalBytes` of junk (one 64 KiB chunk again and again, with backpressure) to a socket
 * whatever comes back, until the other side cuts it off; returns how much got out. The socket should
 * allow half-open (a client that ignores the server's close).
 */
export async function flood(socket: net.Socket, totalBytes: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let pushed = 0;
  let dead = socket.destroyed;
  const die = () => (dead = true);
  socket.once('close', die);
  socket.once('error', die);
  while (pushed < totalBytes && !dead && socket.writable) {
    pushed += chunk.length;
    if (!socket.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    }
  }
  return pushed;
}
