// What the send step does when the relay misbehaves, against a real SMTP server (smtp-server) told
// to: answer 451 once, refuse one recipient with 550, refuse everything (the digest pauses instead of
// mailing everyone badly). The faults around the end of the data are in fault-relay.test.ts.
import { describe, expect } from 'vitest';
import { digestDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { resendFailed } from '../../../src/deliver/resend.ts';
import { addSubscribers, ingestSeeds, sendNow, type TestApp } from '../../support/app.ts';
import { deliveryTest as it, type Delivery } from '../../support/delivery-test.ts';
import type { SinkBehaviour } from '../../support/smtp-sink.ts';

async function setup(delivery: Delivery, behaviour: SinkBehaviour, emails: string[], vars: Record<string, string> = {}) {
  const { app, sink } = await delivery.withSink({ behaviour }, vars);
  await ingestSeeds(app);
  await addSubscribers(
    app,
    emails.map((e) => [e, ['scaling laws']] as [string, string[]]),
  );
  const built = await buildDigest(digestDeps(app.ctx));
  if (built.kind !== 'built') throw new Error('no digest');
  return { app, sink, digestId: built.digest!.id };
}

const send = sendNow;

const rows = (a: TestApp) => a.ctx.db.prisma.delivery.findMany({ include: { subscriber: true }, orderBy: { id: 'asc' } });

describe('send when the relay misbehaves (PostgreSQL)', () => {
  it('451 on the first try, then accepted: retried and sent exactly once', async ({ delivery }) => {
    const { app, sink } = await setup(delivery, { failFirst: { stage: 'data', times: 1, code: 451 } }, ['alice@example.org']);
    const summary = await send(app);
    expect(summary).toMatchObject({ sent: 1, retried: 1, failed: 0 });
    expect(sink.messagesTo('alice@example.org')).toHaveLength(1);
    const [row] = await rows(app);
    expect(row).toMatchObject({ status: 'sent', tries: 1, attempt: 1 });
    expect(app.captured.events('delivery.retry')[0]).toMatchObject({ code: 'smtp:451' });
  });

  it('550 for one recipient: that delivery fails with the reply stored, the others are sent', async ({ delivery }) => {
    const { app, sink } = await setup(delivery, { rejectRecipients: { 'gone@example.org': { code: 550, message: '5.1.1 user unknown' } } }, [
      'alice@example.org',
      'gone@example.org',
      'bob@example.org',
    ]);
    const summary = await send(app);
    expect(summary).toMatchObject({ sent: 2, failed: 1, retried: 0 });
    expect(sink.messages.map((m) => m.envelope.to[0]).sort()).toEqual(['alice@example.org', 'bob@example.org']);
    const gone = (await rows(app)).find((r) => r.subscriber.email === 'gone@example.org')!;
    expect(gone.status).toBe('failed');
    expect(gone.errorCode).toBe('smtp:550');
    expect(gone.smtpResponse).toMatch(/550.*user unknown/);
    expect(gone.tries).toBe(0); // a permanent error is not retried
    // A hard bounce is counted; with BOUNCE_LIMIT=2 one is not yet enough.
    expect(gone.subscriber).toMatchObject({ bounceCount: 1, status: 'active' });
    expect(await app.ctx.db.prisma.deliveryAttempt.findFirst({ where: { deliveryId: gone.id } })).toMatchObject({ status: 'failed', errorCode: 'smtp:550' });
  });

  it('a recipient refused BOUNCE_LIMIT times becomes bounced', async ({ delivery }) => {
    const { app } = await setup(delivery, { rejectRecipients: { 'gone@example.org': 550 } }, ['gone@example.org'], { BOUNCE_LIMIT: '1' });
    const summary = await send(app);
    expect(summary.bounced).toBe(1);
    expect((await rows(app))[0]!.subscriber.status).toBe('bounced');
    expect(app.captured.events('subscriber.bounced')).toHaveLength(1);
  });

  it('after SEND_MAX_ERRORS failures in a row the digest is paused; the rest wait; resending the failed resumes it', async ({ delivery }) => {
    const emails = Array.from({ length: 8 }, (_, i) => `reader${i}@example.org`);
    const { app, sink, digestId } = await setup(delivery, { rejectData: { code: 554, message: '5.7.1 rejected by policy' } }, emails, {
      SEND_MAX_ERRORS: '3',
      SEND_CONCURRENCY: '1',
    });
    const summary = await send(app);
    expect(summary.paused).toEqual([digestId]);
    expect(summary.failed).toBe(3);
    expect(await app.ctx.db.prisma.digest.findUnique({ where: { id: digestId } })).toMatchObject({ status: 'paused' });
    const statuses = (await rows(app)).map((r) => r.status);
    expect(statuses.filter((s) => s === 'failed')).toHaveLength(3);
    expect(statuses.filter((s) => s === 'queued')).toHaveLength(5);
    expect(statuses.filter((s) => s === 'claimed' || s === 'handed')).toHaveLength(0);
    expect(app.captured.events('digest.paused')).toHaveLength(1);
    // Nothing more goes out while it is paused.
    expect((await send(app)).sent).toBe(0);

    sink.setBehaviour({});
    const { requeued, resumed } = await resendFailed(app.ctx.db.sql, app.ctx.db.prisma, digestId);
    expect(requeued).toHaveLength(3);
    expect(resumed).toBe(true);
    const after = await send(app);
    expect(after.sent).toBe(8);
    expect(new Set(sink.messages.map((m) => m.envelope.to[0])).size).toBe(8);
    expect(sink.messages).toHaveLength(8);
  });
});
