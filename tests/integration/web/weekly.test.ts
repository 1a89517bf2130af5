// Daily and weekly readers over seven daily snapshots, through the same digest build and delivery
// log: the weekly reader gets one digest with the week's papers (frozen into it, so it renders and
// has a web view), the daily reader beside them gets their seven, nobody gets a paper twice, and a
// feed-only reader gets no email at all.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertSubscriber, type Subscriber } from '../../../src/db/subscribers.ts';
import { digestDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { sendNow } from '../../support/app.ts';
import { parseFeed } from '../../support/feeds.ts';
import { footerLink, item, startReaderWorld, type ReaderWorld } from './reader-support.ts';

describe('daily and weekly (PostgreSQL, SMTP)', () => {
  let w: ReaderWorld;
  let daily: Subscriber;
  let weekly: Subscriber;
  let feedOnly: Subscriber;
  const days = ['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04', '2026-06-05', '2026-06-06', '2026-06-07'];
  const deliveriesOf = (s: Subscriber) => w.app.ctx.db.prisma.delivery.findMany({ where: { subscriberId: s.id }, orderBy: { id: 'asc' } });
  const paperIds = (papers: unknown) => (papers as Array<{ paperId: number }>).map((p) => p.paperId);
  const build = (day: string) =>
    buildDigest({ ...digestDeps(w.app.ctx), beforeBuild: undefined, relevance: undefined, now: () => new Date(`${day}T08:00:00Z`) });

  beforeAll(async () => {
    w = await startReaderWorld();
    const prisma = w.app.ctx.db.prisma;
    daily = await insertSubscriber(prisma, { email: 'daily@example.org', topics: ['scaling laws'] });
    weekly = await insertSubscriber(prisma, { email: 'weekly@example.org', topics: ['scaling laws'], frequency: 'weekly', weeklyDay: 0 });
    feedOnly = await insertSubscriber(prisma, { email: 'feed@example.org', topics: ['scaling laws'], frequency: 'feed' });
    await prisma.subscriber.updateMany({ data: { confirmedAt: new Date('2026-05-31T12:00:00Z') } }); // confirmed on a Sunday
    for (const [n, day] of days.entries()) {
      const listing = [
        item(`2606.0010${n}`, `Scaling Laws, Day ${n + 1}`, 'New scaling laws.', day),
        item(`2606.0020${n}`, `Other Things, Day ${n + 1}`, 'Unrelated.', day),
      ];
      // a paper that drops out of the listing on day 3 and comes back on day 4: new again, never mailed twice
      if (n === 1 || n === 3) listing.push(item('2606.09999', 'Scaling Laws That Come Back', 'Scaling laws, again.', '2026-06-02'));
      await w.ingest(day, listing);
      expect((await build(day)).kind).toBe('built');
      await sendNow(w.app);
    }
  });
  afterAll(async () => {
    await w?.close();
  });

  it('the daily reader gets their 7 digests, the paper that came back only once', async () => {
    const got = await deliveriesOf(daily);
    expect(got).toHaveLength(7);
    expect(got.every((d) => d.status === 'sent')).toBe(true);
    const all = got.flatMap((d) => paperIds(d.papers));
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(8); // 7 days + the one that came back, once
  });

  it("the weekly reader gets one digest, on their day, with the week's papers, none twice", async () => {
    const got = await deliveriesOf(weekly);
    expect(got).toHaveLength(1);
    expect(got[0]!.status).toBe('sent');
    const digest = await w.app.ctx.db.prisma.digest.findUniqueOrThrow({ where: { id: got[0]!.digestId } });
    expect(digest.createdAt.toISOString()).toBe('2026-06-07T08:00:00.000Z');
    const ids = paperIds(got[0]!.papers);
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
    // the carried papers are frozen into that digest, saying where they were new
    const frozen = await w.app.ctx.db.prisma.digestPaper.findMany({ where: { digestId: digest.id } });
    expect(frozen.filter((f) => f.carriedFrom === null)).toHaveLength(2); // day 7's own new papers
    expect(frozen.filter((f) => f.carriedFrom !== null)).toHaveLength(7);
    expect(digest.newPaperCount).toBe(2);

    const mail = w.sink.messages.filter((m) => m.envelope.to.includes('weekly@example.org'));
    expect(mail).toHaveLength(1);
    const text = (mail[0]!.parsed.text ?? '').replace(/\s+/g, ' ').replaceAll('*', '');
    for (let n = 1; n <= 7; n++) expect(text).toContain(`Scaling Laws, Day ${n}`);
    expect(text).toContain('Scaling Laws That Come Back');
    expect(text).not.toContain('Other Things');
    // it is about the week, not the day it was built on; a daily reader's digest names its day
    expect(text).toContain('New on Hugging Face Daily Papers this week, for your topic');
    expect(mail[0]!.parsed.html).toContain('this week, for your topic');
    const dailyText = (w.sink.messages.find((m) => m.envelope.to.includes('daily@example.org'))!.parsed.text ?? '').replace(/\s+/g, ' ');
    expect(dailyText).toMatch(/New on Hugging Face Daily Papers on Jun \d+, 2026, for your topic/);
    // its web view renders from the same frozen digest
    const view = await request(w.web).get(footerLink(mail[0]!, 'View in your browser')).expect(200);
    expect(view.text).toContain('Scaling Laws, Day 1');
  });

  it('the next week starts over: not due again until their day', async () => {
    await w.ingest('2026-06-08', [item('2606.00300', 'Scaling Laws, Day 8', 'New scaling laws.', '2026-06-08')]);
    const built = await build('2026-06-08');
    expect(built.kind === 'built' && built.deliveries).toBe(1); // the daily reader only
    expect(await deliveriesOf(weekly)).toHaveLength(1);
  });

  it('a reader who switches to their feed only after the digest was built gets no email from it', async () => {
    const prisma = w.app.ctx.db.prisma;
    await w.ingest('2026-06-09', [item('2606.00400', 'Scaling Laws, Day 9', 'New scaling laws.', '2026-06-09')]);
    expect((await build('2026-06-09')).kind).toBe('built');
    await prisma.subscriber.update({ where: { id: daily.id }, data: { frequency: 'feed' } });
    const before = w.sink.messages.length;
    await sendNow(w.app);
    const last = (await deliveriesOf(daily)).at(-1)!;
    expect(last).toMatchObject({ status: 'failed', errorCode: 'subscriber_feed_only' });
    expect(w.sink.messages.length).toBe(before);
    await prisma.subscriber.update({ where: { id: daily.id }, data: { frequency: 'daily' } });
  });

  it('a feed-only reader is active and gets no email, but their feed', async () => {
    expect(await deliveriesOf(feedOnly)).toHaveLength(0);
    expect(w.sink.messages.filter((m) => m.envelope.to.includes('feed@example.org'))).toHaveLength(0);
    const feed = await request(w.web)
      .get(`/feeds/mine.atom?token=${w.app.ctx.tokens.sign({ purpose: 'feed', subscriberId: feedOnly.id })}`)
      .expect(200);
    expect(parseFeed(feed.text).items.map((i) => i.title)).toContain('Scaling Laws, Day 7');
  });
});
