// The command line as an operator meets it on a first day: `--version`, `paperboy digests`, a
// failing `send` that ends with the next command, and the database errors that name DATABASE_URL.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSubscribers, FIRST_SEED, SECOND_SEED, startTestApp, type TestApp } from '../../support/app.ts';
import { ROOT, runCli } from '../../support/cli.ts';
import { freePort } from '../../support/ports.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';

describe('the command line on a first day', () => {
  let app: TestApp;
  let sink: SmtpSink;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    sink = await startSmtpSink({ behaviour: { rejectRecipients: { 'gone@example.org': { code: 550, message: '5.1.1 user unknown' } } } });
    app = await startTestApp('postgres', { SMTP_URL: sink.url });
    env = { ...app.env, SMTP_URL: sink.url };
    await addSubscribers(app, [
      ['alice@example.org', ['scaling laws']],
      ['gone@example.org', ['scaling laws']],
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await sink?.close();
  });

  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await runCli(['--version'], {});
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('a failing send ends with the next commands to run, naming the digest', async () => {
    expect((await runCli(['ingest', FIRST_SEED, SECOND_SEED], env)).code).toBe(0);
    const built = await runCli(['digest'], env);
    expect(built.code, built.stderr).toBe(0);
    const digestId = (await app.ctx.db.prisma.digest.findFirstOrThrow({ where: { status: 'ready' } })).id;

    const send = await runCli(['send'], env);
    expect(send.code).toBe(1);
    expect(send.stdout).toMatch(/^sent 1, failed 1/);
    // the digest says how often its reader is mailed
    expect(sink.messagesTo('alice@example.org')[0]!.parsed.text!.replace(/\s+/g, ' ')).toContain(
      'You get an email every day new papers match your topics: change it in your preferences.',
    );
    expect(send.stderr).toMatch(/^paperboy: 1 failed \(last reply: 550 5\.1\.1 user unknown\)$/m);
    const last = send.stderr.trim().split('\n').at(-1);
    expect(last).toBe(`next: fix what the reply says (relay, address), then \`paperboy resend ${digestId} --only-failed\`, then \`paperboy send\``);

    // each run is a job in "Recent jobs", as the schedule's are
    const jobs = await app.ctx.db.prisma.jobRun.findMany({ orderBy: { id: 'asc' } });
    expect(jobs.map((j) => [j.job, j.trigger, j.status])).toEqual([
      ['ingest', 'cli', 'ok'],
      ['digest', 'cli', 'ok'],
      ['send', 'cli', 'ok'],
    ]);
    expect(jobs[1]!.detail).toMatchObject({ digestId, deliveries: 2 });
    expect(jobs[2]!.detail).toMatchObject({ sent: 1, failed: 1 });
  }, 120_000); // three commands in child processes

  it('`paperboy digests` lists the digests with their listing date and deliveries by status', async () => {
    const result = await runCli(['digests'], env);
    expect(result.code, result.stderr).toBe(0);
    const digest = await app.ctx.db.prisma.digest.findFirstOrThrow({ where: { status: 'ready' }, include: { snapshot: true } });
    const listing = digest.snapshot.capturedAt.toISOString().slice(0, 10);
    expect(result.stdout).toMatch(
      new RegExp(
        `^digest ${digest.id}  listing ${listing}  built \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC  ready  \\d+ new papers?  2 deliveries: 1 sent, 1 failed$`,
        'm',
      ),
    );
    // the older seed's digest was skipped: summed up after the real one, never above it
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/^1 skipped digest \(.*\): \d+ \(listing \d{4}-\d\d-\d\d\)$/);
  });

  it('`paperboy resend --help` points to a command that exists', async () => {
    const help = await runCli(['resend', '--help'], {});
    expect(help.stdout).toContain('see `paperboy digests`');
    expect((await runCli(['digests', '--help'], {})).code).toBe(0);
  });

  it('a database that refuses connections: one line naming DATABASE_URL (redacted) and what to do, exit 1', async () => {
    const port = await freePort();
    const url = `postgres://paperboy:s3cret-pw@127.0.0.1:${port}/papers`;
    for (const command of [['digest'], ['serve'], ['migrate']]) {
      const result = await runCli(command, { DATABASE_URL: url, PORT: String(await freePort()) });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `paperboy: cannot reach the database at DATABASE_URL (postgres://***@127.0.0.1:${port}/papers): connection refused. Is PostgreSQL running there? Check the host and port in DATABASE_URL, then run the command again.\n`,
      );
    }
  }, 90_000);

  it('a database that does not exist: one line naming it, DATABASE_URL and the next step', async () => {
    const url = 'postgres://postgres@127.0.0.1:5432/paperboy_no_such_database?application_name=x';
    const result = await runCli(['digests'], { DATABASE_URL: url });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'paperboy: the database "paperboy_no_such_database" named by DATABASE_URL (postgres://***@127.0.0.1:5432/paperboy_no_such_database?***) does not exist: create it (createdb paperboy_no_such_database, or CREATE DATABASE) or fix DATABASE_URL, then run `paperboy migrate`.\n',
    );
  });

  it('a bad CRON_TZ stops any command with one line naming it once', async () => {
    const result = await runCli(['digests'], { ...env, CRON_TZ: 'Mars/Olympus' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('paperboy: CRON_TZ: must be an IANA time zone such as UTC or Europe/Paris (got "Mars/Olympus")\n');
  });
});
