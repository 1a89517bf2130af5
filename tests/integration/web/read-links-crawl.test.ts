// What a read link lets its holder do, found by doing everything it allows: a crawler starts from a
// reader's feed URL (a feed reader, a shared OPML file) and from their archive or "View in your
// browser" link (a forwarded email), fetches every page it reaches, follows every link and submits
// every form (as it comes and with every text field changed) within the site. Nothing it does may
// change the reader's subscription, and nothing it reads may carry a link that changes something.
// The one thing it may cause: the reader's own preferences link mailed to the reader's own stored
// address ("email me my preferences link"), at most PREFERENCES_LINK_LIMIT times an hour: the crawl
// counts those rows, checks whose they are and where the mail went, and follows nothing in the mail
// (a crawler holding a read link has no access to the reader's inbox).
// On both databases.
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subscriber } from '../../../src/db/subscribers.ts';
import type { PrismaClient } from '../../../src/db/generated/client.ts';
import { trainReaderModelsDeps } from '../../../src/app/deps.ts';
import { trainReaderModels } from '../../../src/jobs/train-reader-models.ts';
import { subscriptionDeps } from '../../../src/subscriptions/deps.ts';
import { SubscriptionMailQueue } from '../../../src/subscriptions/mail-queue.ts';
import { PREFERENCES_LINK_LIMIT } from '../../../src/subscriptions/preferences-link.ts';
import { createWebApp } from '../../../src/web/app.ts';
import { pagesRouter } from '../../../src/web/pages/router.ts';
import { addSubscribers } from '../../support/app.ts';
import { BACKENDS } from '../../support/databases.ts';
import { tableFingerprint } from '../../support/fingerprint.ts';
import { crawl, type Crawl } from './crawl.ts';
import { footerLink, item, startReaderWorld, type ReaderWorld } from './reader-support.ts';
import { BASE_URL, GENEROUS } from './support.ts';

/** What "no state changed" compares: every reader's row, every feedback event, every reader model, every subscription mail. */
async function readerState(prisma: PrismaClient) {
  const rows = (table: string) =>
    prisma.$queryRawUnsafe<Array<{ row: string }>>(`SELECT to_jsonb(t)::text AS row FROM "${table}" t ORDER BY id`).then((r) => r.map((x) => x.row));
  return {
    subscriber: await rows('subscriber'),
    feedback: await rows('feedback'),
    models: (await prisma.$queryRawUnsafe<Array<{ row: string }>>(`SELECT to_jsonb(t)::text AS row FROM reader_model t ORDER BY subscriber_id`)).map(
      (r) => r.row,
    ),
    mails: await prisma.subscriptionMail.findMany({ orderBy: { id: 'asc' }, select: { id: true, subscriberId: true, kind: true } }),
    everything: await tableFingerprint(prisma),
  };
}

const READ = new Set(['archive', 'feed']);

