// "Email me my preferences link" (PostgreSQL, SMTP): what a read link offers instead of the link
// that changes things. From a forwarded "View in your browser", its holder can have the reader's
// preferences link mailed — to the reader's own stored address, never another — and learns nothing
// from the answer: the same page, in no less than the answer floor, whatever the address's state and
// whether anything was sent; at most 3 an hour per address, and per client address a rate limit.
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Subscriber } from '../../../src/db/subscribers.ts';
import { subscriptionDeps } from '../../../src/subscriptions/deps.ts';
import { SubscriptionMailQueue } from '../../../src/subscriptions/mail-queue.ts';
import { PREFERENCES_LINK_LIMIT } from '../../../src/subscriptions/preferences-link.ts';
import { createWebApp } from '../../../src/web/app.ts';
import { pagesRouter, type PagesOptions } from '../../../src/web/pages/router.ts';
import { addSubscribers } from '../../support/app.ts';
import { tableFingerprint } from '../../support/fingerprint.ts';
import { item, startReaderWorld, type ReaderWorld } from './reader-support.ts';
import { BASE_URL, form, GENEROUS, LEAKS } from './support.ts';

const FLOOR_MS = 120;

describe('email me my preferences link (PostgreSQL, SMTP)', () => {
  let w: ReaderWorld;
  let queue: SubscriptionMailQueue;
  let web: Express;
  let ada: Subscriber;
  const prisma = () => w.app.ctx.db.prisma;
  const archiveToken = (s: Subscriber) => w.app.ctx.tokens.sign({ purpose: 'archive', subscriberId: s.id });
  const webWith = (options: PagesOptions) =>
    createWebApp(w.app.ctx, {
      pages: pagesRouter(w.app.ctx, { mailQueue: queue, subscribeAnswerMs: FLOOR_MS, ...options, rateLimits: { ...GENEROUS, ...options.rateLimits } }),
      requestLog: false,
    });
  const ask = (s: Subscriber, app = web) =>
    request(app)
      .post(`/preferences-link?token=${archiveToken(s)}`)
      .type('form')
      .send(form({ email: 'mallory@example.net' }));

  beforeAll(async () => {
    w = await startReaderWorld();
    queue = new SubscriptionMailQueue(subscriptionDeps(w.app.ctx));
    web = webWith({});
    [ada] = (await addSubscribers(w.app, [['ada@example.org', ['scaling laws']]])) as [Subscriber];
    await w.ingest('2026-06-08', [item('2606.00100', 'Scaling Laws, Day 1', 'New scaling laws.', '2026-06-08')]);
    await w.digestAndSend();
    await w.sink.waitFor(1);
  });
  afterAll(async () => {
    await queue?.stop(5000);
    await w?.close();
  });
  beforeEach(async () => {
    await queue.idle();
    await prisma().subscriptionMail.deleteMany({});
    w.sink.reset();
  });

  it('from a forwarded "View in your browser": the line where the links were, its page, and the link mailed to the reader only', async () => {
    const delivery = await prisma().delivery.findFirstOrThrow({ where: { subscriberId: ada.id } });
    const view = await request(web)
      .get(`/archive/${delivery.id}?token=${archiveToken(ada)}`)
      .expect(200);
    const asked = /<a [^>]*href="([^"]+)"[^>]*>Email me my preferences link<\/a>/.exec(view.text)![1]!.replaceAll('&amp;', '&');
    expect(asked).toBe(`${BASE_URL}/preferences-link?token=${archiveToken(ada)}`);
    const page = await request(web).get(asked.slice(BASE_URL.length)).expect(200);
    expect(page.text).toContain('Email me my preferences link');
    expect(page.text).toContain('ada@example.org');
    expect(page.text).not.toMatch(/token=[cpuk]\./);
    const action = /<form method="post" action="([^"]+)"/.exec(page.text)![1]!.replaceAll('&amp;', '&');

    const before = await tableFingerprint(prisma());
    const answer = await request(web)
      .post(action)
      .type('form')
      .send(form({ email: 'mallory@example.net' }))
      .expect(303);
    const shown = await request(web).get(answer.headers.location!).expect(200);
    expect(shown.text).toContain('Check your inbox');
    expect(shown.text).not.toMatch(/token=[cpuk]\./);
    expect(await tableFingerprint(prisma())).toEqual(before); // no reader, no feedback changed

    const [mail] = await w.sink.waitFor(1);
    await queue.idle();
    expect(w.sink.messages.flatMap((m) => m.envelope.to)).toEqual(['ada@example.org']);
    expect(mail!.parsed.subject).toBe('Your paperboy preferences link');
    expect(mail!.parsed.text).toContain('from your archive. Nothing has changed.');
    const preferences = new RegExp(`^${BASE_URL.replaceAll('.', '\\.')}(/preferences\\?token=p\\.\\S+)$`, 'm').exec(mail!.parsed.text ?? '')![1]!;
    expect((await request(web).get(preferences).expect(200)).text).toContain('Your preferences');
  });

  it('the same answer whatever the state of the address; only an active one gets the email', async () => {
    const [pia, pat, uma, bea] = (await addSubscribers(w.app, [
      ['pia@example.org', ['scaling laws']],
      ['pat@example.org', ['scaling laws'], 'pending'],
      ['uma@example.org', ['scaling laws'], 'unsubscribed'],
      ['bea@example.org', ['scaling laws'], 'bounced'],
    ])) as [Subscriber, Subscriber, Subscriber, Subscriber];
    await prisma().subscriber.update({ where: { id: pia.id }, data: { paused: true } });
    const answers: string[] = [];
    for (const s of [ada, pia, pat, uma, bea]) {
      const started = performance.now();
      const res = await ask(s).expect(303);
      expect(performance.now() - started).toBeGreaterThanOrEqual(FLOOR_MS - 1);
      expect(res.headers.location).toBe(`/preferences-link?token=${archiveToken(s)}&asked=1`);
      const page = await request(web).get(res.headers.location!).expect(200);
      answers.push(page.text.replaceAll(s.email, 'ADDRESS').replaceAll(archiveToken(s), 'TOKEN'));
    }
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toContain('If <strong class="address">ADDRESS</strong> is subscribed, an email with the link to its preferences is on its way to it.');
    await w.sink.waitFor(2);
    await queue.idle();
    expect(w.sink.messages.flatMap((m) => m.envelope.to).sort()).toEqual(['ada@example.org', 'pia@example.org']);
    const rows = await prisma().subscriptionMail.findMany({ orderBy: { subscriberId: 'asc' } });
    expect(rows.map((r) => [r.subscriberId, r.kind, r.status])).toEqual([
      [ada.id, 'preferences_link', 'sent'],
      [pia.id, 'preferences_link', 'sent'],
      [pat.id, 'preferences_link', 'skipped'],
      [uma.id, 'preferences_link', 'skipped'],
      [bea.id, 'preferences_link', 'skipped'],
    ]);
  });

  it(`at most ${PREFERENCES_LINK_LIMIT.count} an hour to one address, however many ask at once; the answer does not say`, async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => ask(ada)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(303));
    expect(new Set(answers.map((a) => a.headers.location)).size).toBe(1);
    expect(await prisma().subscriptionMail.count({ where: { subscriberId: ada.id, kind: 'preferences_link' } })).toBe(PREFERENCES_LINK_LIMIT.count);
    await w.sink.waitFor(PREFERENCES_LINK_LIMIT.count);
    await queue.idle();
    expect(w.sink.messages).toHaveLength(PREFERENCES_LINK_LIMIT.count);
    const asked = w.app.captured
      .events('preferences_link.asked')
      .filter((e) => e.subscriberId === ada.id)
      .slice(-10);
    expect(asked.filter((e) => e.queued === true)).toHaveLength(PREFERENCES_LINK_LIMIT.count);
    expect(asked.filter((e) => e.queued === false)).toHaveLength(10 - PREFERENCES_LINK_LIMIT.count);
    expect(JSON.stringify(asked)).not.toContain('ada@example.org');
    // an hour later, one more
    await prisma().subscriptionMail.updateMany({ data: { createdAt: new Date(Date.now() - 3600_000 - 1000) } });
    await ask(ada).expect(303);
    expect(await prisma().subscriptionMail.count({ where: { subscriberId: ada.id } })).toBe(PREFERENCES_LINK_LIMIT.count + 1);
  });

  it('per client address: a friendly 429 past the limit, nothing queued', async () => {
    const limited = webWith({ rateLimits: { preferencesLink: { limit: 2, windowMs: 60_000 } } });
    await ask(ada, limited).expect(303);
    await ask(ada, limited).expect(303);
    const refused = await ask(ada, limited).expect(429);
    expect(refused.text).toContain('Too many requests');
    expect(await prisma().subscriptionMail.count()).toBe(2);
  });

  it('only with an archive link: other links, forged and damaged ones are refused, nothing queued', async () => {
    const other = (purpose: 'feed' | 'preferences' | 'unsubscribe' | 'feedback') => w.app.ctx.tokens.sign({ purpose, subscriberId: ada.id });
    const forged = archiveToken(ada).slice(0, -1) + (archiveToken(ada).endsWith('A') ? 'B' : 'A');
    for (const [token, status] of [
      [other('feed'), 400],
      [other('preferences'), 400],
      [other('unsubscribe'), 400],
      [other('feedback'), 400],
      [forged, 400],
      ['', 400],
      [w.app.ctx.tokens.sign({ purpose: 'archive', subscriberId: 999_999 }), 410],
    ] as Array<[string, number]>) {
      for (const method of ['get', 'post'] as const) {
        const agent = request(web);
        const res = await agent[method](`/preferences-link${token ? `?token=${token}` : ''}`)
          .type('form')
          .send('');
        expect(res.status, `${method} ${token.slice(0, 2)}`).toBe(status);
        expect(res.text).not.toMatch(LEAKS);
      }
    }
    expect(await prisma().subscriptionMail.count()).toBe(0);
  });
});
