// POST /subscribe on a real PostgreSQL and a real SMTP server: double opt-in, the same page for
// every existing address (byte for byte) with the email that fits its state, every bad input
// refused with nothing changed, a dead mail server (the email waits in the queue), and the rate
// limits.
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findSubscriberByEmail } from '../../../src/db/subscribers.ts';
import { createMailer } from '../../../src/deliver/create-mailer.ts';
import { subscriptionDeps } from '../../../src/subscriptions/deps.ts';
import { SubscriptionMailQueue } from '../../../src/subscriptions/mail-queue.ts';
import { tableFingerprint } from '../../support/fingerprint.ts';
import { deadPort, form, LEAKS, linkIn, startWebTestApp, type WebTestApp } from './support.ts';
import { anyOf, stringMatching } from '../../support/matchers.ts';

describe('POST /subscribe (PostgreSQL, SMTP)', () => {
  let t: WebTestApp;
  const prisma = () => t.app.ctx.db.prisma;
  // POST-redirect-GET: an accepted request answers 303 to /check-inbox; followed here
  const subscribe = (fields: Record<string, string>, web = t.web) => request(web).post('/subscribe').type('form').send(form(fields)).redirects(1);

  beforeAll(async () => {
    t = await startWebTestApp('postgres');
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(() => t.sink.reset());

  it('GET / is the form with the preview panel, under the strict CSP, with no inline script or style', async () => {
    const res = await request(t.web).get('/').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.text).toContain('<html lang="en">');
    expect(res.text).toMatch(/<form class="form" method="post" action="\/subscribe"/);
    expect(res.text).toMatch(/<label for="email">/);
    expect(res.text).toMatch(/<label for="topics">/);
    expect(res.text).toContain('id="preview"');
    expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/); // every script is a file
    expect(res.text).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
    expect(res.text).not.toMatch(/https?:\/\/(?!papers\.example\.org)[^"]*\.(css|js|woff2?)/); // nothing from elsewhere
  });

  it('answers an accepted request with a redirect (a reload does not post again); the page keeps the topics on the way back', async () => {
    const res = await request(t.web)
      .post('/subscribe')
      .type('form')
      .send(form({ email: 'prg@example.org', topics: 'scaling laws\ndiffusion -video' }))
      .expect(303);
    expect(res.headers.location).toBe('/check-inbox?email=prg%40example.org&topics=scaling+laws%0Adiffusion+-video');
    const page = await request(t.web).get(res.headers.location!).expect(200);
    expect(page.text).toContain('Check your inbox');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('href="/?email=prg%40example.org&amp;topics=scaling+laws%0Adiffusion+-video">check the address and try again');
    const back = await request(t.web).get('/?email=prg%40example.org&topics=scaling+laws%0Adiffusion+-video').expect(200);
    expect(back.text).toContain('value="prg@example.org"');
    expect(back.text).toContain('scaling laws\ndiffusion -video</textarea>');
    expect(back.text).toContain('2 of 10 topics');
    // a made-up answer page with no address goes back to the form
    expect((await request(t.web).get('/check-inbox?email=nope').expect(303)).headers.location).toBe('/');
    await t.sink.waitFor(1); // its confirmation, before the next test looks at the mailbox
  });

  it('shows the topic count against the limit, and refuses one over it with the input kept', async () => {
    const twelve = Array.from({ length: 12 }, (_, i) => `topic${i}`).join('\n');
    const res = await subscribe({ email: 'many@example.org', topics: twelve }).expect(400);
    expect(res.text).toContain('12 topics: a subscription takes up to 10. Remove 2.');
    expect(res.text).toMatch(/data-role="topic-count"[^>]*data-over="true"/);
  });

  it('stores a new address pending and mails a confirmation whose link confirms it', async () => {
    const res = await subscribe({ email: 'ada@example.org', topics: 'scaling laws\n"quantum many-body"\n\n' }).expect(200);
    expect(res.text).toContain('Check your inbox');
    const row = await findSubscriberByEmail(prisma(), 'ada@example.org');
    expect(row).toMatchObject({ status: 'pending', topics: ['scaling laws', '"quantum many-body"'], paused: false });
    const [mail] = await t.sink.waitFor(1);
    expect(mail!.envelope.to).toEqual(['ada@example.org']);
    expect(mail!.parsed.subject).toBe('Confirm your paperboy subscription');
    expect(mail!.parsed.html).toContain('scaling laws');
    expect(mail!.messageId).toMatch(new RegExp(`^confirm-${row!.id}\\.[0-9a-f]{12}@papers\\.example\\.org$`));
    const link = linkIn(mail!, '/confirm');
    expect((await request(t.web).get(link).expect(200)).text).toContain('Confirm my subscription');
    expect((await findSubscriberByEmail(prisma(), 'ada@example.org'))!.status).toBe('pending'); // a GET changes nothing
    await request(t.web).post(link).type('form').send('').expect(200);
    expect((await findSubscriberByEmail(prisma(), 'ada@example.org'))!.status).toBe('active');
    expect(t.app.captured.events('subscriber.pending').at(-1)).toMatchObject({ subscriberId: row!.id, action: 'create' });
    expect(t.app.captured.events('confirmation.sent').at(-1)).toMatchObject({ subscriberId: row!.id, to: stringMatching(/^a\*\*\*@example\.org#/) });
    expect(t.app.captured.events('subscriber.confirmed').at(-1)).toMatchObject({ subscriberId: row!.id });
    expect(JSON.stringify(t.app.captured.lines)).not.toContain('ada@example.org');
  });

  it('answers byte-identical pages for an address in every state, and mails what fits each', async () => {
    const email = 'Grace@Example.org';
    // the page names the address and the topics typed (for the way back); apart from them, the same bytes
    const same = (res: request.Response) => res.text.replace(/&amp;topics=[^"]*"/, '&amp;topics=…"');
    const first = await subscribe({ email, topics: 'scaling laws' }).expect(200);
    const [firstMail] = await t.sink.waitFor(1);
    const firstLink = linkIn(firstMail!, '/confirm');

    // pending again: a new confirmation; the older link stops working
    const again = await subscribe({ email, topics: 'protein folding' }).expect(200);
    expect(same(again)).toBe(same(first));
    const [, second] = await t.sink.waitFor(2);
    expect(second!.parsed.subject).toBe('Confirm your paperboy subscription');
    const secondLink = linkIn(second!, '/confirm');
    expect(secondLink).not.toBe(firstLink);
    await request(t.web).get(firstLink).expect(410);
    await request(t.web).post(secondLink).type('form').send('').expect(200);
    const confirmed = await findSubscriberByEmail(prisma(), email);
    expect(confirmed).toMatchObject({ status: 'active', topics: ['protein folding'] });

    // active: a preferences link; nothing changes (not even the topics)
    const before = await tableFingerprint(prisma());
    const active = await subscribe({ email, topics: 'something else entirely' }).expect(200);
    expect(same(active)).toBe(same(first));
    const [, , link] = await t.sink.waitFor(3);
    expect(link!.parsed.subject).toBe('Your paperboy preferences link');
    expect(link!.parsed.text).toContain('protein folding');
    expect(link!.header('List-Unsubscribe')).toMatch(/^<https:\/\/papers\.example\.org\/unsubscribe\?token=u\./);
    await request(t.web).get(linkIn(link!, '/preferences')).expect(200);
    expect(await tableFingerprint(prisma())).toEqual(before);

    // unsubscribed: pending again with the new topics, through a new confirmation
    await prisma().subscriber.update({ where: { id: confirmed!.id }, data: { status: 'unsubscribed', unsubscribedAt: new Date() } });
    const back = await subscribe({ email, topics: 'diffusion -video' }).expect(200);
    expect(same(back)).toBe(same(first));
    const [, , , reconfirm] = await t.sink.waitFor(4);
    expect(reconfirm!.parsed.subject).toBe('Confirm your paperboy subscription');
    expect(await findSubscriberByEmail(prisma(), email)).toMatchObject({
      id: confirmed!.id,
      status: 'pending',
      topics: ['diffusion -video'],
      unsubscribedAt: null,
    });
    await request(t.web).post(secondLink).type('form').send('').expect(410); // the old link stays dead

    // bounced: nothing mailed, nothing changed, the same page
    await prisma().subscriber.update({ where: { id: confirmed!.id }, data: { status: 'bounced' } });
    const bouncedBefore = await tableFingerprint(prisma());
    const queue = new SubscriptionMailQueue(subscriptionDeps(t.app.ctx));
    const bounced = await subscribe({ email, topics: 'scaling laws' }, t.webWith({ mailQueue: queue })).expect(200);
    expect(same(bounced)).toBe(same(first));
    // the page's mail queue has sent every due mail: a confirmation for this address would be in the sink now
    queue.wake();
    await queue.idle();
    expect(t.sink.messages).toHaveLength(4);
    expect(await tableFingerprint(prisma())).toEqual(bouncedBefore);
    expect(t.app.captured.events('subscriber.subscribe_ignored').at(-1)).toMatchObject({ subscriberId: confirmed!.id, reason: 'bounced' });
    for (const r of [again, active, back, bounced]) expect(r.status).toBe(first.status);
  });

  describe("refuses bad input with the reader's input kept and nothing changed", () => {
    const cases: Array<[string, () => request.Test, number, RegExp]> = [
      ['a bad address', () => subscribe({ email: 'not-an-address', topics: 'scaling laws' }), 400, /does not look like an email address/],
      ['a header injection attempt', () => subscribe({ email: 'a@b.c\r\nBcc: x@y.z', topics: 'scaling laws' }), 400, /on one line/],
      ['a trailing line break', () => subscribe({ email: 'ada@example.org\n', topics: 'scaling laws' }), 400, /on one line/],
      ['a quoted local part', () => subscribe({ email: '"a b"@example.org', topics: 'scaling laws' }), 400, /does not look like/],
      ['no address', () => subscribe({ topics: 'scaling laws' }), 400, /Enter your email address/],
      ['10 kB of topics', () => subscribe({ email: 'ada2@example.org', topics: 'scaling laws\n'.repeat(900) }), 400, /under 2,000 characters/],
      [
        '11 topics',
        () => subscribe({ email: 'ada2@example.org', topics: Array.from({ length: 11 }, (_, i) => `topic ${i}`).join('\n') }),
        400,
        /Up to 10 topics/,
      ],
      ['no topics', () => subscribe({ email: 'ada2@example.org', topics: ' \n ' }), 400, /at least one topic/],
      ['bad topic syntax', () => subscribe({ email: 'ada2@example.org', topics: 'scaling laws\nquantum "many' }), 400, /Line 2/],
      ['a missing body', () => request(t.web).post('/subscribe'), 400, /Enter your email address/],
      ['JSON', () => request(t.web).post('/subscribe').send({ email: 'ada2@example.org', topics: 'x' }), 415, /ordinary HTML form/],
      ['text/plain', () => request(t.web).post('/subscribe').set('Content-Type', 'text/plain').send('email=ada2@example.org'), 415, /ordinary HTML form/],
      ['an oversized body', () => subscribe({ email: 'ada2@example.org', topics: 'x'.repeat(20_000) }), 413, /too much text/i],
      [
        'a repeated field',
        () => request(t.web).post('/subscribe').type('form').send('email=a@example.org&email=b@example.org&topics=x'),
        400,
        /Enter your email address/,
      ],
    ];
    for (const [name, send, status, says] of cases) {
      it(`${name}: ${status}`, async () => {
        const before = await tableFingerprint(prisma());
        const res = await send();
        expect(res.status).toBe(status);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.text).toMatch(says);
        expect(res.text).not.toMatch(LEAKS);
        expect(await tableFingerprint(prisma())).toEqual(before);
        expect(t.sink.messages).toHaveLength(0);
      });
    }

    it('keeps the input, escaped, and points at each field', async () => {
      const res = await subscribe({ email: '<b>x</b>@example', topics: '<script>alert(1)</script>\n"unclosed' }).expect(400);
      expect(res.text).toContain('value="&lt;b&gt;x&lt;/b&gt;@example"');
      expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;\n&quot;unclosed</textarea>');
      expect(res.text).not.toContain('<script>alert');
      expect(res.text).toContain('aria-invalid="true" aria-describedby="email-error"');
      expect(res.text).toMatch(/<span class="line-ref">Line 2<\/span> <code>&quot;unclosed<\/code>/);
      expect(res.text).toContain('href="#topics"');
    });
  });

  it('a dead mail server: the same answer, the confirmation kept in the queue and tried again, sent once the relay is back', async () => {
    const dead = createMailer({ smtpUrl: `smtp://127.0.0.1:${await deadPort()}`, outboxDir: t.app.dataDir, concurrency: 1, timeoutMs: 2000 });
    const deadQueue = new SubscriptionMailQueue({ ...subscriptionDeps(t.app.ctx, { mailer: dead }), settings: { retryDelayMs: 60_000 } });
    const res = await subscribe({ email: 'lin@example.org', topics: 'scaling laws' }, t.webWith({ mailQueue: deadQueue })).expect(200);
    expect(res.text).toContain('Check your inbox');
    await deadQueue.idle();
    const pending = await findSubscriberByEmail(prisma(), 'lin@example.org');
    expect(pending?.status).toBe('pending');
    const [row] = await prisma().subscriptionMail.findMany({ where: { subscriberId: pending!.id } });
    expect(row).toMatchObject({ kind: 'confirmation', status: 'queued', tries: 1, lastError: stringMatching(/^ECONNECTION/) });
    expect(row!.nextTryAt.getTime()).toBeGreaterThan(Date.now() + 50_000); // backoff: not before a minute
    expect(t.app.captured.events('confirmation.retry').at(-1)).toMatchObject({ subscriberId: pending!.id, code: 'ECONNECTION' });
    await dead.close();

    // The relay is back; a minute later the loop of a running serve picks the mail up.
    const later = new SubscriptionMailQueue({ ...subscriptionDeps(t.app.ctx), now: () => new Date(Date.now() + 61_000) });
    later.wake();
    await later.idle();
    const [mail] = await t.sink.waitFor(1);
    expect(mail!.envelope.to).toEqual(['lin@example.org']);
    await request(t.web).post(linkIn(mail!, '/confirm')).type('form').send('').expect(200);
    expect(await findSubscriberByEmail(prisma(), 'lin@example.org')).toMatchObject({ id: pending!.id, status: 'active' });
    expect(await prisma().subscriptionMail.findUnique({ where: { id: row!.id } })).toMatchObject({ status: 'sent', tries: 2 });
  });

  it('an unexpected error is a plain 500 page: no stack trace, no SQL', async () => {
    const broken = new Proxy(prisma(), {
      get: (target, key) =>
        key === 'subscriber'
          ? { findUnique: () => Promise.reject(new Error('relation "subscriber" does not exist: SELECT "id" FROM "subscriber" WHERE email_key = $1')) }
          : (Reflect.get(target, key) as unknown),
    });
    const web = t.webWith({ subscriptions: { prisma: broken } });
    const res = await subscribe({ email: 'kim@example.org', topics: 'scaling laws' }, web).expect(500);
    expect(res.text).toContain('Something went wrong on our side');
    expect(res.text).not.toMatch(LEAKS);
    expect(res.text).not.toContain('relation');
    expect(t.app.captured.events('http.error').at(-1)).toMatchObject({ path: '/subscribe' });
  });

  it('rate limits: per client address, per email address, and the preview; 429 with a friendly page', async () => {
    const perIp = t.webWith({ rateLimits: { subscribePerIp: { limit: 2, windowMs: 60_000 } } });
    for (let i = 0; i < 3; i++) await subscribe({ email: 'typo@example', topics: 'scaling laws' }, perIp).expect(400); // corrections do not count
    await subscribe({ email: 'r1@example.org', topics: 'scaling laws' }, perIp).expect(200);
    await subscribe({ email: 'r2@example.org', topics: 'scaling laws' }, perIp).expect(200);
    const before = await tableFingerprint(prisma());
    const refused = await subscribe({ email: 'r3@example.org', topics: 'scaling laws' }, perIp).expect(429);
    expect(refused.text).toContain('Slow down a little');
    expect(refused.headers['retry-after']).toBeDefined();
    expect(await tableFingerprint(prisma())).toEqual(before);

    const perAddress = t.webWith({ rateLimits: { subscribePerAddress: { limit: 2, windowMs: 60_000 } } });
    await subscribe({ email: 'same@example.org', topics: 'scaling laws' }, perAddress).expect(200);
    await subscribe({ email: 'SAME@example.org', topics: 'scaling laws' }, perAddress).expect(200);
    const third = await subscribe({ email: 'same@example.org', topics: 'scaling laws' }, perAddress).expect(429);
    expect(third.headers['ratelimit']).toMatch(/^"subscribe-ip"/); // only the client's own count, never the address's
    await subscribe({ email: 'other@example.org', topics: 'scaling laws' }, perAddress).expect(200);
    // two emails queued for the address, none for the refused request (the second replaces the
    // first confirmation if the loop had not sent it yet: either way, nothing from the 429)
    const same = await findSubscriberByEmail(prisma(), 'same@example.org');
    expect(await prisma().subscriptionMail.count({ where: { subscriberId: same!.id } })).toBe(2);

    const preview = t.webWith({ rateLimits: { preview: { limit: 2, windowMs: 60_000 } } });
    await request(preview).get('/api/preview?topics=a').expect(200);
    await request(preview).get('/api/preview?topics=b').expect(200);
    const limited = await request(preview).get('/api/preview?topics=c').expect(429);
    expect(limited.body).toEqual({ error: { code: 'RATE_LIMITED', message: anyOf(String) } });
  });
});
