// The bounce receiver within bounds, tried as an attacker would from a raw socket: a message far
// over the size limit is answered 552 while it is still coming (nothing of it kept); one client
// holding idle connections cannot lock others out; when every connection is taken, the one idle the
// longest makes room; idle connections are closed; what all connections may hold at once is bounded
// (452, try later); and a message that will never parse is refused for good (5xx), not deferred.
// (The memory figure of a 1 GB stream against `serve` is a benchmark: npm run bench -- inbound.)
import { once } from 'node:events';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps, inboundDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { startBounceReceiver, type BounceReceiver, type ReceiverOptions } from '../../../src/inbound/smtp-receiver.ts';
import { addSubscribers, ingestSeeds, sendNow, startTestApp, type TestApp } from '../../support/app.ts';
import { gmailDelay, type Returned } from '../../support/bounce-reports.ts';
import { connectSmtp, flood, streamMessage, type RawSmtp } from '../../support/smtp-client.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';
import { stringMatching } from '../../support/matchers.ts';

const DOMAIN = 'bounce.papers.example.org';
const COMPLAINTS = `complaints@${DOMAIN}`;

describe('the bounce receiver within bounds', () => {
  let app: TestApp;
  let sink: SmtpSink;
  const open: RawSmtp[] = [];
  const receivers: BounceReceiver[] = [];

  const returned = (email: string): Returned => {
    const m = sink.messagesTo(email).at(-1)!;
    return { returnPath: m.envelope.from, to: email, messageId: m.messageId! };
  };
  const receiver = async (options: Partial<ReceiverOptions> = {}) => {
    const r = await startBounceReceiver({ ...inboundDeps(app.ctx), verp: app.ctx.verp! }, { port: 0, host: '127.0.0.1', ...options });
    receivers.push(r);
    return r;
  };
  const connect = async (port: number, localAddress?: string) => {
    const c = await connectSmtp(port, localAddress ? { localAddress } : {});
    open.push(c);
    return c;
  };
  /** a real report, delivered by nodemailer from `localAddress`: what an MTA elsewhere would do */
  const deliverFrom = async (port: number, localAddress: string, email: string) => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, localAddress, secure: false, ignoreTLS: true });
    try {
      return await transport.sendMail({ envelope: { from: '', to: [returned(email).returnPath] }, raw: gmailDelay(returned(email)) });
    } finally {
      transport.close();
    }
  };
  const reports = () => app.ctx.db.prisma.inboundReport.count();

  beforeAll(async () => {
    sink = await startSmtpSink();
    app = await startTestApp('postgres', { SMTP_URL: sink.url, BOUNCE_DOMAIN: DOMAIN });
    await ingestSeeds(app);
    await addSubscribers(
      app,
      ['a', 'b', 'c', 'd'].map((n) => [`${n}@example.org`, ['scaling laws']] as [string, string[]]),
    );
    expect((await buildDigest(digestDeps(app.ctx))).kind).toBe('built');
    await sendNow(app);
  });
  afterAll(async () => {
    for (const c of open) c.destroy();
    for (const r of receivers) await r.close();
    await app?.close();
    await sink?.close();
  });

  it('answers 552 while a message over the limit is still coming, and keeps none of it', async () => {
    const r = await receiver({ maxBytes: 1024 * 1024 });
    const before = await reports();
    // a client that ignores the answer and the close, and goes on writing until it is cut off
    const client = await connectSmtp(r.port, { allowHalfOpen: true });
    open.push(client);
    const total = 256 * 1024 * 1024;
    const result = await streamMessage(client, COMPLAINTS, total, { relentless: true });
    expect(result.reply?.code).toBe(552);
    expect(result.reply?.text).toMatch(/^5\.3\.4 /);
    expect(result.finished).toBe(false); // the answer came before the end of the message
    // the rest is not read at all: what the client got out after the answer is what the TCP
    // buffers on both sides took before the receiver's window closed (a few MB), not the 255 MB left
    expect(result.pushed).toBeLessThan(48 * 1024 * 1024);
    expect(r.stats().heldBytes).toBe(0);
    expect(await reports()).toBe(before);
    expect(app.captured.events('inbound.refused').filter((e) => e.reason === 'too_large')).toHaveLength(1);
  });

  it('reads nothing more from a connection it has closed, whatever the client goes on sending', async () => {
    const r = await receiver();
    // a client that floods junk from the start: smtp-server answers 421 (a line too long, or talking
    // before the greeting) and closes; the client goes on
    const socket = net.connect({ port: r.port, host: '127.0.0.1', allowHalfOpen: true });
    await once(socket, 'connect');
    let replies = '';
    socket.on('data', (d: Buffer) => (replies += d.toString('latin1')));
    const pushed = await flood(socket, 256 * 1024 * 1024);
    socket.destroy();
    expect(replies).toMatch(/^421 /);
    expect(pushed).toBeLessThan(48 * 1024 * 1024); // what the TCP buffers took before the window closed, not 256 MB
  });

  it('lets one client hold only its share of connections: another is still answered, even during the flood', async () => {
    const r = await receiver();
    // 600 at once from one address: more than smtp-server's own cap on connections it has not yet greeted
    const flood = Promise.all(Array.from({ length: 600 }, () => connect(r.port, '127.0.0.1')));
    const info = await deliverFrom(r.port, '127.0.0.2', 'a@example.org');
    expect(info.response).toMatch(/^250 /);
    const idle = await flood;
    const greeted = idle.filter((c) => c.greeting?.code === 220);
    const turnedAway = idle.filter((c) => c.greeting?.code === 421);
    expect(greeted).toHaveLength(10);
    expect(turnedAway).toHaveLength(590);
    expect(turnedAway[0]!.greeting!.text).toMatch(/^4\.7\.0 too many connections from your address/);
    await Promise.all(turnedAway.map((c) => c.closed));
    expect((await deliverFrom(r.port, '127.0.0.2', 'a@example.org')).response).toMatch(/^250 /);
    expect(greeted.every((c) => !c.isClosed())).toBe(true); // the ten are still open: the limit did not close them
    expect(app.captured.events('inbound.refused').filter((e) => e.reason === 'too_many_connections')).toHaveLength(590);
  });

  it('when every connection is taken, closes the one idle the longest to answer a new client', async () => {
    const r = await receiver({ maxConnections: 6, maxPerClient: 2 });
    const held: RawSmtp[] = [];
    for (const address of ['127.0.0.3', '127.0.0.4', '127.0.0.5']) for (let i = 0; i < 2; i++) held.push(await connect(r.port, address));
    expect(held.map((c) => c.greeting?.code)).toEqual([220, 220, 220, 220, 220, 220]);
    // the oldest is in the middle of a mail transaction: busy, not idle
    expect((await held[0]!.command('EHLO busy.example'))?.code).toBe(250);
    expect((await held[0]!.command('MAIL FROM:<>'))?.code).toBe(250);
    const info = await deliverFrom(r.port, '127.0.0.6', 'b@example.org');
    expect(info.response).toMatch(/^250 /);
    expect(await held[1]!.reply()).toMatchObject({ code: 421 });
    await held[1]!.closed;
    expect(held[0]!.isClosed()).toBe(false);
    expect((await held[0]!.command(`RCPT TO:<${returned('b@example.org').returnPath}>`))?.code).toBe(250);
    expect(held.slice(2).every((c) => !c.isClosed())).toBe(true);
    expect(app.captured.events('inbound.connection_closed').filter((e) => e.reason === 'idle_evicted')).toHaveLength(1);
  });

  it('closes a connection that says nothing for the idle timeout', { timeout: 10_000 }, async () => {
    const r = await receiver({ idleTimeoutMs: 300 });
    const c = await connect(r.port);
    expect(c.greeting?.code).toBe(220);
    expect(await c.reply()).toMatchObject({ code: 421 });
    await c.closed;
  });

  it('closes a connection open longer than the session deadline, even one that keeps talking', { timeout: 10_000 }, async () => {
    const r = await receiver({ maxSessionMs: 500 });
    const c = await connect(r.port);
    let last = await c.command('EHLO chatty.example');
    while (last?.code === 250) {
      await new Promise((resolve) => setTimeout(resolve, 20)); // a client that pauses between commands, never idle for long
      last = await c.command('NOOP');
    }
    expect(last).toMatchObject({ code: 421, text: stringMatching(/^4\.4\.2 /) });
    await c.closed;
    expect(app.captured.events('inbound.connection_closed').filter((e) => e.reason === 'too_long')).toHaveLength(1);
  });

  it('answers 452 at once when a message would take more than all connections may hold together', async () => {
    const r = await receiver({ maxBytes: 64 * 1024 * 1024, memoryBudgetBytes: 8 * 1024 * 1024 });
    const first = await connect(r.port, '127.0.0.7');
    for (const line of ['EHLO first.example', 'MAIL FROM:<>', `RCPT TO:<${COMPLAINTS}>`, 'DATA']) expect((await first.command(line))?.code).toBeLessThan(400);
    const body = Buffer.from(`Subject: held\r\n\r\n${`${'y'.repeat(998)}\r\n`.repeat(6000)}`); // 6 MB, not ended yet
    first.socket.write(body);
    while (r.stats().heldBytes < body.length - 4) await new Promise((resolve) => setImmediate(resolve)); // the receiver holds it
    const second = await connect(r.port, '127.0.0.8');
    const result = await streamMessage(second, COMPLAINTS, 48 * 1024 * 1024); // under the size limit, over what is left
    expect(result.reply?.code).toBe(452);
    expect(result.reply?.text).toMatch(/^4\.3\.1 /);
    expect(result.finished).toBe(false);
    first.socket.write('.\r\n');
    expect(await first.reply()).toMatchObject({ code: 550 }); // read in full: it is no report
    await second.closed;
    expect(r.stats().heldBytes).toBe(0);
  });

  it('closes idle connections at once when it stops', { timeout: 10_000 }, async () => {
    const r = await startBounceReceiver({ ...inboundDeps(app.ctx), verp: app.ctx.verp! }, { port: 0, host: '127.0.0.1' });
    const c = await connect(r.port);
    expect(c.greeting?.code).toBe(220);
    await r.close(); // smtp-server alone waits up to 30 s for a connection to end
    expect(await c.reply()).toMatchObject({ code: 421 });
  });

  it('refuses for good (5xx) a message that will never parse, instead of 451 for days', async () => {
    const r = await receiver();
    const before = await reports();
    const parts = Array.from({ length: 1200 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
    const raw =
      `From: <mailer-daemon@example.net>\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; ` + `boundary=b\r\n\r\n${parts}--b--\r\n`;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: r.port, secure: false, ignoreTLS: true });
    try {
      const err = await transport.sendMail({ envelope: { from: '', to: [COMPLAINTS] }, raw }).then(
        () => null,
        (e: { responseCode?: number; response?: string }) => e,
      );
      expect(err?.responseCode).toBe(550);
      expect(err?.response).toMatch(/5\.6\.0 .*cannot be read/);
    } finally {
      transport.close();
    }
    expect(await reports()).toBe(before);
    expect(app.captured.events('inbound.failed')).toHaveLength(0);
    expect(app.captured.events('inbound.refused').filter((e) => e.reason === 'malformed' && e.via === 'smtp')).toHaveLength(1);
  });
});
