// Amazon SES notifications through SNS (POST /webhooks/ses): signed here with a local key whose
// certificate is served by a local HTTPS server standing in for sns.us-east-1.amazonaws.com (reached
// through an agent that resolves that name to it, the certificate checked against a local CA). A
// valid Bounce or Complaint changes the right delivery and subscriber; a changed payload, another
// topic, or a payload delivered twice changes nothing (more). A signed notification about somebody
// else's mail changes nothing either: a Message-ID that only looks like ours (another host, a prefix),
// a recipient who is not that delivery's subscriber, an id no delivery can have.
import { execFileSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps, sesWebhookDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { sesWebhookRouter } from '../../../src/inbound/ses-webhook.ts';
import { createWebApp } from '../../../src/web/app.ts';
import { addSubscribers, ingestSeeds, sendNow, startTestApp, type TestApp } from '../../support/app.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';

const SNS_HOST = 'sns.us-east-1.amazonaws.com';
const CERT_URL = `https://${SNS_HOST}/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem`;
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ses-feedback';

const dir = mkdtempSync(path.join(tmpdir(), 'sns-'));
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    path.join(dir, 'key.pem'),
    '-out',
    path.join(dir, 'cert.pem'),
    '-days',
    '2',
    '-subj',
    `/CN=${SNS_HOST}`,
    '-addext',
    `subjectAltName=DNS:${SNS_HOST}`,
  ],
  { stdio: 'ignore' },
);
const key = readFileSync(path.join(dir, 'key.pem'), 'utf8');
const cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');

/** Signs an SNS payload as SNS does (SignatureVersion 2: SHA256withRSA over "Key\nvalue\n" in key order). */
function signed(fields: Record<string, string>): Record<string, string> {
  const payload: Record<string, string> = { ...fields, SignatureVersion: '2', SigningCertURL: CERT_URL };
  const keys =
    payload.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const signer = createSign('sha256WithRSAEncryption');
  for (const k of keys) if (k in payload) signer.update(`${k}\n${payload[k]}\n`);
  return { ...payload, Signature: signer.sign(key, 'base64') };
}

let n = 0;
function notification(message: object, topic = TOPIC): Record<string, string> {
  return signed({ Type: 'Notification', MessageId: `sns-${++n}`, TopicArn: topic, Message: JSON.stringify(message), Timestamp: new Date().toISOString() });
}

