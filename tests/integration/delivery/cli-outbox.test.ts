// The CLI on its embedded defaults: no SMTP_URL, so mail lands as .eml files under DATA_DIR/outbox;
// `run-once`, `preview <email>`, `digest --dry-run`, `resend`, exit statuses.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSubscribers, startTestApp, type TestApp } from '../../support/app.ts';
import { runCli } from '../../support/cli.ts';

describe('CLI with the outbox (embedded database)', () => {
  let app: TestApp;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    app = await startTestApp('embedded');
    env = { DATA_DIR: app.dataDir, SNAPSHOT_SOURCE: path.resolve(import.meta.dirname, '../../../seeds') };
    await addSubscribers(app, [
      ['alice@example.org', ['scaling laws']],
      ['bob@example.org', ['"recurrent neural"']],
    ]);
  });
  afterAll(() => app?.close());

  it('preview <email> before any digest writes the next digest to .html and .txt and prints the paths', async () => {
    const ingest = await runCli(['ingest', env.SNAPSHOT_SOURCE!], env);
    expect(ingest.code).toBe(0);
    const result = await runCli(['preview', 'alice@example.org', '--out', path.join(app.dataDir, 'p')], env);
    expect(result.code).toBe(0);
    const [html, text] = result.stdout.trim().split('\n').slice(-2);
    expect(html).toMatch(/\.html$/);
    expect(text).toMatch(/\.txt$/);
    expect(await readFile(html!, 'utf8')).toContain('Broken Neural');
    expect(await readFile(text!, 'utf8')).toMatch(/unsubscribe\?token=/);
    expect(result.stdout).toMatch(/4 papers/);
  });

  it('digest --dry-run prints each subscriber and writes nothing', async () => {
    const result = await runCli(['digest', '--dry-run'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/alice@example\.org: 4 papers/);
    expect(result.stdout).toMatch(/bob@example\.org: 1 paper\b/);
    expect(result.stdout).toMatch(/dry run, nothing written/);
    expect(await app.ctx.db.prisma.digest.count()).toBe(0);
  });

  it('run-once ingests, digests and sends into the outbox; the .eml files are valid messages', async () => {
    const result = await runCli(['run-once'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/sent 2, failed 0/);
    const outbox = path.join(app.dataDir, 'outbox');
    const files = (await readdir(outbox)).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(2);
    const messages = await Promise.all(files.map(async (f) => simpleParser(await readFile(path.join(outbox, f)))));
    const to = messages.map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.text).sort();
    expect(to).toEqual(['alice@example.org', 'bob@example.org']);
    for (const m of messages) {
      expect(m.messageId).toMatch(/^<delivery-\d+\.1@localhost>$/);
      expect(m.html).toBeTruthy();
      expect(m.text).toBeTruthy();
      // (mailparser folds every List-* header into one 'list' object: read the raw lines)
      expect(m.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    }
    expect((await readdir(outbox)).filter((f) => !f.endsWith('.eml'))).toEqual([]); // no temporary files left
  });

  it('run-once again sends nothing; resend mails one address once more', async () => {
    const again = await runCli(['run-once'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/sent 0/);
    const digest = await app.ctx.db.prisma.digest.findFirst({ where: { status: 'ready' } });
    const asked = await runCli(['resend', String(digest!.id), '--email', 'bob@example.org'], env);
    expect(asked.code).toBe(1);
    expect(asked.stderr).toMatch(/^paperboy: delivery \d+ was sent at \S+: resending mails the reader a second copy; add --yes to resend it$/m);
    const resend = await runCli(['resend', String(digest!.id), '--email', 'bob@example.org', '--yes'], env);
    expect(resend.code).toBe(0);
    expect(resend.stdout).toMatch(/re-queued as attempt 2/);
    const send = await runCli(['send'], env);
    expect(send.stdout).toMatch(/sent 1,/);
    const files = await readdir(path.join(app.dataDir, 'outbox'));
    expect(files.filter((f) => f.includes(`.2.eml`) || /\.2(-\d+)?\.eml$/.test(f))).toHaveLength(1);
  });

  it('the same resend again, moments later, resends nothing more', async () => {
    const digest = await app.ctx.db.prisma.digest.findFirst({ where: { status: 'ready' } });
    const twice = await runCli(['resend', String(digest!.id), '--email', 'bob@example.org', '--yes'], env);
    expect(twice.code).toBe(0);
    expect(twice.stdout).toMatch(/^delivery \d+ was re-queued moments ago \(attempt 2\): not again/m);
    expect((await runCli(['send'], env)).stdout).toMatch(/sent 0,/);
  });

  it('bad invocations exit non-zero with one line', async () => {
    const both = await runCli(['resend', '1'], env);
    expect(both.code).toBe(2);
    expect(both.stderr.trim().split('\n')).toHaveLength(1);
    const nobody = await runCli(['preview', 'nobody@example.org'], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/^paperboy: no subscriber nobody@example\.org$/m);
    const config = await runCli(['digest'], { ...env, SEND_CONCURRENCY: 'lots' });
    expect(config.code).not.toBe(0);
    expect(config.stderr).toMatch(/^paperboy: SEND_CONCURRENCY: must be a whole number/m);
  });

  it('an id no row can have (PostgreSQL integers end at 2^31 - 1), or not a number: one line naming it, no database error', async () => {
    for (const args of [
      ['resend', '99999999999', '--only-failed'],
      ['resend', '12abc', '--only-failed'],
      ['resume', '2147483648'],
      ['resolve', '--digest', '99999999999', '--sent'],
    ]) {
      const bad = await runCli(args, env);
      expect(bad.code, args.join(' ')).not.toBe(0);
      expect(bad.stderr.split('\n')[0]).toMatch(
        new RegExp(`'${args.find((a) => /\d/.test(a))}' is invalid\\b.*\\. an id is a whole number from 1 to 2147483647$`),
      );
      expect(bad.stderr).not.toMatch(/out of range|integer|at .*\.ts/);
    }
    const delivery = await runCli(['resolve', '99999999999', '--sent'], env);
    expect([delivery.code, delivery.stderr.trim()]).toEqual([2, 'paperboy: not a delivery id: "99999999999"']);
  }, 60_000);
});
