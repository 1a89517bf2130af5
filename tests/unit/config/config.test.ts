import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.ts';
import { parseDuration } from '../../../src/config/parsers.ts';

const load = (env: Record<string, string | undefined>) => loadConfig({ env, cwd: '/srv/paperboy' });

describe('configuration', () => {
  it('runs on its embedded defaults with nothing set', () => {
    const config = load({});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.DATA_DIR).toBe('/srv/paperboy/data');
    expect(config.PORT).toBe(3000);
    expect(config.BASE_URL).toBe('http://localhost:3000');
    expect(config.SMTP_URL).toBeUndefined();
    expect(config.SNAPSHOT_SOURCE).toBe('https://huggingface.co/api/daily_papers'); // the live listing
    expect(config.bundledSeeds).toBe(true); // and, on a new database, the seeds as history
    expect(config.SEND_MAX_ERRORS).toBe(50);
    expect(config.SOURCE_STALE_AFTER).toBe(4 * 24 * 3600_000); // a long weekend of empty listings is not stale
    expect(config.SOURCE_MAX_ENTRIES).toBe(50_000);
    expect(config.CRON_TZ).toBe('UTC');
    expect(config.ADMIN_TOKEN).toBeUndefined();
  });

  it('reads and converts what is set', () => {
    const config = load({
      DATABASE_URL: 'postgres://u:p@db:5432/paperboy',
      PORT: '8080',
      BASE_URL: 'https://papers.example.org/',
      SEND_CONCURRENCY: '8',
      SHUTDOWN_TIMEOUT: '1500ms',
      SMTP_TIMEOUT: '1s',
      SNAPSHOT_SOURCE: 'https://huggingface.co/api/daily_papers',
      TZ: 'Europe/Paris',
      ADMIN_TOKEN: 'x'.repeat(32),
    });
    expect(config.PORT).toBe(8080);
    expect(config.BASE_URL).toBe('https://papers.example.org');
    expect(config.SEND_CONCURRENCY).toBe(8);
    expect(config.SHUTDOWN_TIMEOUT).toBe(1500);
    expect(config.SNAPSHOT_SOURCE).toBe('https://huggingface.co/api/daily_papers');
    expect(config.bundledSeeds).toBe(false); // set by the operator, even to the default: as today
    expect(load({ SNAPSHOT_SOURCE: './seeds' })).toMatchObject({ SNAPSHOT_SOURCE: '/srv/paperboy/seeds', bundledSeeds: false });
    expect(config.CRON_TZ).toBe('Europe/Paris');
  });

  it('treats a blank value as unset', () => {
    expect(load({ SMTP_URL: '  ', PORT: '' }).SMTP_URL).toBeUndefined();
    expect(load({ PORT: '' }).PORT).toBe(3000);
  });

  it.each([
    ['PORT', 'eighty', /^PORT: must be a whole number/],
    ['PORT', '70000', /^PORT: must be at most 65535/],
    ['DATABASE_URL', 'mysql://x', /^DATABASE_URL: must start with postgres/],
    ['SMTP_URL', 'relay:25', /^SMTP_URL: must start with smtp/],
    ['SEND_RATE_LIMIT', '-1', /^SEND_RATE_LIMIT: must be at least 0/],
    ['SHUTDOWN_TIMEOUT', 'soon', /^SHUTDOWN_TIMEOUT: must be a duration/],
    ['DIGEST_CRON', 'every day', /^DIGEST_CRON: must be a cron line/],
    ['BASE_URL', 'ftp://x', /^BASE_URL: must be an http\(s\) URL/],
    ['MAIL_FROM', 'paperboy <p@x>\r\nBcc: a@b.c', /^MAIL_FROM: must be an address/],
    ['ADMIN_TOKEN', 'short', /^ADMIN_TOKEN: must be at least 16 characters/],
    ['METRICS_TOKEN', 'short', /^METRICS_TOKEN: must be at least 16 characters/],
    ['CRON_TZ', 'Mars/Olympus', /^CRON_TZ: must be an IANA time zone such as UTC or Europe\/Paris \(got "Mars\/Olympus"\)/],
    ['TZ', 'Mars/Olympus', /^TZ: must be an IANA time zone/],
    ['LOG_LEVEL', 'loud', /^LOG_LEVEL: /],
    ['SMTP_TIMEOUT', '30s', /^SMTP_TIMEOUT: must be shorter than SHUTDOWN_TIMEOUT \(30000 ms ≥ 25000 ms\)/],
    ['SMTP_REPLY_TIMEOUT', '5s', /^SMTP_REPLY_TIMEOUT: must be at least SMTP_TIMEOUT/],
  ])('a bad %s stops start-up with one line naming it', (name, value, message) => {
    let error: unknown;
    try {
      load({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/\n/);
    expect((error as Error).message.match(new RegExp(`\\b${name}\\b`, 'g'))).toHaveLength(1); // named once
  });

  it.each([
    ['ADMIN_TOKEN', 'hunter2-secret', 'ADMIN_TOKEN: must be at least 16 characters (got 14 characters)', 'hunter2'],
    ['SECRET_KEY', 'sekrit-value', 'SECRET_KEY: must be at least 16 characters (got 12 characters)', 'sekrit'],
    [
      'DATABASE_URL',
      'mysql://root:pa55word@db/x?sslkey=k3y',
      'DATABASE_URL: must start with postgres:// or postgresql:// (got "mysql://***@db/x?***")',
      'pa55word',
    ],
    ['SMTP_URL', 'ftp://mailer:s3cret@relay:25', 'SMTP_URL', 's3cret'],
  ])('a bad %s never quotes a secret in its error', (name, value, message, secret) => {
    const error = (() => {
      try {
        load({ [name]: value });
      } catch (err) {
        return err as Error;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.message).not.toContain(secret);
  });

  it('parses durations', () => {
    expect(parseDuration('48h')).toBe(172_800_000);
    expect(parseDuration('30')).toBe(30_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('h')).toBeNull();
    expect(parseDuration('5 weeks')).toBeNull();
  });
});
