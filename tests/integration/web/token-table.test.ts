// A token is a capability: which purpose may reach which route, as a table. Every purpose × every
// route that takes a token × GET and POST, with a real reader, a real digest and a body that would
// change something: where the purpose is allowed the route works (and its answer carries only the
// links that purpose may hand out); everywhere else the right refusal, no link at all in it, and
// nothing changed. On both databases. The table below is the one in CONTEXT.md ("Links and what
// they may reach").
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../../src/db/generated/client.ts';
import type { Subscriber } from '../../../src/db/subscribers.ts';
import type { TokenPurpose } from '../../../src/security/tokens.ts';
import { trainReaderModelsDeps } from '../../../src/app/deps.ts';
import { trainReaderModels } from '../../../src/jobs/train-reader-models.ts';
import { subscriptionDeps } from '../../../src/subscriptions/deps.ts';
import { SubscriptionMailQueue } from '../../../src/subscriptions/mail-queue.ts';
import { createWebApp } from '../../../src/web/app.ts';
import { pagesRouter } from '../../../src/web/pages/router.ts';
import { addSubscribers } from '../../support/app.ts';
import { BACKENDS } from '../../support/databases.ts';
import { tableFingerprint } from '../../support/fingerprint.ts';
import { tokensIn } from './crawl.ts';
import { item, startReaderWorld, type ReaderWorld } from './reader-support.ts';
import { form, GENEROUS, LEAKS } from './support.ts';

const PURPOSES: TokenPurpose[] = ['confirm', 'preferences', 'unsubscribe', 'feedback', 'archive', 'feed'];

/** Who each route is tried for: a pending reader (confirm), one who left a day ago (resubscribe), an active one, one to delete (restored after each cell). */
type Who = 'pat' | 'uma' | 'ada' | 'eve';

interface Route {
  method: 'GET' | 'POST';
  /** `:delivery` stands for the reader's own delivery */
  path: string;
  who: Who;
  /** a body that changes something when the route accepts it */
  body?: Record<string, string>;
}

const PATHS: Array<[path: string, who: Who, body: Record<string, string>]> = [
  ['/confirm', 'pat', {}],
  ['/preferences', 'ada', { topics: 'scaling laws\nsomething else', pause: 'week', frequency: 'daily' }],
  ['/preferences/restore-topic', 'ada', { topic: 'quantum' }],
  ['/preferences/undo-mark', 'ada', { paper: ':paper' }],
  ['/preferences/forget', 'ada', {}],
  ['/preferences/delete', 'eve', { confirm: 'yes' }],
  // the preferences page's live preview, ranked with the reader's model (JSON): what they marked shows through it
  ['/api/preferences/preview', 'ada', { topics: 'scaling laws' }],
  ['/unsubscribe', 'ada', { 'List-Unsubscribe': 'One-Click' }],
  ['/resubscribe', 'uma', {}],
  ['/feedback/:delivery', 'ada', { kind: 'not_relevant', paper: ':paper' }],
  ['/archive', 'ada', {}],
  ['/archive/:delivery', 'ada', {}],
  ['/preferences-link', 'ada', { email: 'mallory@example.net' }],
  ['/feeds/mine.atom', 'ada', {}],
  ['/feeds/mine.json', 'ada', {}],
];

const ROUTES: Route[] = PATHS.flatMap(([path, who, body]) => [
  { method: 'GET' as const, path, who },
  { method: 'POST' as const, path, who, body },
]);

/** Which purpose reaches which route: everything not listed is refused. */
const ALLOWED: Record<TokenPurpose, string[]> = {
  confirm: ['GET /confirm', 'POST /confirm'],
  preferences: [
    'GET /preferences',
    'POST /preferences',
    'POST /preferences/restore-topic',
    'POST /preferences/undo-mark',
    'GET /preferences/forget',
    'POST /preferences/forget',
    'GET /preferences/delete',
    'POST /preferences/delete',
    'GET /api/preferences/preview',
  ],
  unsubscribe: ['GET /unsubscribe', 'POST /unsubscribe', 'GET /resubscribe', 'POST /resubscribe'],
  feedback: ['GET /feedback/:delivery', 'POST /feedback/:delivery'],
  archive: ['GET /archive', 'GET /archive/:delivery', 'GET /preferences-link', 'POST /preferences-link'],
  feed: ['GET /feeds/mine.atom', 'GET /feeds/mine.json'],
};

