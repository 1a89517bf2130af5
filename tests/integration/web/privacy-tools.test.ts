// The other ways in to the same erase: the reader themselves from the preferences link of their
// digest (a page that asks, then a goodbye page saying what went), the dashboard (real POSTs with the
// session's CSRF token, through its confirmation page) and the command line (a child process, as an
// operator runs it). Each ends with nothing of the reader left in any table.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../../src/deliver/worker-liveness.ts';
import { claimDeliveries, markSent, releaseClaims } from '../../../src/db/deliveries.ts';
import { markHanded } from '../../../src/db/hand-over.ts';
import { addSubscribers } from '../../support/app.ts';
import { runCli } from '../../support/cli.ts';
import { BACKENDS } from '../../support/databases.ts';
import { richReader, TOPICS, traces } from './privacy-support.ts';
import { startReaderWorld, type ReaderWorld } from './reader-support.ts';
import { LEAKS, linkIn } from './support.ts';
import type { SubscriberExport } from '../../../src/db/subscriber-export.ts';
import { bodyOf, parseJson } from '../../support/json-body.ts';

const TOKEN = 'privacy-tools-admin-token-0123456789ab';

const setCookie = (res: request.Response, name: string) =>
  ([] as string[])
    .concat(res.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0];

for (const backend of BACKENDS) {
  describe(`erasing from the preferences page, the dashboard and the command line (${backend})`, () => {
    let w: ReaderWorld;
    const prisma = () => w.app.ctx.db.prisma;

    beforeAll(async () => {
      w = await startReaderWorld({}, { ADMIN_TOKEN: TOKEN }, backend);
    });
    afterAll(async () => {
      await w?.close();
    });

    it('a reader deletes themselves from the preferences link of their digest, after a page that asks', async () => {
      const email = 'Grace.Hopper@Example.org';
      const { reader } = await richReader(w, email, 'grace-control@example.org');
      const digest = w.sink.messages.find((m) => m.envelope.to.some((to) => to.toLowerCase() === email.toLowerCase()))!;
      const prefs = linkIn(digest, '/preferences');
      const page = await request(w.web).get(prefs).set('Accept', 'text/html').expect(200);
      const link = /href="(\/preferences\/delete\?token=[^"]+)"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&');
      expect(link).toBeTruthy();

      // opening it (a person, or a mail scanner) changes nothing: it asks
      const asks = await request(w.web).get(link!).set('Accept', 'text/html').expect(200);
      expect(asks.text).toContain('Delete your data?');
      expect(asks.text).toContain(email);
      const unconfirmed = await request(w.web).post(link!).type('form').send('').expect(400);
      expect(unconfirmed.text).toContain('came without its confirmation');
      expect((await prisma().subscriber.findUniqueOrThrow({ where: { id: reader.id } })).status).toBe('active');

      const done = await request(w.web).post(link!).type('form').send('confirm=yes').expect(200);
      expect(done.text).toContain('Your data is deleted');
      expect(done.text).toContain(email);
      expect(done.text).toMatch(/your 2 topics/);
      expect(done.text).toMatch(/2 feedback marks and what we learned from them/);
      expect(done.text).toMatch(/not even the one that was waiting to go/);
      expect(done.text).not.toMatch(LEAKS);
      expect(done.text).not.toMatch(/token=/);
      expect(await traces(prisma(), [email, 'grace.hopper', ...TOPICS])).toEqual([]);
      expect(w.app.captured.events('subscriber.erased').at(-1)).toMatchObject({ subscriberId: reader.id, via: 'reader' });
      // the same link again: gone
      expect((await request(w.web).get(link!).set('Accept', 'text/html')).status).toBe(410);
      expect((await request(w.web).get(prefs).set('Accept', 'text/html')).status).toBe(410);
    });

    it('an unsubscribed reader finds the delete link on the page their old preferences link opens', async () => {
      const [gone] = await addSubscribers(w.app, [['left.long.ago@example.org', ['zebrafish fin'], 'unsubscribed']]);
      const prefs = `/preferences?token=${w.app.ctx.tokens.sign({ purpose: 'preferences', subscriberId: gone!.id })}`;
      const page = await request(w.web).get(prefs).set('Accept', 'text/html').expect(200);
      expect(page.text).toMatch(/You(&#39;|&#x27;|')re unsubscribed/);
      const link = /href="(\/preferences\/delete\?token=[^"]+)"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&');
      expect(link).toBeTruthy();
      expect((await request(w.web).post(link!).type('form').send('confirm=yes').expect(200)).text).toContain('Your data is deleted');
      expect(await traces(prisma(), ['left.long.ago@example.org'])).toEqual([]);
    });

    it("a reader's delete is refused while a digest to them is being handed to the relay: the page says try again", async () => {
      const email = 'Hedy.Lamarr@Example.org';
      const { reader } = await richReader(w, email, 'hedy-control@example.org');
      const link = `/preferences/delete?token=${w.app.ctx.tokens.sign({ purpose: 'preferences', subscriberId: reader.id })}`;
      const worker = await startWorker(w.app.ctx.db, 'test', w.app.ctx.log);
      try {
        const claimed = await claimDeliveries(w.app.ctx.db.sql, worker.id, 10, 'papers.example.org');
        const mine = claimed.find((d) => d.subscriberId === reader.id)!;
        expect(await markHanded(w.app.ctx.db.sql, worker.id, [{ id: mine.id, attempt: mine.attempt }])).toEqual({ handed: [mine.id], taken: [] });
        const busy = await request(w.web).post(link).type('form').send('confirm=yes').expect(409);
        expect(busy.text).toContain('An email to you is being sent this very moment, so nothing was deleted yet');
        expect((await prisma().subscriber.findUniqueOrThrow({ where: { id: reader.id } })).status).toBe('active');
        await markSent(w.app.ctx.db.sql, worker.id, [{ id: mine.id, attempt: mine.attempt, response: '250 ok' }]);
        await releaseClaims(
          w.app.ctx.db.sql,
          worker.id,
          claimed.filter((d) => d !== mine).map((d) => ({ id: d.id, attempt: d.attempt })),
        );
      } finally {
        await worker.stop();
      }
      const done = await request(w.web).post(link).type('form').send('confirm=yes').expect(200);
      expect(done.text).toContain('Your data is deleted');
      expect(await traces(prisma(), [email, ...TOPICS])).toEqual([]);
    });

    it('the dashboard exports and erases with its CSRF token, through a confirmation page', async () => {
      const email = 'Katherine.Johnson@Example.org';
      const { reader } = await richReader(w, email, 'katherine-control@example.org');
      const session = setCookie(await request(w.web).post('/admin/ui/login').type('form').send({ token: TOKEN }).expect(303), 'paperboy_admin')!;
      const subscriberPage = await request(w.web).get(`/admin/ui/subscribers/${reader.id}`).set('Cookie', session).expect(200);
      expect(subscriberPage.text).toContain('Export data (JSON)');
      expect(subscriberPage.text).toContain('Erase…');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(subscriberPage.text)![1]!;
      const base = `/admin/ui/subscribers/${reader.id}`;

      const exported = await request(w.web).post(`${base}/export`).set('Cookie', session).type('form').send({ _csrf: csrf }).expect(200);
      expect(exported.headers['content-disposition']).toBe(`attachment; filename="subscriber-${reader.id}.json"`);
      expect(bodyOf<SubscriberExport>(exported).subscriber).toMatchObject({ email, topics: TOPICS });

      // without the CSRF token: refused, nothing changes
      await request(w.web).post(`${base}/erase`).set('Cookie', session).type('form').send({ confirm: 'yes' }).expect(403);
      await request(w.web).post(`${base}/export`).set('Cookie', session).type('form').send({}).expect(403);
      // without the confirmation page's answer: refused
      await request(w.web).post(`${base}/erase`).set('Cookie', session).type('form').send({ _csrf: csrf }).expect(400);
      expect((await prisma().subscriber.findUniqueOrThrow({ where: { id: reader.id } })).status).toBe('active');

      const confirm = await request(w.web).post(`${base}/erase/confirm`).set('Cookie', session).type('form').send({ _csrf: csrf }).expect(200);
      expect(confirm.text).toContain(`Erase ${email}`);
      expect(confirm.text).toContain('2 feedback marks (and the reader model learned from them)');
      expect(confirm.text).toContain('2 papers recorded as mailed');
      expect(confirm.text).toContain('2 deliveries');
      const erased = await request(w.web).post(`${base}/erase`).set('Cookie', session).type('form').send({ _csrf: csrf, confirm: 'yes' }).expect(303);
      expect(erased.headers.location).toMatch(new RegExp(`^/admin/ui/subscribers/${reader.id}\\?done=Erased%20subscriber%20${reader.id}`));
      expect(await traces(prisma(), [email, 'katherine.johnson', ...TOPICS])).toEqual([]);
      const tombstone = await request(w.web).get(base).set('Cookie', session).expect(200);
      expect(tombstone.text).toContain('Their data was erased');
      expect(tombstone.text).not.toContain('Erase…');
    });

    // (child processes: once, on PostgreSQL)
    if (backend === 'postgres')
      it('the command line exports, asks before erasing, and erases with --yes', async () => {
        const email = 'Dorothy.Vaughan@Example.org';
        const { reader } = await richReader(w, email, 'dorothy-control@example.org');
        const exported = await runCli(['subscriber', 'export', email.toLowerCase()], w.app.env);
        expect(exported.stderr).not.toMatch(/^paperboy:/m);
        expect(exported.code).toBe(0);
        const data = parseJson<SubscriberExport>(exported.stdout);
        expect(data.subscriber).toMatchObject({ id: reader.id, email, topics: TOPICS });
        expect(data.deliveries).toHaveLength(2);

        const unasked = await runCli(['subscriber', 'erase', email], w.app.env);
        expect(unasked.code).toBe(2);
        expect(unasked.stderr).toMatch(/give --yes/);
        expect((await prisma().subscriber.findUniqueOrThrow({ where: { id: reader.id } })).status).toBe('active');
        const bad = await runCli(['subscriber', 'erase', 'not an address', '--yes'], w.app.env);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toMatch(/not an email address or a subscriber id/);

        const erased = await runCli(['subscriber', 'erase', String(reader.id), '--yes'], w.app.env);
        expect(erased.stderr).not.toMatch(/^paperboy:/m);
        expect(erased.code).toBe(0);
        expect(erased.stdout).toMatch(new RegExp(`^erased subscriber ${reader.id}: address and topics gone; removed 2 feedback marks, 2 mailed papers`));
        expect(await traces(prisma(), [email, 'dorothy.vaughan', ...TOPICS])).toEqual([]);
        const again = await runCli(['subscriber', 'export', String(reader.id)], w.app.env);
        expect(again.code).toBe(1);
        expect(again.stderr).toMatch(new RegExp(`subscriber ${reader.id} was already erased on 20`));
      }, 180_000); // five child processes, each starting node and opening the database
  });
}
