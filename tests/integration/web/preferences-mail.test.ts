// "Preferences updated" emails on a real PostgreSQL and SMTP server: saves within
// PREFERENCES_MAIL_DELAY make one email that tells the last state (feed only: email stopped), and a
// mail already claimed by a loop is never joined — the change after it gets its own.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimMails } from '../../../src/db/subscription-mail.ts';
import { subscriberLinks } from '../../../src/deliver/links.ts';
import { subscriptionDeps } from '../../../src/subscriptions/deps.ts';
import { SubscriptionMailQueue } from '../../../src/subscriptions/mail-queue.ts';
import { addSubscribers } from '../../support/app.ts';
import { form, startWebTestApp, type WebTestApp } from './support.ts';

const DELAY_MS = 120_000;

describe('preferences updated: one email for several saves', () => {
  let t: WebTestApp;
  const prisma = () => t.app.ctx.db.prisma;
  const mailsOf = (subscriberId: number) =>
    prisma().subscriptionMail.findMany({ where: { subscriberId, kind: 'preferences_changed' }, orderBy: { id: 'asc' } });
  /** the mail loop, its clock `aheadMs` ahead */
  const loopAt = async (aheadMs: number) => {
    const loop = new SubscriptionMailQueue(subscriptionDeps(t.app.ctx, { now: () => new Date(Date.now() + aheadMs) }));
    loop.wake();
    await loop.idle();
  };

  beforeAll(async () => {
    t = await startWebTestApp('postgres');
  });
  afterAll(() => t?.close());

  it('four quick saves: one email, after the delay, saying the last of them (feed only: email stopped)', async () => {
    const web = t.webWith({ subscriptions: { preferencesMailDelayMs: DELAY_MS } });
    const [ada] = await addSubscribers(t.app, [['ada@example.org', ['scaling laws']]]);
    const { preferencesUrl } = subscriberLinks(t.app.ctx.tokens, '', ada!.id);
    t.sink.reset();
    for (const fields of <Array<Record<string, string>>>[
      { topics: 'scaling laws\nprotein folding' },
      { topics: 'scaling laws\nprotein folding', frequency: 'weekly', weeklyDay: '3' },
      { topics: 'scaling laws\nprotein folding', frequency: 'feed' },
      { topics: 'scaling laws\nprotein folding\nquantum', frequency: 'feed' },
    ]) {
      expect((await request(web).post(preferencesUrl).type('form').send(form(fields))).status).toBe(200);
    }
    const [mail, ...more] = await mailsOf(ada!.id);
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ status: 'queued', tries: 0 });
    expect(mail!.nextTryAt.getTime() - mail!.createdAt.getTime()).toBe(DELAY_MS);
    expect(
      t.app.captured
        .events('subscriber.preferences_changed')
        .slice(-4)
        .map((e) => e.mail),
    ).toEqual(['queued', 'joined', 'joined', 'joined']);

    await loopAt(0); // not due yet: nothing sent
    expect(t.sink.messages).toHaveLength(0);
    await loopAt(DELAY_MS + 1000);
    const [sent] = await t.sink.waitFor(1);
    expect(t.sink.messages).toHaveLength(1);
    expect(sent!.parsed.text).toContain('Email is stopped: you chose your feed only');
    expect(sent!.parsed.text).toContain('- quantum');
    expect(await mailsOf(ada!.id)).toMatchObject([{ status: 'sent' }]);
  });

  it('a mail a loop has claimed is not joined: the next save queues its own', async () => {
    const web = t.webWith({ subscriptions: { preferencesMailDelayMs: 0 } });
    const [bo] = await addSubscribers(t.app, [['bo@example.org', ['scaling laws']]]);
    const { preferencesUrl } = subscriberLinks(t.app.ctx.tokens, '', bo!.id);
    // a stopped loop: the first save's mail stays queued until it is claimed by hand
    const stopped = new SubscriptionMailQueue(subscriptionDeps(t.app.ctx));
    await stopped.stop(0);
    const quiet = t.webWith({ mailQueue: stopped, subscriptions: { preferencesMailDelayMs: 0 } });
    await request(quiet)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'quantum' }))
      .expect(200);
    const claimed = await claimMails(prisma(), 'another-loop', new Date(), 60_000, 10);
    expect(claimed.filter((m) => m.subscriberId === bo!.id)).toHaveLength(1);

    await request(web)
      .post(preferencesUrl)
      .type('form')
      .send(form({ topics: 'protein folding' }))
      .expect(200);
    const mails = await mailsOf(bo!.id);
    expect(mails.map((m) => m.status)).toEqual(['sending', expect.stringMatching(/^(queued|sending|sent)$/)]);
    expect(mails).toHaveLength(2);
  });
});