/** The links a page opened with each purpose may carry (always the same reader's): read links hand out read links only. */
const MAY_CARRY: Record<TokenPurpose, TokenPurpose[]> = {
  confirm: ['confirm', 'preferences'],
  preferences: ['preferences', 'unsubscribe', 'archive', 'feed'],
  unsubscribe: ['unsubscribe', 'preferences'],
  feedback: ['feedback', 'preferences', 'archive'],
  archive: ['archive'],
  feed: ['feed'],
};

/** A route no purpose reaches with this method does not exist: 404. */
const EXISTS = new Set(Object.values(ALLOWED).flat());

async function state(prisma: PrismaClient) {
  const rows = (table: string) =>
    prisma.$queryRawUnsafe<Array<{ row: string }>>(`SELECT to_jsonb(t)::text AS row FROM "${table}" t ORDER BY id`).then((r) => r.map((x) => x.row));
  const model = await prisma.$queryRawUnsafe<Array<{ row: string }>>(`SELECT to_jsonb(t)::text AS row FROM reader_model t ORDER BY subscriber_id`);
  return {
    subscriber: await rows('subscriber'),
    feedback: await rows('feedback'),
    mail: await rows('subscription_mail'),
    model: model.map((r) => r.row),
    everything: await tableFingerprint(prisma),
  };
}

