// The SMTP Mailer against a real in-process SMTP server (tests/support/smtp-sink.ts): what arrives,
// read back with mailparser, and how every kind of refusal or failure becomes a SendError.
import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../../src/deliver/smtp-mailer.ts';
import { SendError, type Mailer } from '../../../src/deliver/types.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';
import { buildMessage } from '../../unit/deliver/build-message.ts';

let sink: SmtpSink;
const mailers: Mailer[] = [];

function mailer(url = sink.url, { concurrency = 2, timeoutMs = 2000 } = {}): Mailer {
  const m = createSmtpMailer({ url, concurrency, timeoutMs });
  mailers.push(m);
  return m;
}

async function failure(promise: Promise<unknown>): Promise<SendError> {
  const err = await promise.then(
    () => {
      throw new Error('expected the send to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SendError);
  return err as SendError;
}

beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(() => sink.close());
beforeEach(() => sink.reset());
afterEach(async () => {
  await Promise.all(mailers.splice(0).map((m) => m.close()));
});

describe('what arrives', () => {
  it('carries From, To, Reply-To, Subject, the exact Message-ID and both parts', async () => {
    const message = buildMessage();
    const receipt = await mailer().send(message);
    expect(receipt.messageId).toBe(message.messageId);
    expect(receipt.response).toMatch(/^250 .*queued as/);
    const [m] = sink.messages;
    expect(m?.envelope).toEqual({ from: 'digest@papers.example.org', to: [message.to] });
    expect(m?.parsed.from?.value).toEqual([{ address: 'digest@papers.example.org', name: 'paperboy' }]);
    expect(m?.parsed.to).toMatchObject({ value: [{ address: message.to, name: '' }] });
    expect(m?.parsed.replyTo?.value[0]?.address).toBe('help@papers.example.org');
    expect(m?.parsed.subject).toBe(message.subject);
    expect(m?.messageId).toBe(message.messageId);
    expect(m?.header('Message-ID')).toBe(`<${message.messageId}>`);
    expect(m?.parsed.text?.trim()).toBe(message.text);
    expect(m?.parsed.html).toContain(message.html);
    expect(m?.header('Content-Type')).toMatch(/^multipart\/alternative;/);
  });

  it('sends List-Unsubscribe, List-Unsubscribe-Post and List-Id verbatim, each on one line', async () => {
    const message = buildMessage();
    await mailer().send(message);
    const [m] = sink.messages;
    const raw = m!.raw.toString('utf8');
    for (const [name, value] of Object.entries(message.headers)) {
      expect(m?.header(name)).toBe(value);
      expect(`\r\n${raw}`).toContain(`\r\n${name === 'List-Id' ? 'List-ID' : name}: ${value}\r\n`);
    }
    // mailparser folds every List-* header into one structured 'list' header
    const list = m?.parsed.headers.get('list') as Record<string, { url?: string; id?: string; name?: string }>;
    expect(list.unsubscribe?.url).toBe(message.headers['List-Unsubscribe']!.slice(1, -1));
    expect(list.id?.id).toBe('digest.papers.example.org');
    expect(list['unsubscribe-post']?.name).toBe('List-Unsubscribe=One-Click');
    const lines = new Map(m?.parsed.headerLines.map((h) => [h.key, h.line]));
    expect(lines.get('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  });

  it('keeps UTF-8 subjects, names and bodies (em dash, accents, Greek)', async () => {
    const text = 'Scaling laws — résumé of α-decay in naïve models';
    const message = buildMessage({
      from: 'Paperboy — Zeitung <digest@papers.example.org>',
      subject: `Neue Arbeiten — café, ε-δ proofs`,
      text,
      html: `<p>${text}</p>`,
    });
    await mailer().send(message);
    const [m] = sink.messages;
    expect(m?.parsed.subject).toBe(message.subject);
    expect(m?.parsed.from?.value[0]?.name).toBe('Paperboy — Zeitung');
    expect(m?.parsed.text?.trim()).toBe(text);
    expect(m?.parsed.html).toContain(text);
    expect(m?.raw.every((byte) => byte < 0x80)).toBe(true); // 7-bit on the wire: QP and encoded words
  });

  it('turns CR/LF in the subject into a space, so it never starts a header of its own', async () => {
    const message = buildMessage({ subject: 'Hello\r\nBcc: evil@example.org\r\nX-Injected: yes' });
    await mailer().send(message);
    const [m] = sink.messages;
    expect(m?.envelope.to).toEqual([message.to]);
    expect(m?.parsed.headers.has('bcc')).toBe(false);
    expect(m?.parsed.headers.has('x-injected')).toBe(false);
    expect(m?.parsed.subject).toBe('Hello Bcc: evil@example.org X-Injected: yes');
  });

  it('refuses CR/LF in an extra header value or name before connecting', async () => {
    const m = mailer();
    const badValue = buildMessage({ headers: { 'List-Id': 'x <a.b>\r\nBcc: evil@example.org' } });
    const err = await failure(m.send(badValue));
    expect(err.code).toBe('EMESSAGE');
    expect(err.message).toMatch(/CR\/LF/);
    const badName = await failure(m.send(buildMessage({ headers: { 'X-A\r\nBcc': 'evil@example.org' } })));
    expect(badName.code).toBe('EMESSAGE');
    expect(sink.stats.connections).toBe(0);
  });

  it('sends 200 messages in parallel over at most `concurrency` connections, each exactly once', async () => {
    const m = mailer(sink.url, { concurrency: 4 });
    const messages = Array.from({ length: 200 }, () => buildMessage());
    const receipts = await Promise.all(messages.map((msg) => m.send(msg)));
    expect(receipts.map((r) => r.messageId)).toEqual(messages.map((msg) => msg.messageId));
    expect(sink.messages).toHaveLength(200);
    expect(new Set(sink.messages.map((x) => x.messageId)).size).toBe(200);
    expect(sink.messages.map((x) => x.messageId).sort()).toEqual(messages.map((msg) => msg.messageId).sort());
    expect(sink.stats.connections).toBeLessThanOrEqual(4);
  });
});

describe('refusals', () => {
  it('451 on RCPT TO: a transient EENVELOPE; the next send goes through (the mailer never retries)', async () => {
    sink.setBehaviour({ failFirst: { stage: 'rcpt', times: 1 } });
    const m = mailer();
    const message = buildMessage();
    const err = await failure(m.send(message));
    expect(err).toMatchObject({ code: 'EENVELOPE', responseCode: 451, permanent: false, hardBounce: false, storedCode: 'smtp:451' });
    expect(err.response).toMatch(/^451 /);
    expect(sink.stats.rcpt).toBe(1);
    await m.send(message);
    expect(sink.messages.map((x) => x.messageId)).toEqual([message.messageId]);
  });

  it('451 after the data: a transient EMESSAGE, then success', async () => {
    sink.setBehaviour({ failFirst: { stage: 'data', times: 1 } });
    const m = mailer();
    const err = await failure(m.send(buildMessage()));
    expect(err).toMatchObject({ code: 'EMESSAGE', responseCode: 451, permanent: false, hardBounce: false });
    await m.send(buildMessage());
    expect(sink.messages).toHaveLength(1);
  });

  it('550 for one recipient is a hard bounce while a parallel send to another recipient succeeds', async () => {
    sink.setBehaviour({ rejectRecipients: { 'Gone@Example.org': 550 } });
    const m = mailer();
    const [bad, good] = await Promise.allSettled([m.send(buildMessage({ to: 'gone@example.org' })), m.send(buildMessage())]);
    expect(good.status).toBe('fulfilled');
    expect(bad.status).toBe('rejected');
    const err = (bad as PromiseRejectedResult).reason as SendError;
    expect(err).toBeInstanceOf(SendError);
    expect(err).toMatchObject({ code: 'EENVELOPE', responseCode: 550, permanent: true, hardBounce: true, storedCode: 'smtp:550' });
    expect(err.response).toBe('550 5.1.1 Recipient address rejected: User unknown');
    expect(sink.messages).toHaveLength(1);
    // the connection was reset (RSET) and is still good for the next message
    await m.send(buildMessage());
    expect(sink.messages).toHaveLength(2);
  });

  it('452 (mailbox full) on RCPT is transient, not a bounce', async () => {
    sink.setBehaviour({ rejectRecipients: { 'full@example.org': { code: 452, message: '4.2.2 Mailbox full' } } });
    const err = await failure(mailer().send(buildMessage({ to: 'full@example.org' })));
    expect(err).toMatchObject({ code: 'EENVELOPE', responseCode: 452, permanent: false, hardBounce: false });
  });

  it('554 after the data: EMESSAGE, permanent, not a hard bounce', async () => {
    sink.setBehaviour({ rejectData: { code: 554 } });
    const err = await failure(mailer().send(buildMessage()));
    expect(err).toMatchObject({ code: 'EMESSAGE', responseCode: 554, permanent: true, hardBounce: false, storedCode: 'smtp:554' });
    expect(sink.messages).toHaveLength(0);
  });
});

describe('broken connections', () => {
  it('a connection dropped in the middle of DATA: ECONNECTION, transient, nothing stored', async () => {
    sink.setBehaviour({ dropDuringData: 1 });
    const m = mailer();
    const err = await failure(m.send(buildMessage({ text: 'x'.repeat(200_000) })));
    expect(err).toMatchObject({ code: 'ECONNECTION', permanent: false, hardBounce: false });
    expect(sink.stats.dropped).toBeGreaterThan(0);
    expect(sink.messages).toHaveLength(0);
    await m.send(buildMessage()); // the pool opens a new connection
    expect(sink.messages).toHaveLength(1);
  });

  it.each(['data', 'mail', 'greeting'] as const)('a server that stalls (%s): ETIMEDOUT within timeoutMs + slack', async (stall) => {
    sink.setBehaviour({ stall });
    const started = Date.now();
    const err = await failure(mailer(sink.url, { timeoutMs: 500 }).send(buildMessage()));
    expect(err).toMatchObject({ code: 'ETIMEDOUT', responseCode: null, permanent: false });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('nothing listening: ECONNECTION without a reply code', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const err = await failure(mailer(`smtp://127.0.0.1:${port}`).send(buildMessage()));
    expect(err).toMatchObject({ code: 'ECONNECTION', responseCode: null, permanent: false, storedCode: 'ECONNECTION' });
  });

  it('send after close is refused', async () => {
    const m = mailer();
    await m.close();
    expect((await failure(m.send(buildMessage()))).code).toBe('ECONNECTION');
  });
});

describe('authentication', () => {
  let authSink: SmtpSink;
  beforeAll(async () => {
    authSink = await startSmtpSink({ auth: { user: 'paperboy', pass: 'p@ss:w/rd%1' } });
  });
  afterAll(() => authSink.close());

  it('logs in with the URL credentials (percent-encoded) and hides the password in the description', async () => {
    const m = mailer(authSink.url);
    expect(m.description).toBe(`smtp://paperboy@127.0.0.1:${authSink.port}`);
    expect(m.description).not.toContain('p%40ss');
    await m.send(buildMessage());
    expect(authSink.messages).toHaveLength(1);
  });

  it('rejected credentials: EAUTH with the 535 reply', async () => {
    const err = await failure(mailer(`smtp://paperboy:wrong@127.0.0.1:${authSink.port}`).send(buildMessage()));
    expect(err).toMatchObject({ code: 'EAUTH', responseCode: 535, hardBounce: false });
    expect(err.response).toMatch(/^535 /);
  });

  it('no credentials where the server requires them: EAUTH (530 on MAIL FROM), never a bounce', async () => {
    const err = await failure(mailer(`smtp://127.0.0.1:${authSink.port}`).send(buildMessage()));
    expect(err).toMatchObject({ code: 'EAUTH', responseCode: 530, hardBounce: false });
  });
});
