// The subscription emails' queue on a real PostgreSQL and a real SMTP server: a process that dies
// after answering loses nothing, a replaced confirmation is not sent, a 5xx fails at once, temporary
// errors are tried again until the mail's retry window ends, a claim left by a dead process is taken
// over once its lease is over, and two loops never send one mail twice. (A relay that goes down and
// comes back, and an operator's re-send: subscription-mails.test.ts.)
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findSubscriberByEmail } from '../../../src/db/subscribers.ts';
import { subscriptionDeps } from '../../../src/subscriptions/deps.ts';
import { DEFAULT_MAIL_QUEUE, SubscriptionMailQueue, type MailQueueSettings } from '../../../src/subscriptions/mail-queue.ts';
import { form, linkIn, startWebTestApp, type WebTestApp } from './support.ts';
import { stringMatching } from '../../support/matchers.ts';

describe('subscription email queue (PostgreSQL, SMTP)', () => {
  let t: WebTestApp;
  const prisma = () => t.app.ctx.db.prisma;
  const queue = (settings: Partial<MailQueueSettings> = {}, now?: () => Date) =>
    new SubscriptionMailQueue({ ...subscriptionDeps(t.app.ctx, now ? { now } : {}), settings });
  /** pages whose own loop was stopped: like a process killed right after it answered */
  const deadAfterAnswer = async () => {
    const stopped = queue();
    await stopped.stop(0);
    return t.webWith({ mailQueue: stopped });
  };
  const subscribe = (web: ReturnType<WebTestApp['webWith']>, email: string, topics = 'scaling laws') =>
    request(web).post('/subscribe').type('form').send(form({ email, topics })).expect(303); // redirected to the check-inbox page
  const mailsOf = async (email: string) => {
    const subscriber = await findSubscriberByEmail(prisma(), email);
    return prisma().subscriptionMail.findMany({ where: { subscriberId: subscriber!.id }, orderBy: { id: 'asc' } });
  };

  beforeAll(async () => {
    t = await startWebTestApp('postgres');
  });
  afterAll(() => t?.close());
  beforeEach(() => t.sink.reset());

  it('killed after answering: the confirmation waits in the database and the next loop sends it', async () => {
    await subscribe(await deadAfterAnswer(), 'kim@example.org');
    expect(await mailsOf('kim@example.org')).toMatchObject([{ kind: 'confirmation', status: 'queued', tries: 0 }]);
    expect(t.sink.messages).toHaveLength(0);

    const restarted = queue({ pollMs: 60_000 });
    restarted.start(); // what a serve that starts again does first
    await restarted.idle();
    await restarted.stop(1000);
    const [mail] = await t.sink.waitFor(1);
    expect(mail!.envelope.to).toEqual(['kim@example.org']);
    expect(await mailsOf('kim@example.org')).toMatchObject([{ status: 'sent', tries: 1, messageId: mail!.messageId }]);
    await request(t.web).post(linkIn(mail!, '/confirm')).type('form').send('').expect(200);
  });

  it('a confirmation replaced by a newer one before its turn is skipped; only the newer is sent', async () => {
    const web = await deadAfterAnswer();
    await subscribe(web, 'ray@example.org', 'scaling laws');
    await subscribe(web, 'ray@example.org', 'protein folding');
    const loop = queue();
    loop.wake();
    await loop.idle();
    const [mail] = await t.sink.waitFor(1);
    expect(mail!.parsed.html).toContain('protein folding');
    expect((await mailsOf('ray@example.org')).map((m) => m.status)).toEqual(['skipped', 'sent']);
    expect(t.app.captured.events('confirmation.skipped').at(-1)).toMatchObject({ reason: 'a newer confirmation email replaced it' });
  });

  it('a permanent refusal (550) fails at once, with the reply stored without the address', async () => {
    t.sink.setBehaviour({ rejectRecipients: { 'gone@example.org': 550 } });
    await subscribe(await deadAfterAnswer(), 'gone@example.org');
    const loop = queue();
    loop.wake();
    await loop.idle();
    const [row] = await mailsOf('gone@example.org');
    expect(row).toMatchObject({ status: 'failed', tries: 1, lastError: stringMatching(/^smtp:550/) });
    expect(row!.lastError).not.toContain('gone@example.org');
    expect(t.app.captured.events('confirmation.failed').at(-1)).toMatchObject({ subscriberId: row!.subscriberId, code: 'smtp:550' });
  });

  it('temporary errors are tried again with doubling backoff, at most maxRetryDelayMs apart, until retry_until, then failed', async () => {
    t.sink.setBehaviour({ failFirst: { stage: 'rcpt', times: 1000, code: 451 } });
    await subscribe(await deadAfterAnswer(), 'busy@example.org');
    const [queued] = await mailsOf('busy@example.org');
    let clock = queued!.createdAt.getTime();
    // queued with 7 days to go (as long as a confirm link works); shortened here to 20 s of the test's clock
    expect(queued!.retryUntil.getTime() - clock).toBe(7 * 24 * 3600_000);
    await prisma().subscriptionMail.update({ where: { id: queued!.id }, data: { retryUntil: new Date(clock + 20_000) } });
    const loop = queue({ retryDelayMs: 1000, maxRetryDelayMs: 4000 }, () => new Date(clock));
    const delays: number[] = [];
    for (let round = 0; round < 20; round++) {
      loop.wake();
      await loop.idle();
      const [row] = await mailsOf('busy@example.org');
      if (row!.status !== 'queued') break;
      delays.push(row!.nextTryAt.getTime() - clock);
      clock = row!.nextTryAt.getTime(); // the next try is due
    }
    expect(delays).toEqual([1000, 2000, 4000, 4000, 4000, 4000, 1000]); // the last try exactly at retry_until
    const [failed] = await mailsOf('busy@example.org');
    expect(failed).toMatchObject({ status: 'failed', tries: 8, lastError: stringMatching(/^smtp:451: .*\(tried 8 times until /) });
    expect(t.app.captured.events('confirmation.failed').at(-1)).toMatchObject({ reason: 'out_of_time', code: 'smtp:451' });
  });

  it('a claim left by a process that died is taken over after its lease, not before', async () => {
    await subscribe(await deadAfterAnswer(), 'lee@example.org');
    const [row] = await mailsOf('lee@example.org');
    await prisma().subscriptionMail.update({ where: { id: row!.id }, data: { status: 'sending', claimedBy: 'a-dead-process', claimedAt: new Date() } });
    const soon = queue();
    soon.wake();
    await soon.idle();
    expect(t.sink.messages).toHaveLength(0);
    const afterLease = queue({}, () => new Date(Date.now() + DEFAULT_MAIL_QUEUE.leaseMs + 1000));
    afterLease.wake();
    await afterLease.idle();
    await t.sink.waitFor(1);
    expect(await mailsOf('lee@example.org')).toMatchObject([{ status: 'sent', tries: 1 }]);
  });

  it('two loops draining at once send each mail once', async () => {
    const web = await deadAfterAnswer();
    const emails = Array.from({ length: 12 }, (_, i) => `twin${i}@example.org`);
    for (const email of emails) await subscribe(web, email);
    const [a, b] = [queue({ batch: 2 }), queue({ batch: 2 })];
    a.wake();
    b.wake();
    await Promise.all([a.idle(), b.idle()]);
    // Both loops are idle: every send has ended, and the sink holds what each accepted send left.
    expect(t.sink.messages.map((m) => m.envelope.to[0]).sort()).toEqual([...emails].sort());
  });
});
