// The test SMTP server itself: others' tests lean on it (exactly-once over 2,000 messages, reading
// confirmation emails), so its counting, waiting, resetting and speed are tested here.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../../src/deliver/smtp-mailer.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';
import { buildMessage } from '../../unit/deliver/build-message.ts';

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(() => sink.close());
beforeEach(() => sink.reset());

describe('smtp-sink', () => {
  it('takes 2,000 messages over pooled connections, each exactly once, in a few seconds', async () => {
    const mailer = createSmtpMailer({ url: sink.url, concurrency: 8, timeoutMs: 5000 });
    const messages = Array.from({ length: 2000 }, () => buildMessage());
    const started = Date.now();
    try {
      await Promise.all(messages.map((m) => mailer.send(m)));
    } finally {
      await mailer.close();
    }
    const ids = sink.messages.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(2000);
    expect(ids.sort()).toEqual(messages.map((m) => m.messageId).sort());
    expect(sink.stats).toMatchObject({ accepted: 2000, data: 2000, rcpt: 2000, rcptRejected: 0 });
    expect(Date.now() - started).toBeLessThan(25_000); // ~3 s on an idle laptop; generous for busy CI
  });

  it('waitFor resolves once n messages are in, and fails clearly when they never come', async () => {
    const mailer = createSmtpMailer({ url: sink.url, concurrency: 1, timeoutMs: 5000 });
    const waiting = sink.waitFor(2);
    void mailer.send(buildMessage());
    void mailer.send(buildMessage());
    await expect(waiting).resolves.toHaveLength(2);
    await expect(sink.waitFor(3, 100)).rejects.toThrow(/2 of 3 messages after 100 ms/);
    await mailer.close();
  });

  it('finds messages by recipient and reads raw header lines', async () => {
    const mailer = createSmtpMailer({ url: sink.url, concurrency: 1, timeoutMs: 5000 });
    const message = buildMessage({ to: 'Someone@Example.org' });
    await mailer.send(message);
    await mailer.close();
    const [m] = sink.messagesTo('someone@example.org');
    expect(m?.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(m?.header('X-Not-There')).toBeUndefined();
  });

  it('reset() forgets messages and counters and restores the start behaviour', async () => {
    const strict = await startSmtpSink({ behaviour: { rejectRecipients: { 'x@example.org': 550 } } });
    const mailer = createSmtpMailer({ url: strict.url, concurrency: 1, timeoutMs: 5000 });
    try {
      strict.setBehaviour({});
      await mailer.send(buildMessage({ to: 'x@example.org' }));
      expect(strict.messages).toHaveLength(1);
      strict.reset();
      expect(strict.messages).toHaveLength(0);
      expect(strict.stats.accepted).toBe(0);
      await expect(mailer.send(buildMessage({ to: 'x@example.org' }))).rejects.toMatchObject({ responseCode: 550 });
    } finally {
      await mailer.close();
      await strict.close();
    }
  });

  it('failFirst counts down across sends and starts again with setBehaviour', async () => {
    sink.setBehaviour({ failFirst: { stage: 'rcpt', times: 2, code: 450 } });
    const mailer = createSmtpMailer({ url: sink.url, concurrency: 1, timeoutMs: 5000 });
    const codes: Array<number | null> = [];
    for (let i = 0; i < 3; i++) {
      codes.push(
        await mailer.send(buildMessage()).then(
          () => null,
          (e: { responseCode: number | null }) => e.responseCode,
        ),
      );
    }
    expect(codes).toEqual([450, 450, null]);
    await mailer.close();
  });

  it('closes at once even with pooled connections still open', async () => {
    const other = await startSmtpSink();
    const mailer = createSmtpMailer({ url: other.url, concurrency: 2, timeoutMs: 5000 });
    await mailer.send(buildMessage());
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await mailer.close();
  });
});
