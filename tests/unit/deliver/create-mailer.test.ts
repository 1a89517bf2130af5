// The SMTP URL as logs show it, and the choice of Mailer (the raw message: raw-message.test.ts).
import { describe, expect, it } from 'vitest';
import { createMailer } from '../../../src/deliver/create-mailer.ts';
import { describeSmtpUrl } from '../../../src/deliver/smtp-mailer.ts';

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