describe('the SES webhook', () => {
  let app: TestApp;
  let sink: SmtpSink;
  let snsServer: https.Server;
  let agent: https.Agent;
  const visited: string[] = [];
  let http: ReturnType<typeof createWebApp>;
  const post = (body: object) => request(http).post('/webhooks/ses').set('Content-Type', 'text/plain; charset=UTF-8').send(JSON.stringify(body));
  const subscriber = (email: string) => app.ctx.db.prisma.subscriber.findFirstOrThrow({ where: { email } });
  const delivery = (email: string) => app.ctx.db.prisma.delivery.findFirstOrThrow({ where: { subscriber: { email } } });

  beforeAll(async () => {
    snsServer = https.createServer({ key, cert }, (req, res) => {
      visited.push(req.url ?? '');
      if (req.url?.endsWith('.pem')) return void res.end(cert);
      res.end('<ConfirmSubscriptionResponse/>');
    });
    await new Promise<void>((r) => snsServer.listen(0, '127.0.0.1', r));
    const port = (snsServer.address() as AddressInfo).port;
    agent = new (class extends https.Agent {
      override createConnection(): tls.TLSSocket {
        // sns.us-east-1.amazonaws.com is this local server; its certificate is still checked
        return tls.connect({ host: '127.0.0.1', port, servername: SNS_HOST, ca: cert });
      }
    })();
    sink = await startSmtpSink();
    app = await startTestApp('postgres', { SMTP_URL: sink.url, BOUNCE_DOMAIN: 'bounce.papers.example.org', BASE_URL: 'https://papers.example.org' });
    await ingestSeeds(app);
    await addSubscribers(
      app,
      ['hard', 'soft', 'complainer', 'bystander', 'shared', 'target'].map((e) => [`${e}@example.org`, ['scaling laws']] as [string, string[]]),
    );
    expect((await buildDigest(digestDeps(app.ctx))).kind).toBe('built');
    await sendNow(app);
    http = createWebApp(app.ctx, { requestLog: false, extra: [sesWebhookRouter({ ...sesWebhookDeps(app.ctx, TOPIC), agent })] });
  });
  afterAll(async () => {
    await app?.close();
    await sink?.close();
    agent?.destroy();
    snsServer?.close();
  });

  const bounce = (email: string, bounceType: string, via: 'source' | 'messageId') => {
    const m = sink.messagesTo(email)[0]!;
    return {
      notificationType: 'Bounce',
      bounce: {
        bounceType,
        bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull',
        bouncedRecipients: [{ emailAddress: email, status: bounceType === 'Permanent' ? '5.1.1' : '4.2.2', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
      },
      mail: {
        messageId: '0100018c-ses',
        source: via === 'source' ? m.envelope.from : 'digest@papers.example.org',
        commonHeaders: { messageId: `<${m.messageId}>` },
      },
    };
  };

  it('confirms its subscription by visiting the SubscribeURL', async () => {
    const res = await post(
      signed({
        Type: 'SubscriptionConfirmation',
        MessageId: 'sub-1',
        Token: 't0k',
        TopicArn: TOPIC,
        Message: 'You have chosen to subscribe…',
        SubscribeURL: `https://${SNS_HOST}/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=t0k`,
        Timestamp: new Date().toISOString(),
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ subscribed: true });
    expect(visited.some((u) => u.startsWith('/?Action=ConfirmSubscription'))).toBe(true);
  });

  it('marks a permanent bounce: delivery bounced, subscriber suppressed', async () => {
    const res = await post(notification(bounce('hard@example.org', 'Permanent', 'source')));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ handled: 'hard_bounce', duplicate: false });
    expect(await delivery('hard@example.org')).toMatchObject({ status: 'bounced' });
    expect(await subscriber('hard@example.org')).toMatchObject({ status: 'bounced' });
  });

  it('counts a transient bounce, found by its Message-ID', async () => {
    const res = await post(notification(bounce('soft@example.org', 'Transient', 'messageId')));
    expect(res.body).toMatchObject({ handled: 'soft_bounce' });
    expect(await subscriber('soft@example.org')).toMatchObject({ status: 'active', bounceCount: 1 });
  });

  it('unsubscribes on a complaint, once however often SNS delivers it', async () => {
    const m = sink.messagesTo('complainer@example.org')[0]!;
    const body = notification({
      notificationType: 'Complaint',
      complaint: { complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: 'complainer@example.org' }] },
      mail: { source: m.envelope.from, commonHeaders: { messageId: `<${m.messageId}>` } },
    });
    expect((await post(body)).body).toMatchObject({ handled: 'complaint', duplicate: false, changes: ['subscriber unsubscribed'] });
    expect((await post(body)).body).toMatchObject({ duplicate: true, changes: [] });
    expect(await subscriber('complainer@example.org')).toMatchObject({ status: 'unsubscribed' });
    expect(await app.ctx.db.prisma.inboundReport.count({ where: { via: 'ses', kind: 'complaint' } })).toBe(1);
  });

  it('refuses a changed payload, another topic, and a payload without signature: nothing changes', async () => {
    const before = await app.ctx.db.prisma.inboundReport.count();
    const good = notification(bounce('bystander@example.org', 'Permanent', 'source'));
    const tampered = { ...good, Message: good.Message!.replace('Permanent', 'Permanent ') };
    expect((await post(tampered)).status).toBe(403);
    expect((await post(notification(bounce('bystander@example.org', 'Permanent', 'source'), 'arn:aws:sns:us-east-1:999999999999:someone-else'))).status).toBe(
      403,
    );
    const { Signature: _s, ...unsigned } = good;
    expect((await post(unsigned)).status).toBe(403);
    expect((await request(http).post('/webhooks/ses').send('not json')).status).toBe(400);
    expect(await app.ctx.db.prisma.inboundReport.count()).toBe(before);
    expect(await subscriber('bystander@example.org')).toMatchObject({ status: 'active', bounceCount: 0 });
    expect(app.captured.events('inbound.refused').map((e) => e.reason)).toEqual(['unsigned', 'wrong_topic', 'unsigned', 'malformed']);
  });

  describe('notifications about mail paperboy did not send', () => {
    const refusals = () => app.ctx.db.prisma.inboundReport.count();
    const refused = (reason: string) => app.captured.events('inbound.refused').filter((e) => e.reason === reason).length;
    const bounceWith = (messageId: string, recipient: string, source = 'newsletter@other-sender.example') => ({
      notificationType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: recipient, status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
      },
      mail: { messageId: '0100018c-other', source, commonHeaders: { messageId } },
    });

    it("leaves a reader alone when another sender's Message-ID merely contains delivery-<id>.<attempt>", async () => {
      const d = await delivery('shared@example.org');
      const before = await refusals();
      const lookalikes = [
        `<delivery-${d.id}.1@mail.other-sender.example>`, // another host
        `<x-delivery-${d.id}.1@papers.example.org>`, // a prefix
        `<delivery-${d.id}.1@papers.example.org.other-sender.example>`, // our host as a prefix of theirs
        `<delivery-${d.id}.1@papers.example.org><evil@x>`, // something after it
      ];
      for (const messageId of lookalikes) {
        const res = await post(notification(bounceWith(messageId, 'shared@example.org')));
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ error: { code: 'INBOUND_UNKNOWN_DELIVERY' } });
      }
      const complaint = {
        notificationType: 'Complaint',
        complaint: { complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: 'shared@example.org' }] },
        mail: { source: 'news@other-sender.example', commonHeaders: { messageId: `<delivery-${d.id}.1@other-sender.example>` } },
      };
      expect((await post(notification(complaint))).body).toMatchObject({ error: { code: 'INBOUND_UNKNOWN_DELIVERY' } });
      expect(await subscriber('shared@example.org')).toMatchObject({ status: 'active', bounceCount: 0 });
      expect(await delivery('shared@example.org')).toMatchObject({ status: 'sent' });
      expect(await refusals()).toBe(before);
      expect(refused('unknown_delivery')).toBe(lookalikes.length + 1);
    });

    it("acts only when the notification's recipient is that delivery's subscriber", async () => {
      const m = sink.messagesTo('target@example.org')[0]!;
      const before = await refusals();
      // our exact Message-ID and our signed return path, but somebody else's address bounced
      for (const via of ['messageId', 'source'] as const) {
        const body = bounceWith(`<${m.messageId}>`, 'stranger@example.net', via === 'source' ? m.envelope.from : 'digest@papers.example.org');
        const res = await post(notification(body));
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ error: { code: 'INBOUND_WRONG_RECIPIENT' } });
      }
      expect(await subscriber('target@example.org')).toMatchObject({ status: 'active', bounceCount: 0 });
      expect(await refusals()).toBe(before);
      expect(refused('wrong_recipient')).toBe(2);
      // the subscriber's own address, as SES may write it (another case): handled
      const res = await post(notification(bounceWith(`<${m.messageId}>`, 'Target@Example.ORG')));
      expect(res.body).toMatchObject({ handled: 'hard_bounce', changes: ['delivery bounced', 'subscriber bounced'] });
    });

    it("answers an id no delivery can have (past PostgreSQL's integer) as an unknown delivery, not a 500", async () => {
      for (const id of ['2147483648', '99999999999999999999']) {
        const res = await post(notification(bounceWith(`<delivery-${id}.1@papers.example.org>`, 'bystander@example.org')));
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ error: { code: 'INBOUND_UNKNOWN_DELIVERY' } });
      }
      expect(app.captured.events('http.error')).toHaveLength(0);
      expect(await subscriber('bystander@example.org')).toMatchObject({ status: 'active', bounceCount: 0 });
    });
  });
});
