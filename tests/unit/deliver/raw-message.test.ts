// The raw message both Mailers send, as a mail client reads it (mailparser): the same as nodemailer's
// MailComposer made of the same message before paperboy built its own (raw-message.ts), for
// digests of readers with different topics and papers, non-ASCII titles and senders, long lines.
import { simpleParser, type ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { describe, expect, it } from 'vitest';
import { composeDigestMessage, composeTransactionalMessage } from '../../../src/deliver/compose-message.ts';
import { buildRaw } from '../../../src/deliver/raw-message.ts';
import type { OutgoingMessage } from '../../../src/deliver/types.ts';
import { compileDigest } from '../../../src/render/index.ts';
import type { RecipientView } from '../../../src/render/types.ts';
import { recipient, seedDigest } from '../render/builders.ts';
import { buildMessage } from './build-message.ts';

/** What paperboy handed nodemailer's MailComposer before (raw-message.ts's toMailOptions). */
function composedByNodemailer(message: OutgoingMessage): Promise<Buffer> {
  const headers = Object.fromEntries(
    Object.entries(message.headers).map(([name, value]) => [
      name,
      /^[\x20-\x7e\t]*$/.test(value) && name.length + 2 + value.length <= 998 ? { prepared: true, value } : value,
    ]),
  );
  return new MailComposer({
    from: message.from,
    to: message.to,
    ...(message.replyTo ? { replyTo: message.replyTo } : {}),
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: `<${message.messageId}>`,
    headers,
  })
    .compile()
    .build();
}

/** What a reader's client shows of a message, and the headers paperboy relies on. */
function readable(mail: ParsedMail) {
  const header = (name: string) => mail.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '');
  return {
    subject: mail.subject,
    from: mail.from?.value,
    to: (Array.isArray(mail.to) ? mail.to : [mail.to]).map((a) => a?.value),
    replyTo: mail.replyTo?.value,
    messageId: mail.messageId,
    listUnsubscribe: header('list-unsubscribe'),
    listUnsubscribePost: header('list-unsubscribe-post'),
    listId: header('list-id'),
    autoResponse: header('x-auto-response-suppress'),
    text: mail.text,
    html: mail.html,
    attachments: mail.attachments.length,
  };
}

async function sameAsBefore(message: OutgoingMessage): Promise<Buffer> {
  const { raw } = await buildRaw(message);
  const now = readable(await simpleParser(raw));
  expect(now).toEqual(readable(await simpleParser(await composedByNodemailer(message))));
  expect(now.text).toBe(message.text.replace(/\r\n/g, '\n'));
  expect(now.html).toBe(message.html);
  return raw;
}

/** Every line ends with CRLF and is at most 76 characters before it (RFC 2045 §6.7, MIME_QP_LONG_LINE). */
function wellFormed(raw: Buffer): void {
  const text = raw.toString('latin1');
  expect(text).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  const long = body.split('\r\n').filter((line) => line.length > 76);
  expect(long).toEqual([]);
}

const options = { from: 'paperboy <digest@papers.example.org>', replyTo: 'help@papers.example.org', domain: 'papers.example.org', productName: 'paperboy' };

async function digestFor(topics: string[], index: number, tweak: (m: RecipientView['papers']) => RecipientView['papers'] = (m) => m) {
  const { view, matches } = seedDigest(topics);
  const rendered = (await compileDigest(view)).render(
    recipient(tweak(matches), {
      email: `reader${index}@example.org`,
      preferencesUrl: `https://papers.example.org/preferences?token=pref-${index}-${'x'.repeat(60)}`,
      unsubscribeUrl: `https://papers.example.org/unsubscribe?token=unsub-${index}-${'y'.repeat(60)}`,
    }),
  );
  const links = { preferencesUrl: `https://papers.example.org/p?t=${index}`, unsubscribeUrl: `https://papers.example.org/u?t=${index}-${'z'.repeat(90)}` };
  return { rendered, links };
}

