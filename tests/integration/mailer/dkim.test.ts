// DKIM: a digest signed by paperboy over SMTP, verified by a maintained verifier (mailauth) against
// the public key that `paperboy dkim-record` prints, served by a stub resolver; one changed signed
// header and the signature fails.
import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.ts';
import { composeDigestMessage } from '../../../src/deliver/compose-message.ts';
import { createDkimSigner, dkimRecord } from '../../../src/deliver/dkim.ts';
import { createSmtpMailer } from '../../../src/deliver/smtp-mailer.ts';
import { VerpSigner } from '../../../src/security/verp.ts';
import { runCli } from '../../support/cli.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
const config = loadConfig({ env: { DKIM_DOMAIN: 'papers.example.org', DKIM_SELECTOR: 'pb2026', DKIM_PRIVATE_KEY: pem }, cwd: '/srv' });
const record = dkimRecord(config.dkim!);
const resolver = (name: string, type: string) =>
  type === 'TXT' && name === record.name
    ? Promise.resolve([[record.value]])
    : Promise.reject(Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' }));
const verp = new VerpSigner(Buffer.alloc(32, 1), 'bounce.papers.example.org');

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(() => sink.close());

async function sendSignedDigest(): Promise<Buffer> {
  const mailer = createSmtpMailer({ url: sink.url, concurrency: 1, timeoutMs: 5000, dkim: createDkimSigner(config.dkim!) });
  const message = composeDigestMessage(
    { from: 'paperboy <digest@papers.example.org>', domain: 'papers.example.org', productName: 'paperboy' },
    { email: 'reader@example.org', messageId: 'delivery-41.1@papers.example.org' },
    { subject: 'paperboy: 3 new papers — “Scaling laws” and more', html: '<p>Three papers…</p>', text: 'Three papers…' },
    { preferencesUrl: 'https://papers.example.org/preferences?token=p', unsubscribeUrl: 'https://papers.example.org/unsubscribe?token=u.1.2.3.4' },
    { returnPath: verp.bounceAddress(41, 1), unsubscribeMailto: verp.unsubscribeAddress(7) },
  );
  let handed = false;
  await mailer.send(message, { beforeData: () => ((handed = true), Promise.resolve()) });
  await mailer.close();
  expect(handed).toBe(true); // the hand-over hook still runs before the (signed) data
  const m = sink.messagesTo('reader@example.org').at(-1)!;
  expect(m.envelope.from).toBe(verp.bounceAddress(41, 1));
  return m.raw;
}

describe('DKIM signing', () => {
  it('passes a verifier, covering From, Subject, Date, Message-ID and the List-* headers (List-Unsubscribe-Post included)', async () => {
    const raw = await sendSignedDigest();
    const { results } = await dkimVerify(raw, { resolver });
    expect(results).toHaveLength(1);
    const result = results[0]! as (typeof results)[number] & { signingHeaders: { keys: string } };
    expect(result.status.result).toBe('pass');
    expect(result.signingDomain).toBe('papers.example.org');
    expect(result.selector).toBe('pb2026');
    const signed = result.signingHeaders.keys.toLowerCase().split(': ');
    for (const h of ['from', 'subject', 'date', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post', 'list-id']) expect(signed).toContain(h);
    expect(raw.toString()).toMatch(
      /^List-Unsubscribe: <https:\/\/papers\.example\.org\/unsubscribe\?token=u\.1\.2\.3\.4>, <mailto:unsubscribe\+7-[0-9a-f]{20}@bounce\.papers\.example\.org\?subject=unsubscribe>\r$/m,
    );
  });

  it('fails once one signed header is changed', async () => {
    const raw = (await sendSignedDigest()).toString('latin1');
    for (const [from, to] of [
      ['List-Unsubscribe-Post: List-Unsubscribe=One-Click', 'List-Unsubscribe-Post: List-Unsubscribe=Nope'],
      ['Subject: ', 'Subject: Re: '],
    ] as const) {
      expect(raw).toContain(from);
      const { results } = await dkimVerify(Buffer.from(raw.replace(from, to), 'latin1'), { resolver });
      expect(results[0]!.status.result).toBe('fail');
    }
  });
});

describe('paperboy dkim-record', () => {
  it('prints the TXT record of the configured key, in strings of at most 255 characters', async () => {
    const r = await runCli(['dkim-record'], { DKIM_DOMAIN: 'papers.example.org', DKIM_SELECTOR: 'pb2026', DKIM_PRIVATE_KEY: pem.replace(/\n/g, '\\n') });
    expect(r.code).toBe(0);
    const m = /^pb2026\._domainkey\.papers\.example\.org\. IN TXT \( ((?:"[^"]{1,255}" ?)+)\)\n$/.exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    expect([...m![1]!.matchAll(/"([^"]*)"/g)].map((x) => x[1]).join('')).toBe(record.value);
  });

  it('stops with one line naming the variable when the key is bad, and says when DKIM is off', async () => {
    const bad = await runCli(['dkim-record'], { DKIM_DOMAIN: 'papers.example.org', DKIM_SELECTOR: 'pb2026', DKIM_PRIVATE_KEY: 'not a key' });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^paperboy: DKIM_PRIVATE_KEY: is not a PEM private key/);
    const off = await runCli(['dkim-record'], {});
    expect(off.code).toBe(1);
    expect(off.stderr.trim()).toMatch(/^paperboy: DKIM is off/);
  });
});