for (const backend of BACKENDS) {
  describe(`a crawl from a read link changes nothing and finds no change link (${backend})`, () => {
    let w: ReaderWorld;
    let web: Express;
    let queue: SubscriptionMailQueue;
    let ada: Subscriber;
    let uma: Subscriber;
    const prisma = () => w.app.ctx.db.prisma;
    const mailTo = (email: string) => w.sink.messages.find((m) => m.envelope.to.includes(email))!;
    const feedUrl = (id: number, format: 'atom' | 'json') => `/feeds/mine.${format}?token=${w.app.ctx.tokens.sign({ purpose: 'feed', subscriberId: id })}`;

    beforeAll(async () => {
      w = await startReaderWorld({}, {}, backend);
      queue = new SubscriptionMailQueue(subscriptionDeps(w.app.ctx));
      web = createWebApp(w.app.ctx, { pages: pagesRouter(w.app.ctx, { mailQueue: queue, rateLimits: GENEROUS, subscribeAnswerMs: 0 }), requestLog: false });
      [ada, uma] = (await addSubscribers(w.app, [
        ['ada@example.org', ['scaling laws', 'diffusion', 'quantum']],
        ['uma@example.org', ['scaling laws']],
        ['bob@example.org', ['diffusion']],
      ])) as [Subscriber, Subscriber];
      // a muted topic: the preferences page would show a form to restore it
      await prisma().subscriber.update({ where: { id: ada.id }, data: { mutedTopics: ['quantum'] } });
      for (const [n, day] of ['2026-06-08', '2026-06-09'].entries()) {
        await w.ingest(day, [
          item(`2606.0010${n}`, `Scaling Laws, Day ${n + 1}`, 'New scaling laws for sparse mixtures.', day),
          item(`2606.0020${n}`, `Diffusion Models, Day ${n + 1}`, 'Diffusion all the way down.', day),
        ]);
        await w.digestAndSend();
      }
      await w.sink.waitFor(6);
      // marks and a reader model: the preferences page would offer to undo them and to forget
      const [mark, other] = await prisma().paper.findMany({ where: { arxivId: { in: ['2606.00100', '2606.00200'] } }, orderBy: { id: 'asc' } });
      await prisma().feedback.createMany({
        data: [
          { subscriberId: ada.id, kind: 'more_like_this', paperId: mark!.id, at: new Date() },
          { subscriberId: ada.id, kind: 'not_relevant', paperId: other!.id, at: new Date() },
        ],
      });
      await trainReaderModels(trainReaderModelsDeps(w.app.ctx));
      expect(await prisma().readerModel.count({ where: { subscriberId: ada.id } })).toBe(1);
      // uma left two days ago: her unsubscribe link could still bring her back in one click
      await prisma().subscriber.update({ where: { id: uma.id }, data: { status: 'unsubscribed', unsubscribedAt: new Date(Date.now() - 2 * 86400_000) } });
    });
    afterAll(async () => {
      await queue?.stop(5000);
      await w?.close();
    });

    /** Crawls from `start` as `reader`'s link holder; checks everything the crawl met and changed. */
    async function crawlAs(reader: Subscriber, start: string[], expectMail: boolean): Promise<Crawl> {
      const before = await readerState(prisma());
      const sentBefore = w.sink.messages.length;
      const result = await crawl(web, start, { baseUrl: BASE_URL, signer: w.app.ctx.tokens });
      await queue.idle();
      const after = await readerState(prisma());

      // never an error of ours
      expect(result.steps.filter((s) => s.status >= 500)).toEqual([]);
      // every token met only reads, and is the reader's own
      const handedOut = result.tokens.filter((t) => !READ.has(t.claims.purpose) || t.claims.subscriberId !== reader.id);
      expect(handedOut.map((t) => `${t.claims.purpose} (subscriber ${t.claims.subscriberId}) in ${t.in.replace(/token=[^&\s]+/, 'token=…')}`)).toEqual([]);
      // no reader, no feedback changed
      expect(after.subscriber).toEqual(before.subscriber);
      expect(after.feedback).toEqual(before.feedback);
      expect(after.models).toEqual(before.models);
      expect({ ...after.everything, subscriber: '', feedback: '' }).toEqual({ ...before.everything, subscriber: '', feedback: '' });
      // the one effect allowed: the reader's preferences link, queued for the reader, mailed to the reader's stored address only
      const queued = after.mails.filter((m) => !before.mails.some((b) => b.id === m.id));
      expect(queued.every((m) => m.kind === 'preferences_link' && m.subscriberId === reader.id)).toBe(true);
      if (expectMail) expect(queued.length).toBeGreaterThanOrEqual(1);
      else expect(queued).toEqual([]);
      expect(queued.length).toBeLessThanOrEqual(PREFERENCES_LINK_LIMIT.count);
      expect(
        w.sink.messages
          .slice(sentBefore)
          .flatMap((m) => m.envelope.to)
          .filter((to) => to !== reader.email),
      ).toEqual([]);
      return result;
    }

    it("from a reader's feed URLs: the feeds and the public pages, nothing of the reader's but the feed", async () => {
      const result = await crawlAs(ada, [feedUrl(ada.id, 'atom'), feedUrl(ada.id, 'json')], false);
      expect(result.steps.filter((s) => s.url.startsWith('/feeds/mine.') && s.status === 200)).toHaveLength(2);
      expect(result.steps.some((s) => s.url.startsWith('/archive'))).toBe(false);
    });

    it('from an archive link: the archive, every web view, "email me my preferences link" (mailed to the reader only)', async () => {
      const result = await crawlAs(ada, [footerLink(mailTo('ada@example.org'), 'Your archive')], true);
      expect(result.steps.filter((s) => /^\/archive\/\d+\?/.test(s.url) && s.status === 200).length).toBe(2);
      expect(result.steps.some((s) => s.method === 'POST' && s.url.startsWith('/preferences-link?') && s.status === 303)).toBe(true);
      expect(result.steps.some((s) => s.method === 'GET' && /^\/preferences-link\?.*&asked=1$/.test(s.url) && s.status === 200)).toBe(true);
      await w.sink.waitFor(7);
      const mail = w.sink.messages.at(-1)!;
      expect(mail.envelope.to).toEqual(['ada@example.org']);
      expect(mail.parsed.subject).toBe('Your paperboy preferences link');
    });

    it('from a forwarded "View in your browser" of a reader who left: nothing brings them back', async () => {
      await crawlAs(uma, [footerLink(mailTo('uma@example.org'), 'View in your browser'), feedUrl(uma.id, 'atom')], true);
      expect((await prisma().subscriber.findUniqueOrThrow({ where: { id: uma.id } })).status).toBe('unsubscribed');
    });
  });
}
