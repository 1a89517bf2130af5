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

export function connectSmtp(port: number, options: { host?: string; localAddress?: string } = {}): Promise<RawSmtp> {
  const socket = net.connect({ port, host: options.host ?? '127.0.0.1', ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
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
}

/**
 * Sends MAIL FROM, RCPT TO and DATA, then a message of `totalBytes` made on the fly (one 64 KiB
 * chunk of 1,000-byte lines written again and again, with backpressure: nothing of it is kept), and
 * the final "." if it gets that far. Stops writing as soon as the server replies.
 */
export async function streamMessage(client: RawSmtp, rcpt: string, totalBytes: number): Promise<StreamResult> {
  for (const line of ['EHLO stream.example', 'MAIL FROM:<>', `RCPT TO:<${rcpt}>`, 'DATA']) {
    const r = await client.command(line);
    if (!r || r.code >= 400) return { written: 0, finished: false, reply: r };
  }
  const line = `${'x'.repeat(998)}\r\n`;
  const chunk = Buffer.from(line.repeat(64));
  const head = Buffer.from('From: <stream@example.net>\r\nSubject: a very large message\r\nMessage-ID: <stream@example.net>\r\n\r\n');
  let answer: Reply | null | undefined;
  const answered = client.reply().then((r) => (answer = r));
  const { socket } = client;
  const write = (b: Buffer) => (socket.destroyed || !socket.writable ? true : socket.write(b));
  let written = 0;
  let drained = write(head);
  written += head.length;
  while (written < totalBytes && answer === undefined && !client.isClosed()) {
    if (!drained) {
      await Promise.race([new Promise((r) => socket.once('drain', r)), answered, client.closed]);
      if (answer !== undefined || client.isClosed()) break;
    }
    drained = write(chunk);
    written += chunk.length;
  }
  let finished = false;
  if (answer === undefined && !client.isClosed()) {
    write(Buffer.from('.\r\n'));
    finished = true;
  }
  return { written, finished, reply: (await answered) ?? null };
}
