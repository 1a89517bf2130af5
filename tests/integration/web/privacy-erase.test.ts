// Export then erase one subscriber through the admin API, on both databases: the export holds
// everything stored about them; after the erase nothing of their address or topics is left in any
// column of any table (a generic scan), every digest's deliveries still add up, the delivery queued
// for them is never sent, a later digest does not mail them (real SMTP sink), their links open
// nothing, and a bounce about them is not stored again. A delivery handed to the relay at that moment
// makes the erase wait (409); a claimed one is taken away before its data goes out.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inboundDeps, sendDeps } from '../../../src/app/deps.ts';
import { startWorker, type WorkerHandle } from '../../../src/deliver/worker-liveness.ts';
import { claimDeliveries, markSent } from '../../../src/db/deliveries.ts';
import { markHanded } from '../../../src/db/hand-over.ts';
import { insertDeliveries } from '../../../src/db/digests.ts';
import { recordFeedback } from '../../../src/db/feedback.ts';
import { saveReaderModels } from '../../../src/db/reader-models.ts';
import type { SubscriberExport } from '../../../src/db/subscriber-export.ts';
import { handleInbound } from '../../../src/inbound/handle-report.ts';
import { SenderService } from '../../../src/jobs/sender.ts';
import type { eraseAction } from '../../../src/web/admin/privacy-actions.ts';
import { BACKENDS } from '../../support/databases.ts';
import { bodyOf, errorOf } from '../../support/json-body.ts';
import { CONTROL_TOPICS, digestCounts, ingestCaught, richReader, TOPICS, traces, type RichReader } from './privacy-support.ts';
import { startReaderWorld, type ReaderWorld } from './reader-support.ts';

const TOKEN = 'privacy-admin-token-0123456789abcdef';
const auth = { Authorization: `Bearer ${TOKEN}` };
const ADA = 'Ada.Lovelace@Example.org';

type Erased = Awaited<ReturnType<typeof eraseAction>>;

