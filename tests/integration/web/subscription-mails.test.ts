// Subscription emails are never lost (PostgreSQL, the fault relay). A relay answering 421 for 8
// minutes (of a clock the test moves, no waiting): the confirmation is tried again with backoff and
// sent once the relay recovers — it used to fail for good after 5 tries. A relay that comes back
// brings the mails waiting on a long backoff forward: the first message `serve` gets through (a
// digest's) sends them at once. A failed one is shown and sent again by an operator — the command
// line, the admin API, the dashboard — under the loop's own rules: a confirmation replaced by a
// newer one is not sent but marked skipped; a second click sends nothing more.
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps } from '../../../src/app/deps.ts';
import { startService } from '../../../src/app/service.ts';
import { findSubscriberByEmail } from '../../../src/db/subscribers.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { subscriptionDeps } from '../../../src/subscriptions/deps.ts';
import { SubscriptionMailQueue } from '../../../src/subscriptions/mail-queue.ts';
import { createWebApp } from '../../../src/web/app.ts';
import { pagesRouter } from '../../../src/web/pages/router.ts';
import { addSubscribers, ingestSeeds, startTestApp, type TestApp } from '../../support/app.ts';
import { runCli } from '../../support/cli.ts';
import { startFaultRelay, type FaultRelay } from '../../support/fault-relay.ts';
import { BASE_URL, form, GENEROUS } from './support.ts';
import { stringMatching } from '../../support/matchers.ts';

const TOKEN = 'subscription-mails-admin-token-0123';
const DOWN = () => ({ kind: 'greeting-421' as const });

