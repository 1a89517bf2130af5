// The nodemailer options both Mailers build from an OutgoingMessage, and the choice of Mailer.
import { describe, expect, it } from 'vitest';
import { createMailer } from '../../../src/deliver/create-mailer.ts';
import { toMailOptions } from '../../../src/deliver/raw-message.ts';
import { describeSmtpUrl } from '../../../src/deliver/smtp-mailer.ts';
import { buildMessage } from './build-message.ts';

describe('toMailOptions', () => {
  it('adds the angle brackets to the Message-ID and keeps ASCII extra headers verbatim', () => {
    const message = buildMessage();
    const options = toMailOptions(message);
    expect(options.messageId).toBe(`<${message.messageId}>`);
    expect(options.headers).toEqual({
      'List-Unsubscribe': { prepared: true, value: message.headers['List-Unsubscribe'] },
      'List-Unsubscribe-Post': { prepared: true, value: 'List-Unsubscribe=One-Click' },
      'List-Id': { prepared: true, value: message.headers['List-Id'] },
    });
    expect(options).toMatchObject({ disableFileAccess: true, disableUrlAccess: true, replyTo: 'help@papers.example.org' });
  });

  it('leaves non-ASCII header values to nodemailer to encode', () => {
    const options = toMailOptions(buildMessage({ headers: { 'List-Id': 'Zeitung — täglich <digest.papers.example.org>' } }));
    expect(options.headers).toEqual({ 'List-Id': 'Zeitung — täglich <digest.papers.example.org>' });
  });

  it.each([
    ['a CR/LF in a value', { 'List-Id': 'a\r\nBcc: x@example.org' }],
    ['a lone LF in a value', { 'List-Id': 'a\nBcc: x@example.org' }],
    ['a colon in a name', { 'X-A:B': 'v' }],
    ['a space in a name', { 'X A': 'v' }],
  ])('refuses %s with EMESSAGE', (_name, headers) => {
    expect(() => toMailOptions(buildMessage({ headers }))).toThrow(expect.objectContaining({ code: 'EMESSAGE' }));
  });

  it('refuses a Message-ID with brackets or without a domain', () => {
    expect(() => toMailOptions(buildMessage({ messageId: '<a@b>' }))).toThrow(expect.objectContaining({ code: 'EMESSAGE' }));
    expect(() => toMailOptions(buildMessage({ messageId: 'delivery-1' }))).toThrow(expect.objectContaining({ code: 'EMESSAGE' }));
  });

  it('puts a return path in the envelope only (MAIL FROM), and refuses one that could break the command', () => {
    const message = buildMessage({ returnPath: 'bounces+1-1-0123456789abcdef0123@bounce.papers.example.org' });
    expect(toMailOptions(message).envelope).toEqual({ from: 'bounces+1-1-0123456789abcdef0123@bounce.papers.example.org', to: message.to });
    expect(toMailOptions(buildMessage()).envelope).toBeUndefined();
    expect(() => toMailOptions(buildMessage({ returnPath: 'a@b> SIZE=1' }))).toThrow(expect.objectContaining({ code: 'EMESSAGE' }));
  });
});

describe('describeSmtpUrl', () => {
  it('drops the password and keeps the rest', () => {
    expect(describeSmtpUrl('smtp://user:s%40cret@relay.example.org:587')).toBe('smtp://user@relay.example.org:587');
    expect(describeSmtpUrl('smtps://relay.example.org')).toBe('smtps://relay.example.org');
    expect(describeSmtpUrl('smtp://u:p@relay:25/?requireTLS=true')).toBe('smtp://u@relay:25/?requireTLS=true');
  });

  it('refuses other schemes and bad URLs without echoing them', () => {
    expect(() => describeSmtpUrl('http://relay')).toThrow(/smtp:\/\/ or smtps:\/\//);
    expect(() => describeSmtpUrl('not a url :secret')).toThrow('SMTP URL is not a valid URL');
  });
});

describe('createMailer', () => {
  it('SMTP when SMTP_URL is set (connecting only when sending), the outbox otherwise', async () => {
    const smtp = createMailer({ smtpUrl: 'smtp://u:p@relay.invalid:2525', outboxDir: '/tmp/x', concurrency: 2, timeoutMs: 1000 });
    expect(smtp).toMatchObject({ kind: 'smtp', description: 'smtp://u@relay.invalid:2525' });
    await smtp.close();
    const outbox = createMailer({ smtpUrl: undefined, outboxDir: '/tmp/paperboy-outbox', concurrency: 2, timeoutMs: 1000 });
    expect(outbox).toMatchObject({ kind: 'outbox', description: '/tmp/paperboy-outbox' });
    await outbox.close();
    expect(createMailer({ smtpUrl: '', outboxDir: '/tmp/o', concurrency: 1, timeoutMs: 1 }).kind).toBe('outbox');
  });
});