for (const backend of BACKENDS) {
  describe(`export then erase through the admin API (${backend})`, () => {
    let w: ReaderWorld;
    let r: RichReader;
    const prisma = () => w.app.ctx.db.prisma;

    beforeAll(async () => {
      w = await startReaderWorld({}, { ADMIN_TOKEN: TOKEN }, backend);
      r = await richReader(w, ADA, 'bob@example.org');
    });
    afterAll(async () => {
      await w?.close();
    });

    it('exports everything stored about them as JSON, by address in any case or by id', async () => {
      const res = await request(w.web)
        .get(`/admin/subscribers/${encodeURIComponent(ADA.toUpperCase())}/export`)
        .set(auth)
        .expect(200);
      const data = bodyOf<SubscriberExport>(res);
      expect(data.subscriber).toMatchObject({ id: r.reader.id, email: ADA, status: 'active', topics: TOPICS, mutedTopics: [TOPICS[1]], frequency: 'daily' });
      expect(data.subscriber.createdAt).toBeTruthy();
      expect(data.subscriber.confirmedAt).toBeTruthy();
      expect(data.deliveries.map((d) => [d.digestId, d.status])).toEqual([
        [r.sentDigest, 'sent'],
        [r.queuedDigest, 'queued'],
      ]);
      const sent = data.deliveries[0]!;
      expect(sent.listingDate).toMatch(/^2026-06-\d\dT/);
      expect(sent.papers.map((p) => p.title).sort()).toEqual([
        expect.stringMatching(/^Axolotl Limb Regrowth/),
        expect.stringMatching(/^Zebrafish Fin Regeneration/),
      ]);
      expect(sent.papers[0]!.topics.length).toBeGreaterThan(0);
      expect(sent.attempts).toEqual([expect.objectContaining({ attempt: 1, status: 'sent' })]);
      expect(data.mailedPapers).toHaveLength(2);
      expect(data.feedback.map((f) => f.kind)).toEqual(['more_like_this', 'mute_topic']);
      expect(data.feedback[0]?.paper?.title).toBeTruthy();
      expect(data.inboundReports).toEqual([expect.objectContaining({ kind: 'soft_bounce', recipient: ADA, status: '4.2.2' })]);
      expect(data.subscriptionMails.map((m) => `${m.kind} ${m.status}`)).toEqual(['confirmation sent', 'preferences_changed queued']);
      expect(data.readerModel).toMatchObject({ positives: 1 });
      expect(typeof data.readerModel?.trainedAt).toBe('string');
      expect(JSON.stringify(data)).not.toMatch(/tokenNonce|emailKey|token_nonce/);
      const byId = await request(w.web).get(`/admin/subscribers/${r.reader.id}/export`).set(auth).expect(200);
      expect(bodyOf<SubscriberExport>(byId).subscriber.email).toBe(ADA);
      expect(w.app.captured.events('subscriber.exported').at(-1)).toMatchObject({ subscriberId: r.reader.id, via: 'admin API' });
    });

    it('answers bad or unknown subscribers with JSON errors, and wants the token', async () => {
      await request(w.web).get(`/admin/subscribers/${r.reader.id}/export`).expect(401);
      const bad = await request(w.web).get('/admin/subscribers/not-an-address/export').set(auth).expect(400);
      expect(errorOf(bad).code).toBe('VALIDATION_FAILED');
      const nobody = await request(w.web).delete('/admin/subscribers/nobody@example.org').set(auth).expect(404);
      expect(errorOf(nobody).code).toBe('SUBSCRIBER_NOT_FOUND');
      await request(w.web).delete(`/admin/subscribers/${r.reader.id}`).expect(401);
      expect((await prisma().subscriber.findUniqueOrThrow({ where: { id: r.reader.id } })).status).toBe('active');
    });

    it('refuses while a delivery to them is handed to the relay; a claimed one is taken away and never handed', async () => {
      // the queued delivery of the second digest, claimed by a running sender
      const worker: WorkerHandle = await startWorker(w.app.ctx.db, 'test', w.app.ctx.log);
      try {
        const claimed = await claimDeliveries(w.app.ctx.db.sql, worker.id, 10, 'papers.example.org');
        const mine = claimed.find((d) => d.subscriberId === r.reader.id)!;
        const other = claimed.find((d) => d.subscriberId === r.control.id)!;
        expect(mine && other).toBeTruthy();
        // the control's is handed: erasing the control now is refused, nothing changes
        expect(await markHanded(w.app.ctx.db.sql, worker.id, [{ id: other.id, attempt: other.attempt }])).toEqual({ handed: [other.id], taken: [] });
        const busy = await request(w.web).post(`/admin/subscribers/${r.control.id}/erase`).set(auth).expect(409);
        expect(errorOf(busy).code).toBe('ERASE_IN_FLIGHT');
        expect(errorOf(busy).message).toContain(`delivery ${other.id}`);
        expect((await prisma().subscriber.findUniqueOrThrow({ where: { id: r.control.id } })).status).toBe('active');
        await markSent(w.app.ctx.db.sql, worker.id, [{ id: other.id, attempt: other.attempt, response: '250 ok' }]);

        const before = await digestCounts(prisma());
        const res = await request(w.web)
          .delete(`/admin/subscribers/${encodeURIComponent(ADA)}`)
          .set(auth)
          .expect(200);
        expect(res.body).toMatchObject({
          subscriberId: r.reader.id,
          status: 'erased',
          removed: { deliveriesStopped: 1, deliveriesKept: 2, mailedPapers: 2, feedback: 2, readerModel: 1, subscriptionMails: 2, inboundReports: 1 },
        });
        // the sender that claimed it can no longer hand it: nothing of it goes to the relay
        expect(await markHanded(w.app.ctx.db.sql, worker.id, [{ id: mine.id, attempt: mine.attempt }])).toEqual({ handed: [], taken: [] });
        expect(await prisma().delivery.findFirstOrThrow({ where: { id: mine.id } })).toMatchObject({
          status: 'failed',
          errorCode: 'subscriber_erased',
          workerId: null,
        });
        // the counts still add up, digest by digest, and none was lost
        const after = await digestCounts(prisma());
        for (const d of after) expect(d.rows).toBe(d.deliveryCount);
        expect(after.map((d) => d.rows)).toEqual(before.map((d) => d.rows));
      } finally {
        await worker.stop();
      }
      expect(w.app.captured.events('subscriber.erased').at(-1)).toMatchObject({ subscriberId: r.reader.id, via: 'admin API' });
      expect(JSON.stringify(w.app.captured.events('subscriber.erased'))).not.toContain('ada.lovelace');
    });

    it('leaves nothing of their address or topics in any column of any table', async () => {
      expect(await traces(prisma(), [ADA, 'ada.lovelace', ...TOPICS])).toEqual([]);
      // (the scan does find what is there: the control reader's address and topics)
      expect(await traces(prisma(), ['BOB@example.org', CONTROL_TOPICS[0]!])).toEqual(
        expect.arrayContaining([
          'delivery.papers holds "zebrafish fin"',
          'subscriber.email holds "BOB@example.org"',
          'subscriber.topics holds "zebrafish fin"',
        ]),
      );
      const tombstone = await prisma().subscriber.findUniqueOrThrow({ where: { id: r.reader.id } });
      expect(tombstone).toMatchObject({ status: 'erased', topics: [], mutedTopics: [], email: `erased-${r.reader.id}@erased.invalid`, confirmedAt: null });
      expect(tombstone.erasedAt).toBeInstanceOf(Date);
    });

    it('never mails them again: not the queued delivery, not a later digest; their links and bounces do nothing', async () => {
      const sentBefore = w.sink.messages.length;
      await ingestCaught(w);
      const digest = await w.digestAndSend();
      const later = await prisma().delivery.findMany({ where: { digestId: digest } });
      expect(later.map((d) => d.subscriberId)).toEqual([r.control.id]);
      expect(w.sink.messages.slice(sentBefore).flatMap((m) => m.envelope.to)).toEqual(['bob@example.org']);
      expect(w.sink.messages.filter((m) => m.envelope.to.some((to) => to.toLowerCase() === ADA.toLowerCase()))).toHaveLength(1); // the first digest only

      // a writer that read them before the erase (a digest planning its deliveries, a feedback page,
      // the reader-model job) adds nothing after it
      const late = [{ paperId: later[0]!.id, topics: [TOPICS[0]!] }];
      expect(await insertDeliveries(prisma(), digest, [{ subscriberId: r.reader.id, papers: late }])).toBe(0);
      await recordFeedback(prisma(), { subscriberId: r.reader.id, kind: 'mute_topic', topic: TOPICS[1]!, at: new Date() });
      await saveReaderModels(
        w.app.ctx.db.sql,
        [{ subscriberId: r.reader.id, model: '{"v":1}', feedbackThrough: 9, events: 0, positives: 1, negatives: 0 }],
        new Date(),
      );
      expect(await traces(prisma(), TOPICS)).toEqual([]);
      expect(await prisma().readerModel.count({ where: { subscriberId: r.reader.id } })).toBe(0);

      const prefs = w.app.ctx.tokens.sign({ purpose: 'preferences', subscriberId: r.reader.id });
      const archive = w.app.ctx.tokens.sign({ purpose: 'archive', subscriberId: r.reader.id });
      expect((await request(w.web).get(`/preferences?token=${prefs}`).set('Accept', 'text/html')).status).toBe(410);
      expect((await request(w.web).get(`/archive?token=${archive}`).set('Accept', 'text/html')).status).toBe(410);
      expect(
        (
          await request(w.web)
            .post(`/unsubscribe?token=${w.app.ctx.tokens.sign({ purpose: 'unsubscribe', subscriberId: r.reader.id })}`)
            .type('form')
            .send('List-Unsubscribe=One-Click')
        ).status,
      ).toBe(410);

      const sent = await prisma().delivery.findFirstOrThrow({ where: { subscriberId: r.reader.id, digestId: r.sentDigest } });
      const bounce = await handleInbound(inboundDeps(w.app.ctx), {
        via: 'smtp',
        kind: 'hard_bounce',
        reportKey: `smtp:<dsn-late@mx.example>:${ADA}`,
        target: { deliveryId: sent.id, attempt: 1 },
        recipient: ADA,
        status: '5.1.1',
        diagnostic: `550 5.1.1 <${ADA}>: user unknown`,
      });
      expect(bounce).toMatchObject({ refused: 'erased', changes: [] });
      expect(await traces(prisma(), [ADA])).toEqual([]);
      expect((await prisma().subscriber.findUniqueOrThrow({ where: { id: r.reader.id } })).status).toBe('erased');

      const again = await request(w.web).post(`/admin/subscribers/${r.reader.id}/erase`).set(auth).expect(410);
      expect(errorOf(again).code).toBe('SUBSCRIBER_ERASED');
      expect(errorOf(await request(w.web).get(`/admin/subscribers/${r.reader.id}/export`).set(auth).expect(410)).code).toBe('SUBSCRIBER_ERASED');
    });
    it('a running sender never sends the delivery queued for a reader erased meanwhile', async () => {
      const mary = 'Mary.Jackson@Example.org';
      const m = await richReader(w, mary, 'mary-control@example.org');
      // the second digest is held (paused) while the sender runs, so its deliveries wait, queued
      await prisma().digest.update({ where: { id: m.queuedDigest }, data: { status: 'paused' } });
      const queued = await prisma().delivery.findMany({ where: { digestId: m.queuedDigest }, orderBy: { id: 'asc' } });
      expect(queued.map((d) => d.status)).toEqual(queued.map(() => 'queued'));
      const worker = await startWorker(w.app.ctx.db, 'test', w.app.ctx.log);
      const sender = new SenderService(sendDeps(w.app.ctx, worker), 50);
      sender.start();
      try {
        await request(w.web)
          .delete(`/admin/subscribers/${encodeURIComponent(mary)}`)
          .set(auth)
          .expect(200);
        await prisma().digest.update({ where: { id: m.queuedDigest }, data: { status: 'ready' } });
        sender.wake();
        await vi.waitFor(
          async () => expect(await prisma().delivery.count({ where: { digestId: m.queuedDigest, status: { notIn: ['sent', 'failed'] } } })).toBe(0),
          { timeout: 20_000, interval: 50 },
        );
      } finally {
        await sender.stop(Date.now() + 5000, Date.now() + 5000);
        await worker.stop();
      }
      const after = await prisma().delivery.findMany({ where: { digestId: m.queuedDigest }, orderBy: { id: 'asc' } });
      expect(after.filter((d) => d.subscriberId === m.reader.id).map((d) => [d.status, d.errorCode])).toEqual([['failed', 'subscriber_erased']]);
      expect(after.filter((d) => d.subscriberId !== m.reader.id).map((d) => d.status)).toEqual(
        after.filter((d) => d.subscriberId !== m.reader.id).map(() => 'sent'),
      );
      expect(w.sink.messages.filter((x) => x.envelope.to.some((to) => to.toLowerCase() === 'mary-control@example.org'))).toHaveLength(2);
      expect(w.sink.messages.filter((x) => x.envelope.to.some((to) => to.toLowerCase() === mary.toLowerCase()))).toHaveLength(1); // the first digest only
    });
    it('waits for a writer that added something of theirs and has not committed yet, then erases that too', async () => {
      const lin = 'Lin.Writer@Example.org';
      const l = await richReader(w, lin, 'lin-control@example.org');
      const writer = await w.app.ctx.db.sql.connect();
      try {
        await writer.query('BEGIN');
        await writer.query(`INSERT INTO feedback (subscriber_id, kind, topic, at) VALUES ($1, 'mute_topic', $2, now())`, [l.reader.id, TOPICS[0]]);
        const erasing = request(w.web)
          .delete(`/admin/subscribers/${l.reader.id}`)
          .set(auth)
          .then((res) => res);
        // the erase waits on the writer's lock on the subscriber row
        await vi.waitFor(
          async () => {
            const { rows } = await w.app.ctx.db.sql.query<{ n: string }>(
              `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            );
            expect(Number(rows[0]!.n)).toBeGreaterThan(0);
          },
          { timeout: 20_000, interval: 50 },
        );
        await writer.query('COMMIT');
        const res = await erasing;
        expect(res.status).toBe(200);
        expect(bodyOf<Erased>(res).removed.feedback).toBe(3);
      } finally {
        writer.release();
      }
      expect(await traces(prisma(), [lin, 'lin.writer', ...TOPICS])).toEqual([]);
    });
  });
}
