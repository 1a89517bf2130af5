// The SMTP Mailer's TLS failures, and how its pool behaves when the server cuts connections.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSmtpMailer } from '../../../src/deliver/smtp-mailer.ts';
import { SendError, type Mailer } from '../../../src/deliver/types.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';
import { buildMessage } from '../../unit/deliver/build-message.ts';

const cleanup: Array<Mailer | SmtpSink> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((x) => x.close()));
});

async function sinkWith(options: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
  const sink = await startSmtpSink(options);
  cleanup.push(sink);
  return sink;
}

function mailer(url: string, concurrency = 1): Mailer {
  const m = createSmtpMailer({ url, concurrency, timeoutMs: 2000 });
  cleanup.unshift(m); // mailers close before sinks
  return m;
}

async function failure(promise: Promise<unknown>): Promise<SendError> {
  const err: unknown = await promise.then(
    () => new Error('expected the send to fail'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SendError);
  return err as SendError;
}

describe('TLS', () => {
  it('STARTTLS with a certificate that does not verify: ETLS', async () => {
    const sink = await sinkWith({ starttls: true });
    const err = await failure(mailer(`smtp://127.0.0.1:${sink.port}?requireTLS=true`).send(buildMessage()));
    expect(err.code).toBe('ETLS');
    expect(sink.messages).toHaveLength(0);
  });

  it('STARTTLS when the URL accepts the test certificate: delivered', async () => {
    const sink = await sinkWith({ starttls: true });
    await mailer(`smtp://127.0.0.1:${sink.port}?requireTLS=true&tls.rejectUnauthorized=false`).send(buildMessage());
    expect(sink.messages).toHaveLength(1);
  });

  it('smtps:// against a plain-text server: ETLS', async () => {
    const sink = await sinkWith();
    const err = await failure(mailer(`smtps://127.0.0.1:${sink.port}`).send(buildMessage()));
    expect(err).toMatchObject({ code: 'ETLS', permanent: false });
  });

  it('requireTLS against a server without STARTTLS: ETLS', async () => {
    const sink = await sinkWith();
    const err = await failure(mailer(`smtp://127.0.0.1:${sink.port}?requireTLS=true`).send(buildMessage()));
    expect(err.code).toBe('ETLS');
    expect(err.hardBounce).toBe(false);
  });
});

describe('pooled connections', () => {
  it('a pooled connection the server closed while idle is replaced without failing the next send', async () => {
    const sink = await sinkWith();
    const m = mailer(sink.url, 2);
    await Promise.all([m.send(buildMessage()), m.send(buildMessage())]);
    expect(sink.dropConnections()).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all([m.send(buildMessage()), m.send(buildMessage())]);
    expect(sink.messages).toHaveLength(4);
    expect(new Set(sink.messages.map((x) => x.messageId)).size).toBe(4);
  });

  it('close() waits for the messages in flight, then later sends are refused', async () => {
    const sink = await sinkWith({ behaviour: { dataDelayMs: 200 } });
    const m = mailer(sink.url, 2);
    const sending = [m.send(buildMessage()), m.send(buildMessage())];
    await vi.waitFor(() => expect(sink.stats.data).toBe(2)); // both messages' data on its way
    await m.close();
    await expect(Promise.all(sending)).resolves.toHaveLength(2);
    expect(sink.messages).toHaveLength(2);
    expect((await failure(m.send(buildMessage()))).code).toBe('ECONNECTION');
  });
});

describe('a send the server took for nobody', () => {
  it('LMTP refusing the only recipient after the data is an EENVELOPE failure, not a receipt', async () => {
    const sink = await sinkWith({ lmtp: true, behaviour: { rejectData: { code: 550, message: '5.1.1 No such mailbox' } } });
    const err = await failure(mailer(`smtp://127.0.0.1:${sink.port}?lmtp=true`).send(buildMessage()));
    expect(err).toMatchObject({ code: 'EENVELOPE', responseCode: 550, hardBounce: true });
    expect(err.message).toMatch(/accepted the message for nobody/);
    expect(sink.messages).toHaveLength(0);
  });
});
