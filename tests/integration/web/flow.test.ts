// The reader's way through the pages, on a real PostgreSQL: a pause for a while (a week, a month,
// until resumed) that ends by itself; "subscribe again with the same topics" from the unsubscribe
// link for 30 days; every bad token on the new routes refused with nothing changed.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps } from '../../../src/app/deps.ts';
import { getSubscriber, readSubscriber, type Subscriber } from '../../../src/db/subscribers.ts';
import { subscriberLinks } from '../../../src/deliver/links.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { addSubscribers } from '../../support/app.ts';
import { tableFingerprint } from '../../support/fingerprint.ts';
import { form, LEAKS, startWebTestApp, type WebTestApp } from './support.ts';

describe('pause for a while, subscribe again (PostgreSQL)', () => {
  let t: WebTestApp;
  const prisma = () => t.app.ctx.db.prisma;
  /** who the digest of the newest snapshot would go to now (a dry run writes nothing) */
  const plannedFor = async (): Promise<number[]> => {
    const ids: number[] = [];
    await buildDigest(digestDeps(t.app.ctx), { dryRun: true, onPlan: (p) => ids.push(p.subscriberId) });
    return ids;
  };

  beforeAll(async () => {
    t = await startWebTestApp('postgres');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('pauses for a week, a month or until resumed; a timed pause ends by itself; the page says which', async () => {
    const [ada] = (await addSubscribers(t.app, [['ada@example.org', ['language model']]])) as [Subscriber];
    const { preferencesUrl } = subscriberLinks(t.app.ctx.tokens, '', ada.id);
    expect(await plannedFor()).toContain(ada.id);
    const page = await request(t.web).get(preferencesUrl).expect(200);
    for (const label of ['Keep the digest on', 'Pause for 1 week', 'Pause for 1 month', 'Pause until I resume']) expect(page.text).toContain(label);
    expect(page.text).toMatch(/value="none" checked/);

    const week = await request(t.web)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'language model', pause: 'week' }))
      .expect(200);
    const stored = (await getSubscriber(prisma(), ada.id))!;
    expect(stored.paused).toBe(true);
    expect(Math.abs(stored.pausedUntil!.getTime() - (Date.now() + 7 * 86400_000))).toBeLessThan(60_000);
    expect(week.text).toMatch(/Your digest is paused until \w+ \d+, \d{4}: it starts again by itself then\./);
    expect(week.text).toMatch(/value="keep" checked/); // the running pause, not a new week
    expect(await plannedFor()).not.toContain(ada.id);

    // a topics change keeps the pause where it ends
    await request(t.web)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'language model\nscaling laws', pause: 'keep' }))
      .expect(200);
    expect((await getSubscriber(prisma(), ada.id))!.pausedUntil).toEqual(stored.pausedUntil);

    // the week is over: digests again, with nothing run when it ended; the page says "on"
    await prisma().subscriber.update({ where: { id: ada.id }, data: { pausedUntil: new Date(Date.now() - 1000) } });
    expect(await plannedFor()).toContain(ada.id);
    const over = await request(t.web).get(preferencesUrl).expect(200);
    expect(over.text).toContain('pill-on');
    expect(over.text).toMatch(/value="none" checked/);

    await request(t.web)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'language model', pause: 'month' }))
      .expect(200);
    expect((await getSubscriber(prisma(), ada.id))!.pausedUntil!.getTime()).toBeGreaterThan(Date.now() + 27 * 86400_000);
    const forever = await request(t.web)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'language model', pause: 'indefinite' }))
      .expect(200);
    expect(forever.text).toContain('Your digest is paused: no emails until you resume it here.');
    expect(await getSubscriber(prisma(), ada.id)).toMatchObject({ paused: true, pausedUntil: null });
    expect(await plannedFor()).not.toContain(ada.id);

    const before = await tableFingerprint(prisma());
    await request(t.web)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'language model', pause: 'a-decade' }))
      .expect(400);
    expect(await tableFingerprint(prisma())).toEqual(before);

    await request(t.web)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'language model', pause: 'none' }))
      .expect(200);
    expect(await getSubscriber(prisma(), ada.id)).toMatchObject({ paused: false, pausedUntil: null });
    expect(await plannedFor()).toContain(ada.id);
  });

  it('daily, weekly on a day, or feed only: chosen when subscribing and on the preferences page', async () => {
    const subscribe = (fields: Record<string, string>) => request(t.web).post('/subscribe').type('form').send(form(fields));
    const home = await request(t.web).get('/').expect(200);
    expect(home.text).toMatch(/<input id="frequency-daily" name="frequency" type="radio" value="daily" checked>/);
    expect(home.text).toContain('<option value="5">Friday</option>');
    await subscribe({ email: 'wes@example.org', topics: 'scaling laws', frequency: 'weekly', weeklyDay: '5' }).expect(303);
    const wes = await prisma().subscriber.findUniqueOrThrow({ where: { emailKey: 'wes@example.org' } });
    expect(wes).toMatchObject({ status: 'pending', frequency: 'weekly', weeklyDay: 5 });
    const confirm = t.app.ctx.tokens.sign({ purpose: 'confirm', subscriberId: wes.id, nonce: wes.tokenNonce, expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    expect((await request(t.web).get(`/confirm?token=${confirm}`).expect(200)).text).toContain('Start the weekly digest for');

    // a form with a day that does not exist changes nothing, whatever else it says
    const before = await tableFingerprint(prisma());
    for (const bad of [{ frequency: 'weekly', weeklyDay: '9' }, { frequency: 'weekly' }, { frequency: 'hourly' }] as Array<Record<string, string>>) {
      // the form comes back with what the reader typed and says what to choose, not a bare error page
      const res = await subscribe({ email: 'wes2@example.org', topics: 'scaling laws', ...bad }).expect(400);
      expect(res.text).toContain(
        '<p class="field-error" id="frequency-error">Choose how often: every day, once a week on a day you pick, or no email (your feed only).</p>',
      );
      expect(res.text).toContain('value="wes2@example.org"');
      expect(res.text).toMatch(/<textarea[^>]*>scaling laws<\/textarea>/);
    }
    expect(await tableFingerprint(prisma())).toEqual(before);
    // the choice is kept when the form comes back for a correction
    const again = await subscribe({ email: 'not-an-address', topics: 'scaling laws', frequency: 'feed' }).expect(400);
    expect(again.text).toMatch(/value="feed" checked/);

    const [cy] = (await addSubscribers(t.app, [['cy@example.org', ['scaling laws']]])) as [Subscriber];
    const { preferencesUrl } = subscriberLinks(t.app.ctx.tokens, '', cy.id);
    expect((await request(t.web).get(preferencesUrl).expect(200)).text).toContain('You get an email every day new papers match.');
    const weekly = await request(t.web)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'scaling laws', frequency: 'weekly', weeklyDay: '3', pause: 'none' }))
      .expect(200);
    expect(weekly.text).toContain('Saved. From now on: once a week, on Wednesdays.');
    expect(weekly.text).toMatch(/<option value="3" selected>Wednesday<\/option>/);
    expect(await getSubscriber(prisma(), cy.id)).toMatchObject({ frequency: 'weekly', weeklyDay: 3 });
    const feed = await request(t.web)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'scaling laws', frequency: 'feed', weeklyDay: '3', pause: 'none' }))
      .expect(200);
    expect(feed.text).toContain('Feed only');
    expect(await getSubscriber(prisma(), cy.id)).toMatchObject({ status: 'active', frequency: 'feed' });
    expect(await plannedFor()).not.toContain(cy.id); // feed only: no email
    const mid = await tableFingerprint(prisma());
    await request(t.web)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'scaling laws', frequency: 'weekly', weeklyDay: 'x' }))
      .expect(400);
    expect(await tableFingerprint(prisma())).toEqual(mid);
  });

  it('unsubscribe: says what the button will do; after, one click brings the same topics back for 30 days', async () => {
    const [bo] = (await addSubscribers(t.app, [['bo@example.org', ['scaling laws', 'diffusion -video']]])) as [Subscriber];
    const { unsubscribeUrl } = subscriberLinks(t.app.ctx.tokens, '', bo.id);
    const token = unsubscribeUrl.split('token=')[1]!;
    const ask = await request(t.web).get(unsubscribeUrl).expect(200);
    expect(ask.text).toContain('Press the button to stop every email');
    expect(ask.text).toContain('Nothing changes until you do.');
    expect(ask.text).not.toContain('will get no more emails');

    const done = await request(t.web)
      .post(unsubscribeUrl)
      .type('form')
      .send(form({ 'List-Unsubscribe': 'One-Click', from: 'page' }))
      .expect(200);
    expect(done.text).toContain('will get no more emails from us, starting now');
    expect(done.text).toContain(`<form method="post" action="/resubscribe?token=${token}"`);
    expect(done.text).toContain('Subscribe again with the same topics');

    // the GET is a page with the button; it changes nothing
    const before = await tableFingerprint(prisma());
    expect((await request(t.web).get(`/resubscribe?token=${token}`).expect(200)).text).toContain('Subscribe again with the same topics');
    expect(await tableFingerprint(prisma())).toEqual(before);

    const back = await request(t.web).post(`/resubscribe?token=${token}`).type('form').send('').expect(200);
    expect(back.text).toContain('You&#39;re subscribed again');
    expect(back.text).toMatch(/href="\/preferences\?token=p\./);
    expect(await getSubscriber(prisma(), bo.id)).toMatchObject({ status: 'active', topics: ['scaling laws', 'diffusion -video'], unsubscribedAt: null });
    expect(t.app.captured.events('subscriber.resubscribed').at(-1)).toMatchObject({ subscriberId: bo.id });
    // twice: already subscribed, nothing more written
    const after = await tableFingerprint(prisma());
    expect((await request(t.web).post(`/resubscribe?token=${token}`).type('form').send('').expect(200)).text).toContain('You&#39;re subscribed');
    expect(await tableFingerprint(prisma())).toEqual(after);

    // 31 days after leaving: only the prefilled form and a new confirmation
    await prisma().subscriber.update({ where: { id: bo.id }, data: { status: 'unsubscribed', unsubscribedAt: new Date(Date.now() - 31 * 86400_000) } });
    const late = await request(t.web).post(`/resubscribe?token=${token}`).type('form').send('').expect(410);
    expect(late.text).toContain('more than 30 days');
    expect(late.text).toContain('href="/?topics=scaling+laws%0Adiffusion+-video&amp;email=bo%40example.org"');
    expect((await getSubscriber(prisma(), bo.id))!.status).toBe('unsubscribed');
    const page = await request(t.web).get(unsubscribeUrl).expect(200);
    expect(page.text).not.toContain('/resubscribe');
    expect(page.text).toContain('href="/?topics=scaling+laws%0Adiffusion+-video&amp;email=bo%40example.org">Subscribe again</a>');
  });

  it('the pages read the subscriber of a link on the plain pool: the same subscriber as through Prisma', async () => {
    const [eve] = (await addSubscribers(t.app, [['eve@example.org', ['a', 'b']]])) as [Subscriber];
    await prisma().subscriber.update({
      where: { id: eve.id },
      data: { paused: true, pausedUntil: new Date('2030-01-01T00:00:00Z'), frequency: 'weekly', weeklyDay: 4, mutedTopics: ['b'] },
    });
    expect(await readSubscriber(t.app.ctx.db.sql, eve.id)).toEqual(await getSubscriber(prisma(), eve.id));
    expect(await readSubscriber(t.app.ctx.db.sql, 999_999)).toBeNull();
  });

  it('/resubscribe refuses a forged, damaged or wrong-purpose token, and a pending or bounced address, changing nothing', async () => {
    const [pat, bee] = (await addSubscribers(t.app, [
      ['pat2@example.org', ['x'], 'pending'],
      ['bee@example.org', ['x'], 'bounced'],
    ])) as [Subscriber, Subscriber];
    const good = t.app.ctx.tokens.sign({ purpose: 'unsubscribe', subscriberId: pat.id });
    const before = await tableFingerprint(prisma());
    for (const [token, status] of [
      [good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A'), 400],
      [good.slice(0, 8), 400],
      [t.app.ctx.tokens.sign({ purpose: 'preferences', subscriberId: pat.id }), 400],
      [good, 409],
      [t.app.ctx.tokens.sign({ purpose: 'unsubscribe', subscriberId: bee.id }), 409],
    ] as const) {
      const res = await request(t.web).post(`/resubscribe?token=${token}`).type('form').send('');
      expect(res.status).toBe(status);
      expect(res.text).not.toMatch(LEAKS);
    }
    expect(await tableFingerprint(prisma())).toEqual(before);
  });
});