for (const backend of BACKENDS) {
  describe(`every purpose × every route × GET and POST (${backend})`, () => {
    let w: ReaderWorld;
    let web: Express;
    let queue: SubscriptionMailQueue;
    const who = {} as Record<Who, Subscriber>;
    let delivery = 0;
    let paper = 0;
    const prisma = () => w.app.ctx.db.prisma;
    /** ada's mark on the paper and her reader model: what undo and forget would delete (put back after they did) */
    const learned = async () => {
      if ((await prisma().feedback.count({ where: { subscriberId: who.ada.id, kind: 'more_like_this' } })) === 0) {
        await prisma().feedback.create({ data: { subscriberId: who.ada.id, kind: 'more_like_this', paperId: paper, deliveryId: delivery, at: new Date() } });
      }
      await trainReaderModels(trainReaderModelsDeps(w.app.ctx));
      expect(await prisma().readerModel.count({ where: { subscriberId: who.ada.id } })).toBe(1);
    };

    const sign = (purpose: TokenPurpose, s: Subscriber) =>
      w.app.ctx.tokens.sign({
        purpose,
        subscriberId: s.id,
        ...(purpose === 'confirm' ? { nonce: s.tokenNonce, expiresAt: Math.floor(Date.now() / 1000) + 86400 } : {}),
      });

    beforeAll(async () => {
      w = await startReaderWorld({}, {}, backend);
      queue = new SubscriptionMailQueue(subscriptionDeps(w.app.ctx));
      web = createWebApp(w.app.ctx, { pages: pagesRouter(w.app.ctx, { mailQueue: queue, rateLimits: GENEROUS, subscribeAnswerMs: 0 }), requestLog: false });
      [who.ada, who.uma, who.pat, who.eve] = (await addSubscribers(w.app, [
        ['ada@example.org', ['scaling laws', 'quantum']],
        ['uma@example.org', ['scaling laws']],
        ['pat@example.org', ['scaling laws'], 'pending'],
        ['eve@example.org', ['zebrafish fins']],
      ])) as [Subscriber, Subscriber, Subscriber, Subscriber];
      await w.ingest('2026-06-08', [item('2606.00100', 'Scaling Laws, Day 1', 'New scaling laws.', '2026-06-08')]);
      await w.digestAndSend();
      await prisma().subscriber.update({ where: { id: who.ada.id }, data: { mutedTopics: ['quantum'] } });
      await prisma().subscriber.update({ where: { id: who.uma.id }, data: { status: 'unsubscribed', unsubscribedAt: new Date(Date.now() - 86400_000) } });
      delivery = (await prisma().delivery.findFirstOrThrow({ where: { subscriberId: who.ada.id } })).id;
      paper = (await prisma().paper.findFirstOrThrow({ where: { arxivId: '2606.00100' } })).id;
      await learned();
    });
    afterAll(async () => {
      await queue?.stop(5000);
      await w?.close();
    });

    for (const purpose of PURPOSES) {
      for (const route of ROUTES) {
        const name = `${route.method} ${route.path}`;
        const allowed = ALLOWED[purpose].includes(name);
        it(`${purpose} token, ${name}: ${allowed ? 'works' : EXISTS.has(name) ? 'refused (400)' : 'no such route (404)'}`, async () => {
          const subject = who[route.who];
          const url =
            `${route.path.replace(':delivery', String(delivery))}?token=${sign(purpose, subject)}` +
            `${route.path.startsWith('/api/') ? '&topics=scaling%20laws' : ''}`;
          const body = form(Object.fromEntries(Object.entries(route.body ?? {}).map(([k, v]) => [k, v === ':paper' ? String(paper) : v])));
          const rows = await prisma().subscriber.findUniqueOrThrow({ where: { id: subject.id } });
          const before = await state(prisma());
          const res = route.method === 'GET' ? await request(web).get(url).set('Accept', 'text/html') : await request(web).post(url).type('form').send(body);
          await queue.idle();
          const after = await state(prisma());
          const tokens = tokensIn(`${res.text ?? ''}\n${String(res.headers.location ?? '')}`, w.app.ctx.tokens);
          expect(res.text ?? '').not.toMatch(LEAKS);

          if (!allowed) {
            if (EXISTS.has(name)) {
              expect(res.status).toBe(400);
              expect(res.text).toContain('This link belongs to another page');
            } else {
              expect(res.status).toBe(404);
            }
            expect(tokens).toEqual([]);
            expect(after).toEqual(before);
            return;
          }

          // "email me my preferences link" answers with a redirect to its answer page (a reload does not ask again)
          expect(res.status).toBe(name === 'POST /preferences-link' ? 303 : 200);
          expect(tokens.filter((t) => !MAY_CARRY[purpose].includes(t.claims.purpose) || t.claims.subscriberId !== subject.id).map((t) => t.claims)).toEqual([]);
          const now = await prisma().subscriber.findUniqueOrThrow({ where: { id: subject.id } });
          const changed = (table: 'subscriber' | 'feedback' | 'mail' | 'model') =>
            after[table].length !== before[table].length || after[table].some((r, i) => r !== before[table][i]);
          if (route.method === 'GET') {
            // a link opened (by a person, or a mail scanner) changes nothing
            expect(after).toEqual(before);
            if (name === 'GET /api/preferences/preview') {
              expect(res.headers['cache-control']).toBe('private, no-store');
              expect((res.body as { topics: Array<{ topic: string; total: number }> }).topics).toMatchObject([{ topic: 'scaling laws', total: 1 }]);
            }
          } else if (name === 'POST /confirm') {
            expect([rows.status, now.status]).toEqual(['pending', 'active']);
          } else if (name === 'POST /preferences') {
            expect(now.topics).toEqual(['scaling laws', 'something else']);
            expect(now.paused).toBe(true);
          } else if (name === 'POST /preferences/restore-topic') {
            expect(now.mutedTopics).toEqual([]);
          } else if (name === 'POST /preferences/delete') {
            expect(now).toMatchObject({ status: 'erased', topics: [] });
            expect(now.email).not.toContain('eve');
          } else if (name === 'POST /unsubscribe') {
            expect(now.status).toBe('unsubscribed');
          } else if (name === 'POST /resubscribe') {
            expect([rows.status, now.status]).toEqual(['unsubscribed', 'active']);
          } else if (name === 'POST /preferences/undo-mark' || name === 'POST /preferences/forget') {
            expect(await prisma().feedback.count({ where: { subscriberId: subject.id, kind: { in: ['more_like_this', 'not_relevant'] } } })).toBe(0);
            expect(await prisma().readerModel.count({ where: { subscriberId: subject.id } })).toBe(0);
            expect(changed('subscriber')).toBe(false);
            await learned();
          } else if (name === 'POST /feedback/:delivery') {
            expect(changed('feedback')).toBe(true);
            expect(changed('subscriber')).toBe(false);
          } else if (name === 'POST /preferences-link') {
            // the reader's own preferences link, mailed to the reader's stored address (never the posted one)
            expect(after.subscriber).toEqual(before.subscriber);
            const queued = await prisma().subscriptionMail.findMany({ where: { subscriberId: subject.id, kind: 'preferences_link' } });
            expect(queued.length).toBeGreaterThan(0);
            expect(w.sink.messages.flatMap((m) => m.envelope.to)).not.toContain('mallory@example.net');
          } else {
            throw new Error(`no check for ${name}`);
          }
          // the next cell starts from the same reader
          const { id, ...data } = rows;
          await prisma().subscriber.update({ where: { id }, data });
        });
      }
    }
  });
}