describe('subscription emails when the relay fails (PostgreSQL, fault relay)', () => {
  let relay: FaultRelay;
  let app: TestApp;
  const prisma = () => app.ctx.db.prisma;
  const mailOf = async (email: string) => {
    const subscriber = await findSubscriberByEmail(prisma(), email);
    return prisma().subscriptionMail.findFirstOrThrow({ where: { subscriberId: subscriber!.id }, orderBy: { id: 'desc' } });
  };
  /** the pages with a loop of the test's own (its clock), as `serve` wires them */
  const pagesWith = (mailQueue: SubscriptionMailQueue): Express =>
    createWebApp(app.ctx, {
      pages: pagesRouter(app.ctx, { mailQueue, rateLimits: GENEROUS }),
      admin: { onMailQueued: () => mailQueue.wake() },
      requestLog: false,
    });
  const subscribe = (web: Express, email: string, topics = 'scaling laws') =>
    request(web).post('/subscribe').type('form').send(form({ email, topics })).expect(303);
  const takenFor = (email: string) => relay.taken.filter((m) => m.to === email);

  beforeAll(async () => {
    relay = await startFaultRelay();
    app = await startTestApp('postgres', {
      SMTP_URL: relay.url,
      BASE_URL,
      ADMIN_TOKEN: TOKEN,
      MAIL_FROM: 'Paperboy <hello@papers.example.org>',
      SMTP_TIMEOUT: '5s',
    });
    await ingestSeeds(app);
  });
  afterAll(async () => {
    await app?.close();
    await relay?.close();
  });
  afterEach(() => {
    relay.setConnectionFault(undefined);
    relay.setPick(undefined);
  });

  it('a relay answering 421 for 8 minutes: the confirmation is tried again with backoff and sent once it recovers', async () => {
    relay.setConnectionFault(DOWN);
    const stopped = new SubscriptionMailQueue(subscriptionDeps(app.ctx));
    await stopped.stop(0);
    await subscribe(pagesWith(stopped), 'patient@example.org');
    let clock = (await mailOf('patient@example.org')).createdAt.getTime();
    const start = clock;
    const loop = new SubscriptionMailQueue({ ...subscriptionDeps(app.ctx, { now: () => new Date(clock) }) });
    loop.wake(); // the first try
    await loop.idle();
    const delays: number[] = [];
    for (;;) {
      const row = await mailOf('patient@example.org');
      expect(row.status).toBe('queued');
      delays.push(row.nextTryAt.getTime() - clock);
      clock = row.nextTryAt.getTime(); // the next try is due: the test's clock moves, nobody waits
      if (clock - start >= 8 * 60_000) break;
      loop.wake();
      await loop.idle();
    }
    // 30 s doubling: 30 s, 1 min, 2 min, 4 min — 5 tries over 7.5 minutes; the sixth comes after 8 minutes
    expect(delays).toEqual([30_000, 60_000, 120_000, 240_000, 480_000]);
    expect(takenFor('patient@example.org')).toHaveLength(0);

    relay.setConnectionFault(undefined); // the relay recovers
    loop.wake();
    await loop.idle();
    const sent = await mailOf('patient@example.org');
    expect(sent).toMatchObject({ status: 'sent', tries: 6 });
    expect(takenFor('patient@example.org')).toHaveLength(1);
    expect(app.captured.events('confirmation.retry').filter((e) => e.mailId === sent.id)).toHaveLength(5);
    await loop.stop(1000);
  });

  it('the relay comes back: the first message serve gets through (a digest) sends the mails waiting on their backoff at once', async () => {
    // a serve of its own (its stop closes its context): the same relay, another database
    const own = await startTestApp('postgres', { SMTP_URL: relay.url, BASE_URL, PORT: '0', HOST: '127.0.0.1', SMTP_TIMEOUT: '5s' });
    const ownMail = async (email: string) => {
      const subscriber = await findSubscriberByEmail(own.ctx.db.prisma, email);
      return own.ctx.db.prisma.subscriptionMail.findFirstOrThrow({ where: { subscriberId: subscriber!.id } });
    };
    await ingestSeeds(own);
    relay.setConnectionFault(DOWN);
    const service = await startService(own.ctx, { ingestOnStart: false });
    try {
      const answer = await fetch(`${service.url}/subscribe`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form({ email: 'waiting@example.org', topics: 'quantum' }),
      });
      expect(answer.status).toBe(303);
      await expect
        .poll(
          async () => {
            const m = await ownMail('waiting@example.org');
            return `${m.status} ${m.tries}`;
          },
          { timeout: 20_000 },
        )
        .toBe('queued 1'); // tried once, waiting
      const failedOnce = await ownMail('waiting@example.org');
      expect(failedOnce).toMatchObject({ status: 'queued', lastError: stringMatching(/421|ECONNECTION/) });
      // as if it had failed for days: its next try an hour away, far beyond this test
      const later = new Date(Date.now() + 3600_000);
      await own.ctx.db.prisma.subscriptionMail.update({ where: { id: failedOnce.id }, data: { nextTryAt: later } });

      relay.setConnectionFault(undefined); // back: a digest goes out through the same relay
      await addSubscribers(own, [['reader@example.org', ['scaling laws']]]);
      expect((await buildDigest(digestDeps(own.ctx))).kind).toBe('built');
      const before = relay.taken.length;
      service.sender.wake();
      await relay.waitForTaken(before + 2, 20_000);
      expect(
        relay.taken
          .slice(before)
          .map((m) => m.to)
          .sort(),
      ).toEqual(['reader@example.org', 'waiting@example.org']);
      await expect.poll(async () => (await ownMail('waiting@example.org')).status, { timeout: 10_000 }).toBe('sent'); // recorded after the relay's reply
      const sent = await ownMail('waiting@example.org');
      expect(sent.doneAt!.getTime()).toBeLessThan(later.getTime() - 3000_000);
      expect(own.captured.events('subscription_mail.relay_back').at(-1)).toMatchObject({ mails: 1 });
    } finally {
      await service.stop('test');
      await own.close().catch(() => undefined); // (its context is closed already)
    }
  });

  it('a permanent refusal fails at once; the command line shows it and sends it again when the relay takes it', async () => {
    relay.setPick(({ to }) => (to === 'refused@example.org' ? { kind: 'rcpt-550' } : { kind: 'accept' }));
    const loop = new SubscriptionMailQueue(subscriptionDeps(app.ctx));
    await subscribe(pagesWith(loop), 'refused@example.org');
    await loop.idle();
    const failed = await mailOf('refused@example.org');
    expect(failed).toMatchObject({ status: 'failed', tries: 1, lastError: stringMatching(/^smtp:550/) });

    const list = await runCli(['subscription-mails', '--failed'], app.env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('1 failed (send one again: paperboy subscription-mails resend <id>):');
    expect(list.stdout).toMatch(new RegExp(`^${failed.id}\\tconfirmation\\trefused@example\\.org\\t1 try\\tfailed .*\\tsmtp:550`, 'm'));

    relay.setPick(undefined); // the address works now (a typo fixed at the relay, a mailbox restored)
    const resent = await runCli(['subscription-mails', 'resend', String(failed.id)], app.env);
    expect(resent.code, resent.stderr).toBe(0);
    expect(resent.stdout).toBe(`subscription email ${failed.id} (confirmation to refused@example.org) sent\n`);
    expect(takenFor('refused@example.org')).toHaveLength(1);
    expect(await mailOf('refused@example.org')).toMatchObject({ status: 'sent', tries: 1 });

    const twice = await runCli(['subscription-mails', 'resend', String(failed.id)], app.env);
    expect(twice.code).toBe(1);
    expect(twice.stderr.trim().split('\n').at(-1)).toBe(`paperboy: subscription email ${failed.id} is sent: only a failed one is sent again`);
    const none = await runCli(['subscription-mails', 'resend', '2147483647'], app.env);
    expect(none.code).toBe(1);
    expect(none.stderr.trim().split('\n').at(-1)).toBe('paperboy: there is no subscription email 2147483647');
    const beyond = await runCli(['subscription-mails', 'resend', '99999999999'], app.env); // no row can have it: said as such
    expect(beyond.code).not.toBe(0);
    expect(beyond.stderr).toContain("'99999999999' is invalid");
    expect(beyond.stderr).toContain('an id is a whole number from 1 to 2147483647');
  }, 240_000); // five commands, each its own process

  it('a failed confirmation a newer one replaced is not sent again but marked skipped (command line)', async () => {
    relay.setPick(({ to }) => (to === 'twice@example.org' ? { kind: 'rcpt-550' } : { kind: 'accept' }));
    const loop = new SubscriptionMailQueue(subscriptionDeps(app.ctx));
    const web = pagesWith(loop);
    await subscribe(web, 'twice@example.org', 'scaling laws');
    await loop.idle();
    const first = await mailOf('twice@example.org');
    expect(first.status).toBe('failed');
    relay.setPick(undefined);
    await subscribe(web, 'twice@example.org', 'protein folding'); // a newer confirmation, sent
    await loop.idle();
    expect(takenFor('twice@example.org')).toHaveLength(1);

    const resent = await runCli(['subscription-mails', 'resend', String(first.id)], app.env);
    expect(resent.code).toBe(1);
    expect(resent.stderr.trim().split('\n').at(-1)).toBe(
      `paperboy: subscription email ${first.id} not sent again: a newer confirmation email replaced it (marked skipped)`,
    );
    expect(await prisma().subscriptionMail.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({
      status: 'skipped',
      lastError: 'a newer confirmation email replaced it',
    });
    expect(takenFor('twice@example.org')).toHaveLength(1);
  }, 120_000);

  it('the admin API and the dashboard list failed and waiting ones and send a failed one again, once for two clicks', async () => {
    relay.setPick(({ to }) => (to === 'api@example.org' || to === 'board@example.org' ? { kind: 'rcpt-550' } : { kind: 'accept' }));
    const loop = new SubscriptionMailQueue(subscriptionDeps(app.ctx));
    const web = pagesWith(loop);
    await subscribe(web, 'api@example.org');
    await subscribe(web, 'board@example.org');
    await loop.idle();
    const [api, board] = [await mailOf('api@example.org'), await mailOf('board@example.org')];
    relay.setPick(undefined);
    const auth = { Authorization: `Bearer ${TOKEN}` };

    const listed = await request(web).get('/admin/subscription-mails?status=failed').set(auth).expect(200);
    expect((listed.body as { items: Array<{ id: number; email: string }> }).items.map((m) => m.email)).toEqual(
      expect.arrayContaining(['api@example.org', 'board@example.org']),
    );
    const queued = await request(web).post(`/admin/subscription-mails/${api.id}/resend`).set(auth).expect(200);
    expect(queued.body).toMatchObject({ id: api.id, outcome: 'queued' });
    const again = await request(web).post(`/admin/subscription-mails/${api.id}/resend`).set(auth).expect(409);
    expect(again.body).toEqual({
      error: {
        code: 'SUBSCRIPTION_MAIL_NOT_FAILED',
        message: stringMatching(new RegExp(`^subscription email ${api.id} is (queued|sending|sent): only a failed one is sent again$`)),
      },
    });
    await request(web).post('/admin/subscription-mails/2147483648/resend').set(auth).expect(400);
    await loop.idle();
    expect(takenFor('api@example.org')).toHaveLength(1);

    // the dashboard: log in, see it, send it again
    const login = await request(web).post('/admin/ui/login').type('form').send({ token: TOKEN }).expect(303);
    const cookie = ([] as string[])
      .concat(login.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('paperboy_admin='))!
      .split(';')[0]!;
    const overview = await request(web).get('/admin/ui').set('Cookie', cookie).expect(200);
    expect(overview.text).toContain('1 subscription email failed');
    const pageBefore = await request(web).get('/admin/ui/subscription-mails').set('Cookie', cookie).expect(200);
    expect(pageBefore.text).toContain('board@example.org');
    expect(pageBefore.text).toContain(`action="/admin/ui/subscription-mails/${board.id}/resend"`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(pageBefore.text)![1]!;
    const click = () =>
      request(web)
        .post(`/admin/ui/subscription-mails/${board.id}/resend`)
        .set('Cookie', cookie)
        .type('form')
        .send({ _csrf: csrf, back: '/admin/ui/subscription-mails' });
    const first = await click().expect(303);
    expect(decodeURIComponent(first.headers.location!)).toContain(`Subscription email ${board.id} queued again`);
    await click().expect(409); // the second click of a double click sends nothing more
    await loop.idle();
    expect(takenFor('board@example.org')).toHaveLength(1);
    expect((await request(web).get('/admin/ui/subscription-mails').set('Cookie', cookie).expect(200)).text).not.toContain('board@example.org');
  });
});
