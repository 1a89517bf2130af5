// The pages behind the links in emails — confirm, preferences, unsubscribe — on a real PostgreSQL:
// every bad token refused with its status and nothing changed; GETs never change anything; RFC 8058
// one-click unsubscribe exactly as a mail provider sends it, repeated, and the next digest.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps } from '../../../src/app/deps.ts';
import { getSubscriber, type Subscriber } from '../../../src/db/subscribers.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { subscriberLinks } from '../../../src/deliver/links.ts';
import type { TokenPurpose } from '../../../src/security/tokens.ts';
import { addSubscribers } from '../../support/app.ts';
import { tableFingerprint } from '../../support/fingerprint.ts';
import { form, LEAKS, linkIn, startWebTestApp, type WebTestApp } from './support.ts';
import { anyOf } from '../../support/matchers.ts';

describe('confirm, preferences, unsubscribe (PostgreSQL)', () => {
  let t: WebTestApp;
  let ada: Subscriber;
  let pending: Subscriber;
  const prisma = () => t.app.ctx.db.prisma;
  const sign = (purpose: TokenPurpose, subscriberId: number, extra: { nonce?: string; expiresAt?: number } = {}) =>
    t.app.ctx.tokens.sign({ purpose, subscriberId, ...extra });
  const inAWeek = () => Math.floor(Date.now() / 1000) + 7 * 86400;

  beforeAll(async () => {
    t = await startWebTestApp('postgres');
    [ada, pending] = (await addSubscribers(t.app, [
      ['ada@example.org', ['scaling laws']],
      ['pat@example.org', ['scaling laws'], 'pending'],
    ])) as [Subscriber, Subscriber];
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('refuses every bad token with a clear page, and changes nothing', () => {
    const tokens = (): Array<[string, string, number, RegExp]> => {
      const confirm = sign('confirm', pending.id, { nonce: pending.tokenNonce, expiresAt: inAWeek() });
      return [
        ['missing', '', 400, /This link is incomplete/],
        ['truncated', confirm.slice(0, -12), 400, /This link is incomplete|didn&#39;t send this link/],
        ['cut at a dot', confirm.split('.').slice(0, 3).join('.'), 400, /This link is incomplete/],
        ['forged', confirm.slice(0, -1) + (confirm.endsWith('A') ? 'B' : 'A'), 400, /didn&#39;t send this link/],
        ['for another subscriber', confirm.replace(/^c\.[0-9a-z]+\./, `c.${ada.id.toString(36)}.`), 400, /didn&#39;t send this link/],
        ['repeated', `${confirm}&token=${confirm}`, 400, /This link is incomplete/],
      ];
    };
    for (const path of ['/confirm', '/preferences', '/unsubscribe'] as const) {
      for (const method of ['get', 'post'] as const) {
        it(`${method.toUpperCase()} ${path}: missing, truncated, forged, repeated`, async () => {
          const before = await tableFingerprint(prisma());
          for (const [name, token, status, says] of tokens()) {
            const url = token === '' ? path : `${path}?token=${token}`;
            const req = method === 'get' ? request(t.web).get(url) : request(t.web).post(url).type('form').send('List-Unsubscribe=One-Click&topics=x');
            const res = await req;
            expect(res.status, name).toBe(status);
            expect(res.text, name).toMatch(says);
            expect(res.text).not.toMatch(LEAKS);
            expect(res.headers['cache-control']).toBe('no-store');
          }
          expect(await tableFingerprint(prisma())).toEqual(before);
        });
      }
    }

    it('a token for another page is refused: a confirm link cannot unsubscribe, and vice versa', async () => {
      const before = await tableFingerprint(prisma());
      const confirm = sign('confirm', pending.id, { nonce: pending.tokenNonce, expiresAt: inAWeek() });
      const unsubscribe = sign('unsubscribe', ada.id);
      const preferences = sign('preferences', ada.id);
      for (const [url, body] of [
        [`/unsubscribe?token=${confirm}`, 'List-Unsubscribe=One-Click'],
        [`/confirm?token=${unsubscribe}`, ''],
        [`/preferences?token=${unsubscribe}`, form({ topics: 'x' })],
        [`/unsubscribe?token=${preferences}`, 'List-Unsubscribe=One-Click'],
      ] as const) {
        const res = await request(t.web).post(url).type('form').send(body).expect(400);
        expect(res.text).toContain('This link belongs to another page');
        await request(t.web).get(url).expect(400);
      }
      expect(await tableFingerprint(prisma())).toEqual(before);
    });

    it('an expired confirmation link: 410 and a way to start again', async () => {
      const before = await tableFingerprint(prisma());
      const expired = sign('confirm', pending.id, { nonce: pending.tokenNonce, expiresAt: Math.floor(Date.now() / 1000) - 1 });
      for (const res of [await request(t.web).get(`/confirm?token=${expired}`), await request(t.web).post(`/confirm?token=${expired}`).type('form').send('')]) {
        expect(res.status).toBe(410);
        expect(res.text).toContain('This link has expired');
        expect(res.text).toContain('href="/"');
      }
      expect(await tableFingerprint(prisma())).toEqual(before);
    });

    it('a link for a subscriber that no longer exists: 410', async () => {
      const gone = sign('preferences', 999_999);
      const res = await request(t.web).get(`/preferences?token=${gone}`).expect(410);
      expect(res.text).toContain('This subscription no longer exists');
    });
  });

  it('confirm: the GET shows a button and changes nothing; the POST confirms once; then "already subscribed"', async () => {
    const token = sign('confirm', pending.id, { nonce: pending.tokenNonce, expiresAt: inAWeek() });
    const before = await tableFingerprint(prisma());
    const page = await request(t.web).get(`/confirm?token=${token}`).expect(200);
    expect(page.text).toContain(`<form method="post" action="/confirm?token=${token}"`);
    expect(page.text).toContain('pat@example.org');
    expect(page.text).toContain('<meta name="robots" content="noindex, nofollow">');
    expect(await tableFingerprint(prisma())).toEqual(before);

    const done = await request(t.web).post(`/confirm?token=${token}`).expect(200); // a bare POST, no body
    expect(done.text).toContain('You&#39;re subscribed');
    expect(done.text).toMatch(/href="\/preferences\?token=p\.[^"]+"/);
    expect(await getSubscriber(prisma(), pending.id)).toMatchObject({ status: 'active', confirmedAt: anyOf(Date) });

    // the same link again (reopened from the email, a second click): subscribed, with the way to preferences
    const after = await tableFingerprint(prisma());
    for (const again of [
      await request(t.web).post(`/confirm?token=${token}`).type('form').send('').expect(200),
      await request(t.web).get(`/confirm?token=${token}`).expect(200),
    ]) {
      expect(again.text).toContain('You&#39;re already subscribed');
      expect(again.text).toMatch(/<a class="button" href="\/preferences\?token=p\.[^"]+">Open your preferences<\/a>/);
      expect(again.text).not.toContain('<form');
    }
    expect(await tableFingerprint(prisma())).toEqual(after);
    // once the address left, the used link is an error again (the reader is not subscribed)
    await prisma().subscriber.update({ where: { id: pending.id }, data: { status: 'unsubscribed' } });
    expect((await request(t.web).get(`/confirm?token=${token}`).expect(410)).text).toContain('This link was already used');
    await prisma().subscriber.update({ where: { id: pending.id }, data: { status: 'active' } });
  });

  it('preferences: the form with the stored topics; a change saved, confirmed on the page and by email', async () => {
    const { preferencesUrl } = subscriberLinks(t.app.ctx.tokens, '', ada.id);
    const page = await request(t.web).get(preferencesUrl).expect(200);
    expect(page.text).toContain('scaling laws</textarea>');
    expect(page.text).toContain('ada@example.org');
    expect(page.text).toMatch(/<form method="post" action="\/unsubscribe\?token=u\./);

    t.sink.reset();
    const saved = await request(t.web)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'scaling laws\nquantum -gravity' }))
      .expect(200);
    expect(saved.text).toContain('Saved. The next digest uses your new topics.');
    expect(saved.text).toContain('scaling laws\nquantum -gravity</textarea>');
    expect(await getSubscriber(prisma(), ada.id)).toMatchObject({ topics: ['scaling laws', 'quantum -gravity'], paused: false });
    const [notice] = await t.sink.waitFor(1);
    expect(notice!.parsed.subject).toBe('Your paperboy preferences were updated');
    expect(t.app.captured.events('subscriber.preferences_changed').at(-1)).toMatchObject({ subscriberId: ada.id, topicsChanged: true, pausedChanged: false });

    const paused = await request(t.web)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'scaling laws\nquantum -gravity', paused: 'on' }))
      .expect(200);
    expect(paused.text).toContain('Your digest is paused');
    expect(await getSubscriber(prisma(), ada.id)).toMatchObject({ paused: true });
    await t.sink.waitFor(2); // its notice, sent by the mail loop after the answer

    const before = await tableFingerprint(prisma());
    const mailsBefore = await prisma().subscriptionMail.count();
    const same = await request(t.web)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'scaling laws\nquantum -gravity', paused: 'on' }))
      .expect(200);
    expect(same.text).toContain('Nothing to save');
    const bad = await request(t.web)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'scaling laws\n-only' }))
      .expect(400);
    expect(bad.text).toContain('Nothing was saved');
    expect(bad.text).toContain('scaling laws\n-only</textarea>');
    await request(t.web)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'x\n'.repeat(6000) }))
      .expect(413);
    await request(t.web).post(preferencesUrl).send({ topics: 'x' }).expect(415);
    expect(await tableFingerprint(prisma())).toEqual(before);
    expect(await prisma().subscriptionMail.count()).toBe(mailsBefore); // nothing queued: nothing will be mailed
    expect(t.sink.messages).toHaveLength(2);

    await request(t.web)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'scaling laws' }))
      .expect(200); // resume
    expect(await getSubscriber(prisma(), ada.id)).toMatchObject({ topics: ['scaling laws'], paused: false });
  });

  it('RFC 8058: a raw one-click POST as a mail provider sends it unsubscribes at once; repeating is harmless; no digest after', async () => {
    const [bob] = await addSubscribers(t.app, [['bob@example.org', ['scaling laws']]]);
    const { unsubscribeUrl, preferencesUrl } = subscriberLinks(t.app.ctx.tokens, '', bob!.id);

    // GET is a page with a button: never an unsubscribe (scanners follow links)
    const before = await tableFingerprint(prisma());
    const page = await request(t.web).get(unsubscribeUrl).expect(200);
    expect(page.text).toContain('<input type="hidden" name="List-Unsubscribe" value="One-Click">');
    // a POST without the one-click body changes nothing and offers the button
    await request(t.web).post(unsubscribeUrl).expect(400);
    await request(t.web).post(unsubscribeUrl).type('form').send('List-Unsubscribe=Maybe').expect(400);
    await request(t.web).post(unsubscribeUrl).send({ 'List-Unsubscribe': 'One-Click' }).expect(415);
    expect(await tableFingerprint(prisma())).toEqual(before);

    const server = t.web.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    const oneClick = () =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const body = 'List-Unsubscribe=One-Click';
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: unsubscribeUrl,
            headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
          },
          (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    try {
      const first = await oneClick();
      expect(first.status).toBe(200);
      expect(first.body).toContain('You&#39;re unsubscribed');
      expect(await getSubscriber(prisma(), bob!.id)).toMatchObject({ status: 'unsubscribed', unsubscribedAt: anyOf(Date) });
      expect(t.app.captured.events('subscriber.unsubscribed').at(-1)).toMatchObject({ subscriberId: bob!.id, via: 'one-click', from: 'active' });

      const after = await tableFingerprint(prisma());
      expect((await oneClick()).status).toBe(200);
      expect(await tableFingerprint(prisma())).toEqual(after);
    } finally {
      await new Promise((r) => server.close(r));
    }
    // the preferences link now says where they stand, and refuses changes
    const elsewhere = (await request(t.web).get(preferencesUrl).expect(200)).text;
    expect(elsewhere).toContain('You&#39;re unsubscribed');
    // …in the unsubscribe page's words: within 30 days, back in one click without a confirmation
    expect(elsewhere).toContain('Come back with the same topics, no confirmation needed');
    expect(elsewhere).not.toContain('ask you to confirm');
    expect(elsewhere).toMatch(/<form method="post" action="\/resubscribe\?token=[^"]+"/);
    await request(t.web)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'scaling laws' }))
      .expect(409);

    const built = await buildDigest(digestDeps(t.app.ctx));
    expect(built.kind).toBe('built');
    const deliveries = await prisma().delivery.findMany({ select: { subscriberId: true } });
    expect(deliveries.map((d) => d.subscriberId)).toContain(ada.id);
    expect(deliveries.map((d) => d.subscriberId)).not.toContain(bob!.id);
  });

  it('one-click as multipart/form-data (what RFC 8058 recommends) works too, and the page button from any state', async () => {
    const [cy, dee] = await addSubscribers(t.app, [
      ['cy@example.org', ['x']],
      ['dee@example.org', ['x'], 'pending'],
    ]);
    const cyUrl = subscriberLinks(t.app.ctx.tokens, '', cy!.id).unsubscribeUrl;
    await request(t.web).post(cyUrl).field('List-Unsubscribe', 'One-Click').expect(200);
    expect((await getSubscriber(prisma(), cy!.id))!.status).toBe('unsubscribed');

    const deeUrl = subscriberLinks(t.app.ctx.tokens, '', dee!.id).unsubscribeUrl;
    const res = await request(t.web)
      .post(deeUrl)
      .type('form')
      .send(form({ 'List-Unsubscribe': 'One-Click', from: 'page' }))
      .expect(200);
    expect(res.text).toContain('will get no more emails from us, starting now');
    expect(t.app.captured.events('subscriber.unsubscribed').at(-1)).toMatchObject({ subscriberId: dee!.id, via: 'page', from: 'pending' });
    // an unsubscribed reader comes back only through double opt-in
    t.sink.reset();
    await request(t.web)
      .post('/subscribe')
      .type('form')
      .send(form({ email: 'dee@example.org', topics: 'protein folding' }))
      .expect(303);
    const [mail] = await t.sink.waitFor(1);
    expect((await getSubscriber(prisma(), dee!.id))!.status).toBe('pending');
    await request(t.web).post(linkIn(mail!, '/confirm')).expect(200);
    expect(await getSubscriber(prisma(), dee!.id)).toMatchObject({ status: 'active', topics: ['protein folding'] });
  });
});
