// Every fault a relay can show, one delivery each, through the whole send step against a real
// (raw TCP) SMTP relay that keeps the truth of what it took: the stored status, the stored reply or
// code, how many copies the relay took (never more than one per attempt), and that a second `send`
// never tries again on its own what may have arrived (exactly one attempt unless an operator asks).
import { describe, expect } from 'vitest';
import { digestDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { createSmtpMailer } from '../../../src/deliver/smtp-mailer.ts';
import { SendError } from '../../../src/deliver/types.ts';
import { addSubscribers, ingestSeeds, sendNow } from '../../support/app.ts';
import { deliveryTest as it, type Delivery } from '../../support/delivery-test.ts';
import type { ConnectionFault, Fault } from '../../support/fault-relay.ts';
import { buildMessage } from '../../unit/deliver/build-message.ts';

const ALICE = 'alice@example.org';

interface Case {
  name: string;
  /** the fault of the n-th message (0-based) to alice */
  fault?: (n: number) => Fault;
  connection?: (n: number) => ConnectionFault;
  vars?: Record<string, string>;
  expected: { status: string; code?: string | null; reply?: RegExp; taken: number; tries?: number; attempts: string[]; bounces?: number };
}

const cases: Case[] = [
  { name: 'accepted', expected: { status: 'sent', reply: /^250 2\.0\.0 Ok: queued/, taken: 1, tries: 0, attempts: ['sent'] } },
  {
    name: '421 at the greeting once, then accepted',
    connection: (n) => (n === 0 ? { kind: 'greeting-421' } : { kind: 'none' }),
    expected: { status: 'sent', taken: 1, tries: 1, attempts: ['sent'] },
  },
  {
    name: 'a greeting that never comes: timed out on every try, failed, nothing taken',
    connection: () => ({ kind: 'stall-greeting' }),
    vars: { SMTP_TIMEOUT: '300ms', SEND_MAX_TRIES: '2' },
    expected: { status: 'failed', code: 'ETIMEDOUT', taken: 0, tries: 1, attempts: ['failed'] },
  },
  {
    name: '451 at RCPT once, then accepted',
    fault: (n) => (n === 0 ? { kind: 'rcpt-451' } : { kind: 'accept' }),
    expected: { status: 'sent', taken: 1, tries: 1, attempts: ['sent'] },
  },
  {
    name: '452 at RCPT on every try: failed when out of tries, not a bounce',
    fault: () => ({ kind: 'rcpt-452' }),
    vars: { SEND_MAX_TRIES: '3' },
    expected: { status: 'failed', code: 'smtp:452', reply: /^452 4\.2\.2/, taken: 0, tries: 2, attempts: ['failed'], bounces: 0 },
  },
  {
    name: '550 for the recipient: failed at once, a bounce',
    fault: () => ({ kind: 'rcpt-550' }),
    expected: { status: 'failed', code: 'smtp:550', reply: /^550 5\.1\.1/, taken: 0, tries: 0, attempts: ['failed'], bounces: 1 },
  },
  {
    name: '554 after the final ".": failed at once, not a bounce',
    fault: () => ({ kind: 'data-554' }),
    expected: { status: 'failed', code: 'smtp:554', reply: /^554 5\.6\.0/, taken: 0, tries: 0, attempts: ['failed'], bounces: 0 },
  },
  {
    name: 'the connection dropped after the final "." with no reply: unknown (the relay did not keep it)',
    fault: () => ({ kind: 'drop-after-dot', keep: false }),
    expected: { status: 'unknown', code: 'DROPPED_AFTER_DATA', taken: 0, tries: 0, attempts: ['unknown'] },
  },
  {
    name: 'the connection dropped after the final "." with no reply: unknown (the relay kept it)',
    fault: () => ({ kind: 'drop-after-dot', keep: true }),
    expected: { status: 'unknown', code: 'DROPPED_AFTER_DATA', taken: 1, tries: 0, attempts: ['unknown'] },
  },
  {
    name: 'no reply after the final "." within SMTP_REPLY_TIMEOUT: unknown, never retried',
    fault: () => ({ kind: 'stall-after-dot', keep: true }),
    vars: { SMTP_TIMEOUT: '300ms', SMTP_REPLY_TIMEOUT: '800ms' },
    expected: { status: 'unknown', code: 'NO_REPLY', taken: 1, tries: 0, attempts: ['unknown'] },
  },
  {
    // the first case: SMTP_TIMEOUT=500ms and a 250 after 1.5 s used to make four copies
    name: 'a 250 later than SMTP_TIMEOUT but within SMTP_REPLY_TIMEOUT: sent, one copy',
    fault: () => ({ kind: 'late-reply', delayMs: 1500 }),
    vars: { SMTP_TIMEOUT: '500ms', SMTP_REPLY_TIMEOUT: '5s' },
    expected: { status: 'sent', reply: /^250 2\.0\.0 Ok: queued \(late\)/, taken: 1, tries: 0, attempts: ['sent'] },
  },
  {
    name: 'a 250 later than SMTP_REPLY_TIMEOUT: unknown, one copy, never retried',
    fault: () => ({ kind: 'late-reply', delayMs: 1500 }),
    vars: { SMTP_TIMEOUT: '300ms', SMTP_REPLY_TIMEOUT: '600ms' },
    expected: { status: 'unknown', code: 'NO_REPLY', taken: 1, tries: 0, attempts: ['unknown'] },
  },
];

async function deliverOne(delivery: Delivery, c: Case) {
  let n = 0;
  const { app, relay } = await delivery.withFaultRelay(
    {
      pick: ({ to }) => (to === ALICE && c.fault ? c.fault(n++) : { kind: 'accept' }),
      ...(c.connection ? { connectionFault: c.connection } : {}),
    },
    { SEND_RETRY_DELAY: '20ms', SEND_CONCURRENCY: '1', ...c.vars },
  );
  await ingestSeeds(app);
  await addSubscribers(app, [[ALICE, ['scaling laws']]]);
  const built = await buildDigest(digestDeps(app.ctx));
  if (built.kind !== 'built') throw new Error('no digest');
  const summary = await sendNow(app);
  return { app, relay, summary };
}

describe('one delivery through each fault of the relay', () => {
  for (const c of cases) {
    it(
      c.name,
      async ({ delivery }) => {
        const { app, relay, summary } = await deliverOne(delivery, c);
        const row = await app.ctx.db.prisma.delivery.findFirstOrThrow({ include: { subscriber: true } });
        const e = c.expected;
        expect(row.status).toBe(e.status);
        if (e.code !== undefined) expect(row.errorCode).toBe(e.code);
        if (e.reply) expect(row.smtpResponse).toMatch(e.reply);
        if (e.tries !== undefined) expect(row.tries).toBe(e.tries);
        expect(row.attempt).toBe(1);
        expect(relay.takenBy(row.messageId!)).toBe(e.taken);
        expect(relay.taken).toHaveLength(e.taken);
        const attempts = await app.ctx.db.prisma.deliveryAttempt.findMany({ where: { deliveryId: row.id }, orderBy: { id: 'asc' } });
        expect(attempts.map((a) => a.status)).toEqual(e.attempts);
        if (e.bounces !== undefined) expect(row.subscriber.bounceCount).toBe(e.bounces);
        if (e.status === 'unknown') {
          // what the operator checks the relay's log with: the Message-ID and the last exchange
          expect(row.messageId).toMatch(/^delivery-\d+\.1@localhost$/);
          expect(row.smtpExchange).toMatch(/final "\." sent/);
          expect(attempts[0]).toMatchObject({ messageId: row.messageId, errorCode: e.code });
          expect(summary.unknown).toBe(1);
          expect(app.captured.events('delivery.unknown')).toHaveLength(1);
        }
        if (e.status === 'sent') {
          expect(await app.ctx.db.prisma.mailedPaper.count({ where: { deliveryId: row.id } })).toBe((row.papers as unknown[]).length);
        } else {
          expect(await app.ctx.db.prisma.mailedPaper.count()).toBe(0);
        }
        // Another send changes nothing: what may have arrived is never sent again on its own.
        const seenBefore = relay.seen.length;
        const again = await sendNow(app);
        expect(again).toMatchObject({ sent: 0, failed: 0, unknown: 0, retried: 0 });
        expect(relay.seen).toHaveLength(seenBefore);
        expect(await app.ctx.db.prisma.delivery.findFirstOrThrow()).toMatchObject({ status: e.status, attempt: 1 });
      },
      30_000,
    );
  }
});

describe('the mailer on its own', () => {
  it('a connection cut while a large message is still being written is "in-data": definite, not unknown', async ({ delivery }) => {
    const relay = await delivery.faultRelay({ pick: () => ({ kind: 'drop-mid-data' }) });
    const mailer = createSmtpMailer({ url: relay.url, concurrency: 1, timeoutMs: 2000 });
    try {
      // far more than loopback's socket buffers hold: the relay cuts before the client can finish
      const message = buildMessage({ html: `<p>${'x'.repeat(24 * 1024 * 1024)}</p>`, text: 'big' });
      let handed = 0;
      const err = await mailer.send(message, { beforeData: () => ((handed += 1), Promise.resolve()) }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SendError);
      expect(err).toMatchObject({ code: 'ECONNECTION', stage: 'in-data' });
      expect((err as SendError).unknownOutcome).toBe(false);
      expect(handed).toBe(1);
      expect(relay.taken).toHaveLength(0);
    } finally {
      await mailer.close();
    }
  }, 60_000);

  it('a handed mark that cannot be recorded stops the message before its data: nothing reaches the relay', async ({ delivery }) => {
    const relay = await delivery.faultRelay();
    const mailer = createSmtpMailer({ url: relay.url, concurrency: 1, timeoutMs: 2000 });
    try {
      const err = await mailer.send(buildMessage(), { beforeData: () => Promise.reject(new Error('database is down')) }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'EHANDOVER', stage: 'before-data' });
      expect((err as Error).message).toMatch(/database is down/);
      expect(relay.seen).toHaveLength(0);
      // the connection it used is not reused half-way through DATA: the next message goes through
      await mailer.send(buildMessage());
      expect(relay.taken).toHaveLength(1);
    } finally {
      await mailer.close();
    }
  });

  it('stopping a send before its data ended is "before-data"; after its "." it is unknown', async ({ delivery }) => {
    const relay = await delivery.faultRelay({ pick: () => ({ kind: 'stall-after-dot', keep: true }) });
    const mailer = createSmtpMailer({ url: relay.url, concurrency: 2, timeoutMs: 2000, replyTimeoutMs: 60_000 });
    try {
      const early = new AbortController();
      early.abort();
      await expect(mailer.send(buildMessage(), { signal: early.signal })).rejects.toMatchObject({ code: 'EABORTED', stage: 'before-data' });

      const late = new AbortController();
      const sending = mailer.send(buildMessage(), { signal: late.signal }).then(
        () => null,
        (e: unknown) => e,
      );
      await relay.waitForTaken(1);
      late.abort();
      const err = (await sending) as SendError;
      expect(err).toMatchObject({ code: 'EABORTED', stage: 'after-data' });
      expect(err.exchange).toMatch(/final "\." sent; then this process stopped waiting/);
    } finally {
      await mailer.close();
    }
  });
});