describe('the raw message', () => {
  it.each([
    ['scaling laws', ['scaling laws'], (m: RecipientView['papers']) => m],
    ['three topics', ['scaling laws', 'synchronization', 'fermi surface'], (m: RecipientView['papers']) => m],
    ['two of its papers', ['neural networks', 'quantum'], (m: RecipientView['papers']) => m.slice(0, 2)],
    ['a topic that caught nothing', ['no such words anywhere'], (m: RecipientView['papers']) => m],
  ])('of a digest (%s) reads the same as nodemailer made it', async (_name, topics, tweak) => {
    const { rendered, links } = await digestFor(topics, topics.length, tweak);
    const message = composeDigestMessage(
      options,
      { email: `reader${topics.length}@example.org`, messageId: `delivery-${topics.length}.1@papers.example.org` },
      rendered,
      links,
      {
        returnPath: `bounces+${topics.length}-1-0123456789abcdef0123@bounce.papers.example.org`,
        unsubscribeMailto: `unsubscribe+${topics.length}@bounce.papers.example.org`,
      },
    );
    wellFormed(await sameAsBefore(message));
  });

  it('with non-ASCII titles, sender and list name, long lines, trailing blanks and a lone CR', async () => {
    const title = 'Équations de Navier–Stokes: 量子 scaling 😀 — “quotes” ' + 'ü'.repeat(40);
    const longLine = `${'word '.repeat(30)}${'=x'.repeat(50)}${'a'.repeat(200)} é😀${'b'.repeat(73)}😀`;
    const message = buildMessage({
      from: 'Zeitung Bücher <digest@papers.example.org>',
      subject: `Neu: ${title}`,
      text: `${title}\n${longLine}\ntrailing blanks   \n\ttabbed\t\r\nCRLF line\r\nlone\rCR\n.\n..leading dots\nend`,
      html: `<p title="${title}">${longLine}</p>\n<p>  </p>\n${'<td style="x=y">é</td>'.repeat(40)}`,
      headers: { 'List-Unsubscribe': '<https://papers.example.org/u?t=1>', 'List-Id': 'Zeitung — täglich <digest.papers.example.org>' },
    });
    const raw = await sameAsBefore(message);
    wellFormed(raw);
    // quoted-printable, not base64: the text stays readable to people and filters
    expect(raw.toString('latin1')).not.toMatch(/base64/);
  });

  it('is base64 where that is smaller (mostly non-Latin text), and still reads the same', async () => {
    const text = '量子力学の論文。'.repeat(200);
    const raw = await sameAsBefore(buildMessage({ text, html: `<p>${text}</p>` }));
    wellFormed(raw);
    expect(raw.toString('latin1').match(/Content-Transfer-Encoding: base64/g)).toHaveLength(2);
  });

  it('of a transactional email reads the same', async () => {
    const message = composeTransactionalMessage(options, 'ada@example.org', 'confirm-1.1@papers.example.org', {
      subject: 'Confirm your subscription to paperboy',
      html: '<p>Confirm: <a href="https://papers.example.org/c?t=1">here</a></p>',
      text: 'Confirm: https://papers.example.org/c?t=1',
    });
    wellFormed(await sameAsBefore(message));
  });

  it('keeps bodies of exactly one full line and of one over it', async () => {
    wellFormed(await sameAsBefore(buildMessage({ text: 'c'.repeat(75), html: `${'d'.repeat(76)}=` })));
  });

  it('gives the envelope: the return path when given, else the From address', async () => {
    const plain = buildMessage();
    expect((await buildRaw(plain)).envelope).toEqual({ from: 'digest@papers.example.org', to: [plain.to] });
    const verp = buildMessage({ returnPath: 'bounces+1-1-0123456789abcdef0123@bounce.papers.example.org' });
    expect((await buildRaw(verp)).envelope).toEqual({ from: verp.returnPath, to: [verp.to] });
  });

  it('keeps ASCII list headers verbatim on one line, and the Message-ID in angle brackets', async () => {
    const message = buildMessage();
    const raw = (await buildRaw(message)).raw.toString('latin1');
    const lines = raw.slice(0, raw.indexOf('\r\n\r\n')).split('\r\n');
    expect(lines).toContain(`List-Unsubscribe: ${message.headers['List-Unsubscribe']}`);
    expect(lines).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(lines).toContain(`Message-ID: <${message.messageId}>`);
  });

  it.each([
    ['a CR/LF in a value', { 'List-Id': 'a\r\nBcc: x@example.org' }],
    ['a lone LF in a value', { 'List-Id': 'a\nBcc: x@example.org' }],
    ['a colon in a name', { 'X-A:B': 'v' }],
    ['a space in a name', { 'X A': 'v' }],
  ])('refuses %s with EMESSAGE', async (_name, headers) => {
    await expect(buildRaw(buildMessage({ headers }))).rejects.toMatchObject({ code: 'EMESSAGE' });
  });

  it('refuses a Message-ID with brackets or without a domain, and a return path that could break the command', async () => {
    await expect(buildRaw(buildMessage({ messageId: '<a@b>' }))).rejects.toMatchObject({ code: 'EMESSAGE' });
    await expect(buildRaw(buildMessage({ messageId: 'delivery-1' }))).rejects.toMatchObject({ code: 'EMESSAGE' });
    await expect(buildRaw(buildMessage({ returnPath: 'a@b> SIZE=1' }))).rejects.toMatchObject({ code: 'EMESSAGE' });
  });

  it('turns CR/LF in the subject into a space: it never starts a header of its own', async () => {
    const mail = await simpleParser((await buildRaw(buildMessage({ subject: 'Hello\r\nBcc: x@example.org' }))).raw);
    expect(mail.subject).toBe('Hello Bcc: x@example.org');
    expect(mail.bcc).toBeUndefined();
  });
});
