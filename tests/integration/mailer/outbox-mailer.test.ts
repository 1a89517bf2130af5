// The outbox Mailer writes .eml files that mailparser reads back with the same headers as SMTP.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOutboxMailer } from '../../../src/deliver/outbox-mailer.ts';
import { SendError } from '../../../src/deliver/types.ts';
import { buildMessage } from '../../unit/deliver/build-message.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'paperboy-outbox-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const fixedClock = () => new Date('2026-06-10T08:15:00.123Z');

describe('outbox mailer', () => {
  it('creates the folder and writes one parseable .eml per message, named by time and Message-ID', async () => {
    const dir = path.join(root, 'data', 'outbox');
    const mailer = createOutboxMailer({ dir, now: fixedClock });
    expect(mailer).toMatchObject({ kind: 'outbox', description: dir });
    const message = buildMessage({ subject: 'Neue Arbeiten — café, ε-δ', text: 'résumé — α', html: '<p>résumé — α</p>' });
    const receipt = await mailer.send(message);
    const local = message.messageId.split('@')[0];
    expect(receipt).toEqual({ response: `written to outbox/2026-06-10T081500.123Z-${local}.eml`, messageId: message.messageId });
    expect(await readdir(dir)).toEqual([`2026-06-10T081500.123Z-${local}.eml`]);

    const raw = await readFile(path.join(dir, `2026-06-10T081500.123Z-${local}.eml`));
    expect(raw.toString('latin1')).toMatch(/\r\n\r\n/); // CRLF, as on the wire
    const parsed = await simpleParser(raw);
    expect(parsed.messageId).toBe(`<${message.messageId}>`);
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.from?.value[0]?.address).toBe('digest@papers.example.org');
    expect(parsed.replyTo?.value[0]?.address).toBe('help@papers.example.org');
    expect(parsed.text?.trim()).toBe('résumé — α');
    expect(parsed.html).toContain('<p>résumé — α</p>');
    const lines = new Map(parsed.headerLines.map((h) => [h.key, h.line]));
    expect(lines.get('list-unsubscribe')).toBe(`List-Unsubscribe: ${message.headers['List-Unsubscribe']}`);
    expect(lines.get('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(lines.get('list-id')).toBe(`List-ID: ${message.headers['List-Id']}`);
  });

  it('never gives two messages the same file, and leaves no temporary file behind', async () => {
    const dir = path.join(root, 'outbox');
    const mailer = createOutboxMailer({ dir, now: fixedClock });
    const message = buildMessage();
    const receipts = await Promise.all([
      mailer.send(message),
      mailer.send(message),
      mailer.send(message),
      ...Array.from({ length: 20 }, () => mailer.send(buildMessage())),
    ]);
    const files = await readdir(dir);
    expect(files).toHaveLength(23);
    expect(new Set(receipts.map((r) => r.response)).size).toBe(23);
    expect(files.every((f) => f.endsWith('.eml') && !f.startsWith('.'))).toBe(true);
    const local = message.messageId.split('@')[0];
    expect(files.filter((f) => f.includes(`-${local}`)).sort()).toEqual([
      `2026-06-10T081500.123Z-${local}-2.eml`,
      `2026-06-10T081500.123Z-${local}-3.eml`,
      `2026-06-10T081500.123Z-${local}.eml`,
    ]);
  });

  it('keeps the Message-ID local part file-name safe', async () => {
    const dir = path.join(root, 'outbox');
    const mailer = createOutboxMailer({ dir, now: fixedClock });
    const receipt = await mailer.send(buildMessage({ messageId: 'a/b\\c..d$e@papers.example.org' }));
    expect(receipt.response).toBe('written to outbox/2026-06-10T081500.123Z-a_b_c..d_e.eml');
  });

  it('refuses CR/LF in an extra header like the SMTP mailer, and writes nothing', async () => {
    const dir = path.join(root, 'outbox');
    const mailer = createOutboxMailer({ dir });
    await expect(mailer.send(buildMessage({ headers: { 'List-Id': 'a\r\nBcc: x@example.org' } }))).rejects.toMatchObject({ code: 'EMESSAGE' });
    await expect(readdir(dir)).rejects.toThrow(); // not even the folder
  });

  it('a folder it cannot create: EOUTBOX', async () => {
    const file = path.join(root, 'not-a-folder');
    await writeFile(file, 'x');
    const err: unknown = await createOutboxMailer({ dir: path.join(file, 'outbox') })
      .send(buildMessage())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SendError);
    expect(err).toMatchObject({ code: 'EOUTBOX', responseCode: null, permanent: false, storedCode: 'EOUTBOX' });
  });
});
