// Bounces and complaints that arrive after the relay's 250: real-shaped DSNs (Postfix, Exim, Gmail,
// Exchange Online) and an ARF complaint, delivered over SMTP to the built-in receiver at the VERP
// address the digest went out with → the right delivery and subscriber change. A forged token, an
// unsigned complaint or a message that is not a report is refused, and nothing changes.
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps, inboundDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { startBounceReceiver, type BounceReceiver } from '../../../src/inbound/smtp-receiver.ts';
import { createWebApp } from '../../../src/web/app.ts';
import { addSubscribers, ingestSeeds, sendNow, startTestApp, type TestApp } from '../../support/app.ts';
import {
  arfComplaint,
  autoReply,
  eximHardBounce,
  gmailDelay,
  gmailHardBounce,
  mailtoUnsubscribe,
  outlookMailboxFull,
  postfixHardBounce,
  type Returned,
} from '../../support/bounce-reports.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';

const DOMAIN = 'bounce.papers.example.org';
const READERS = ['postfix', 'exim', 'gmail', 'outlook', 'delayed', 'complainer', 'mailto', 'forged', 'other'].map((n) => `${n}@example.org`);

describe('bounces and complaints over SMTP', () => {
  let app: TestApp;
  let sink: SmtpSink;
  let receiver: BounceReceiver;
  let transport: ReturnType<typeof nodemailer.createTransport>;

  const subscriber = (email: string) => app.ctx.db.prisma.subscriber.findFirstOrThrow({ where: { email } });
  const delivery = (email: string) => app.ctx.db.prisma.delivery.findFirstOrThrow({ where: { subscriber: { email } } });
  const reports = () => app.ctx.db.prisma.inboundReport.count();
  const returned = (email: string): Returned => {
    const m = sink.messagesTo(email).at(-1)!;
    return { returnPath: m.envelope.from, to: email, messageId: m.messageId! };
  };
  /** delivers a raw message to the receiver as an MTA would (null sender for reports) */
  const deliver = (to: string, raw: string, from = ''): Promise<SMTPTransport.SentMessageInfo> => transport.sendMail({ envelope: { from, to: [to] }, raw });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected a refusal');
      },
      (err: { responseCode?: number; response?: string }) => err,
    );

  beforeAll(async () => {
    sink = await startSmtpSink();
    app = await startTestApp('postgres', { SMTP_URL: sink.url, BOUNCE_DOMAIN: DOMAIN, BOUNCE_LIMIT: '2' });
    await ingestSeeds(app);
    await addSubscribers(
      app,
      READERS.map((e) => [e, ['scaling laws']] as [string, string[]]),
    );
    expect((await buildDigest(digestDeps(app.ctx))).kind).toBe('built');
    expect(await sendNow(app)).toMatchObject({ sent: READERS.length });
    receiver = await startBounceReceiver({ ...inboundDeps(app.ctx), verp: app.ctx.verp! }, { port: 0, host: '127.0.0.1' });
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: receiver.port, secure: false, ignoreTLS: true });
  });
  afterAll(async () => {
    transport?.close();
    await receiver?.close();
    await app?.close();
    await sink?.close();
  });

  it('sends each delivery with its own signed return path and a mailto: unsubscribe', async () => {
    const m = sink.messagesTo('postfix@example.org')[0]!;
    const d = await delivery('postfix@example.org');
    expect(m.envelope.from).toBe(app.ctx.verp!.bounceAddress(d.id, 1));
    expect(m.header('List-Unsubscribe')).toMatch(
      new RegExp(
        `^<http://localhost:3000/unsubscribe\\?token=[^>]+>, <mailto:unsubscribe\\+[0-9a-z]+-[0-9a-f]{20}@${DOMAIN.replace(/\./g, '\\.')}\\?subject=unsubscribe>$`,
      ),
    );
  });

  it.each([
    ['Postfix', 'postfix@example.org', postfixHardBounce, '5.1.1'],
    ['Exim', 'exim@example.org', eximHardBounce, '5.0.0'],
    ['Gmail', 'gmail@example.org', gmailHardBounce, '5.1.1'],
  ])('a %s hard bounce marks the delivery bounced and suppresses the subscriber', async (_mta, email, report, status) => {
    const info = await deliver(returned(email).returnPath, report(returned(email)));
    expect(info.response).toMatch(/^250 /);
    expect(await delivery(email)).toMatchObject({ status: 'bounced', errorCode: `bounce:${status}` });
    expect(await subscriber(email)).toMatchObject({ status: 'bounced', bounceCount: 1 });
    const d = await delivery(email);
    expect(await app.ctx.db.prisma.inboundReport.findFirst({ where: { deliveryId: d.id } })).toMatchObject({
      via: 'smtp',
      kind: 'hard_bounce',
      status,
      recipient: email,
      outcome: 'delivery bounced, subscriber bounced',
    });
    expect(await app.ctx.db.prisma.deliveryAttempt.findFirst({ where: { deliveryId: d.id, status: 'bounced' } })).not.toBeNull();
  });

  it('handles a report delivered twice once', async () => {
    const before = await reports();
    const info = await deliver(returned('postfix@example.org').returnPath, postfixHardBounce(returned('postfix@example.org')));
    expect(info.response).toMatch(/^250 /);
    expect(await reports()).toBe(before);
    expect(app.captured.events('inbound.duplicate')).toHaveLength(1);
  });

  it('counts a soft bounce (Exchange, mailbox full) towards BOUNCE_LIMIT: the second one suppresses', async () => {
    const email = 'outlook@example.org';
    await deliver(returned(email).returnPath, outlookMailboxFull(returned(email), 'AM0PR01MB0001'));
    expect(await subscriber(email)).toMatchObject({ status: 'active', bounceCount: 1 });
    expect((await delivery(email)).status).toBe('sent'); // the relay took it; the mailbox was full
    await deliver(returned(email).returnPath, outlookMailboxFull(returned(email), 'AM0PR01MB0002'));
    expect(await subscriber(email)).toMatchObject({ status: 'bounced', bounceCount: 2 });
  });

  it('changes nothing for a delay notice', async () => {
    const email = 'delayed@example.org';
    await deliver(returned(email).returnPath, gmailDelay(returned(email)));
    expect(await subscriber(email)).toMatchObject({ status: 'active', bounceCount: 0 });
    expect((await delivery(email)).status).toBe('sent');
    expect(await app.ctx.db.prisma.inboundReport.findFirst({ where: { subscriber: { email } } })).toMatchObject({
      kind: 'delayed',
      status: '4.4.1',
      outcome: 'nothing',
    });
  });

  it('unsubscribes at once on an ARF complaint sent to the feedback address', async () => {
    const email = 'complainer@example.org';
    await deliver(`complaints@${DOMAIN}`, arfComplaint(returned(email)), `staff@hotmail.example`);
    expect(await subscriber(email)).toMatchObject({ status: 'unsubscribed' });
    expect((await delivery(email)).status).toBe('sent');
    expect(await app.ctx.db.prisma.inboundReport.findFirst({ where: { subscriber: { email } } })).toMatchObject({
      kind: 'complaint',
      status: 'abuse',
      recipient: email,
    });
    expect(app.captured.events('subscriber.unsubscribed').some((e) => e.via === 'complaint')).toBe(true);
  });

  it('unsubscribes the reader who mails the mailto: of List-Unsubscribe', async () => {
    const email = 'mailto@example.org';
    const mailto = /<mailto:([^?>]+)\?/.exec(sink.messagesTo(email)[0]!.header('List-Unsubscribe')!)![1]!;
    await deliver(mailto, mailtoUnsubscribe(email, mailto), email);
    expect(await subscriber(email)).toMatchObject({ status: 'unsubscribed' });
  });

  it('refuses a forged VERP token at RCPT TO, and nothing changes', async () => {
    const email = 'forged@example.org';
    const real = returned(email);
    const d = await delivery(email);
    const other = await delivery('other@example.org');
    // another delivery's id under this one's signature, and a made-up signature
    const forgeries = [
      real.returnPath.replace(`bounces+${d.id.toString(36)}-`, `bounces+${other.id.toString(36)}-`),
      real.returnPath.replace(/-[0-9a-f]{20}@/, '-0123456789abcdef0123@'),
    ];
    const before = await reports();
    for (const forged of forgeries) {
      const err = await refusal(deliver(forged, postfixHardBounce({ ...real, returnPath: forged })));
      expect(err.responseCode).toBe(550);
    }
    expect(await reports()).toBe(before);
    expect(await subscriber(email)).toMatchObject({ status: 'active', bounceCount: 0 });
    expect(await subscriber('other@example.org')).toMatchObject({ status: 'active', bounceCount: 0 });
    expect((await delivery('other@example.org')).status).toBe('sent');
    expect(app.captured.events('inbound.refused').filter((e) => e.reason === 'forged')).toHaveLength(2);
  });

  it('refuses a complaint that names no signed address, and a message that is no report', async () => {
    const before = await reports();
    const forgedFrom = 'bounces+1-1-00000000000000000000@' + DOMAIN;
    const unsigned = await refusal(
      deliver(
        `complaints@${DOMAIN}`,
        arfComplaint({ returnPath: forgedFrom, to: 'other@example.org', messageId: 'x@y' }, { id: 'unsigned' }),
        'staff@hotmail.example',
      ),
    );
    expect(unsigned.responseCode).toBe(550);
    const ooo = await refusal(deliver(returned('other@example.org').returnPath, autoReply(returned('other@example.org')), 'other@example.org'));
    expect(ooo.responseCode).toBe(550);
    const stranger = await refusal(deliver(`postmaster@elsewhere.example`, autoReply(returned('other@example.org'))));
    expect(stranger.responseCode).toBe(550);
    expect(await reports()).toBe(before);
    expect(await subscriber('other@example.org')).toMatchObject({ status: 'active' });
    expect(app.captured.events('inbound.refused').map((e) => e.reason)).toEqual(expect.arrayContaining(['unsigned', 'unknown_report', 'not_ours']));
  });

  it('answers 451 when the report cannot be stored, so the sending MTA tries again', async () => {
    const away = new Proxy(app.ctx.db.prisma, {
      get: (target, key) => (key === '$transaction' ? () => Promise.reject(new Error('the database went away')) : (Reflect.get(target, key) as unknown)),
    });
    const broken = await startBounceReceiver({ ...inboundDeps(app.ctx), prisma: away, verp: app.ctx.verp! }, { port: 0, host: '127.0.0.1' });
    const to = nodemailer.createTransport({ host: '127.0.0.1', port: broken.port, secure: false, ignoreTLS: true });
    try {
      const before = await reports();
      const email = 'other@example.org';
      const err = await refusal(to.sendMail({ envelope: { from: '', to: [returned(email).returnPath] }, raw: postfixHardBounce(returned(email)) }));
      expect(err.responseCode).toBe(451);
      expect(await reports()).toBe(before);
      expect(app.captured.events('inbound.failed')).toHaveLength(1);
    } finally {
      to.close();
      await broken.close();
    }
  });

  it('counts what came back in /metrics', async () => {
    const text = (await request(createWebApp(app.ctx, { requestLog: false })).get('/metrics')).text;
    expect(text).toMatch(/^paperboy_inbound_reports_total\{kind="hard_bounce",via="smtp"\} 3$/m);
    expect(text).toMatch(/^paperboy_inbound_reports_total\{kind="complaint",via="smtp"\} 1$/m);
    expect(text).toMatch(/^paperboy_inbound_refused_total\{reason="forged",via="smtp"\} 2$/m);
    expect(text).toMatch(/^paperboy_deliveries\{status="bounced"\} 3$/m);
  });
});
