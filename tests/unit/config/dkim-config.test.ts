// DKIM and bounce settings: a key that cannot sign stops start-up naming the variable, never a
// silently unsigned message.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.ts';
import { dkimRecord } from '../../../src/deliver/dkim.ts';

const load = (env: Record<string, string | undefined>) => loadConfig({ env, cwd: '/srv/paperboy' });
const rsa = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ format: 'pem', type: 'pkcs1' }) as string;
const key2048 = rsa(2048);
const dkimEnv = { DKIM_DOMAIN: 'Papers.Example.org', DKIM_SELECTOR: 'pb2026' };

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('DKIM settings', () => {
  it('is off with nothing set', () => {
    expect(load({}).dkim).toBeUndefined();
  });

  it('takes the key inline (with \\n escapes, as in a .env line) or from a file', () => {
    const inline = load({ ...dkimEnv, DKIM_PRIVATE_KEY: key2048.replace(/\n/g, '\\n') }).dkim!;
    expect(inline.domain).toBe('papers.example.org');
    expect(inline.selector).toBe('pb2026');
    const dir = mkdtempSync(path.join(tmpdir(), 'dkim-'));
    writeFileSync(path.join(dir, 'dkim.pem'), key2048);
    const fromFile = loadConfig({ env: { ...dkimEnv, DKIM_PRIVATE_KEY_FILE: 'dkim.pem' }, cwd: dir }).dkim!;
    expect(dkimRecord(fromFile)).toEqual(dkimRecord(inline));
    expect(dkimRecord(inline).name).toBe('pb2026._domainkey.papers.example.org');
    expect(dkimRecord(inline).value).toMatch(/^v=DKIM1; k=rsa; p=MIIBIjAN[A-Za-z0-9+/]+=*$/);
  });

  it('stops start-up naming the variable for a key that is not one, too short, not RSA, or missing', () => {
    const garbage = configError({ ...dkimEnv, DKIM_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----' });
    expect(garbage.variable).toBe('DKIM_PRIVATE_KEY');
    expect(garbage.message).not.toContain('not a key'); // a secret is never echoed
    expect(configError({ ...dkimEnv, DKIM_PRIVATE_KEY: rsa(512) }).message).toMatch(/^DKIM_PRIVATE_KEY: is a 512-bit RSA key/);
    const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    expect(configError({ ...dkimEnv, DKIM_PRIVATE_KEY: ed }).message).toMatch(/^DKIM_PRIVATE_KEY: must be an RSA key/);
    expect(configError({ ...dkimEnv, DKIM_PRIVATE_KEY_FILE: '/nonexistent/dkim.pem' }).message).toMatch(
      /^DKIM_PRIVATE_KEY_FILE: cannot read \/nonexistent\/dkim.pem: ENOENT/,
    );
    expect(configError({ ...dkimEnv }).variable).toBe('DKIM_PRIVATE_KEY');
    expect(configError({ DKIM_DOMAIN: 'papers.example.org', DKIM_PRIVATE_KEY: key2048 }).variable).toBe('DKIM_SELECTOR');
    expect(configError({ DKIM_SELECTOR: 'pb', DKIM_PRIVATE_KEY: key2048 }).variable).toBe('DKIM_DOMAIN');
    expect(configError({ ...dkimEnv, DKIM_DOMAIN: 'not a domain', DKIM_PRIVATE_KEY: key2048 }).variable).toBe('DKIM_DOMAIN');
  });
});

describe('bounce settings', () => {
  it('needs BOUNCE_DOMAIN for the receiver, and checks the topic ARN', () => {
    expect(configError({ BOUNCE_SMTP_PORT: '2525' }).variable).toBe('BOUNCE_SMTP_PORT');
    expect(load({ BOUNCE_SMTP_PORT: '2525', BOUNCE_DOMAIN: 'bounce.papers.example.org' }).BOUNCE_SMTP_PORT).toBe(2525);
    expect(configError({ SES_SNS_TOPIC_ARN: 'my-topic' }).variable).toBe('SES_SNS_TOPIC_ARN');
    expect(load({ SES_SNS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:ses-feedback' }).SES_SNS_TOPIC_ARN).toBe(
      'arn:aws:sns:eu-west-1:123456789012:ses-feedback',
    );
  });
});
