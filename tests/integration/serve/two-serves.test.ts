// Real `paperboy serve` processes on one PostgreSQL database with a short cron: each scheduled tick
// runs once across both; 2,000 subscribers' deliveries are split between them and each address
// receives exactly one digest. SIGTERM in the middle of a send: a clean exit, nothing left claimed or
// handed, the rest sent by the next start. SIGTERM while the relay withholds its replies: the sends
// are cut before SHUTDOWN_TIMEOUT and recorded unknown.
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ingestSeeds, insertReaders, startTestApp, type TestApp } from '../../support/app.ts';
import { collect, startCli, type CliResult } from '../../support/cli.ts';
import { startSmtpSink, type SinkBehaviour, type SmtpSink } from '../../support/smtp-sink.ts';

let app: TestApp | undefined;
let sink: SmtpSink | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await app?.close();
  await sink?.close();
  app = sink = undefined;
});

async function setup(subscribers: number, behaviour: SinkBehaviour = {}) {
  sink = await startSmtpSink({ behaviour });
  app = await startTestApp('postgres', { SMTP_URL: sink.url });
  await ingestSeeds(app);
  await insertReaders(app, subscribers);
  return { app, sink };
}

function serve(env: Record<string, string | undefined>): { child: ChildProcess; done: Promise<CliResult> } {
  const child = startCli(['serve'], { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
  children.push(child);
  return { child, done: collect(child, 240_000) };
}

const events = (stderr: string, name: string) =>
  stderr
    .split('\n')
    .filter((l) => l.includes(`"event":"${name}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('several serve processes', () => {
  it('share the schedule (one run per tick) and the sending (each address exactly once)', async () => {
    const { app, sink } = await setup(2000);
    const env = { ...app.env, DIGEST_CRON: '*/2 * * * * *', INGEST_CRON: '*/3 * * * * *', SEND_CONCURRENCY: '4' };
    const a = serve(env);
    const b = serve(env);
    await sink.waitFor(2000, 180_000);
    // A few more ticks with nothing left to do: wait until each job has run on at least three ticks
    // (a fast send can be over before the third ingest tick comes).
    const scheduledRuns = async (job: string) => app.ctx.db.prisma.jobRun.count({ where: { job, trigger: 'schedule', finishedAt: { not: null } } });
    await vi.waitFor(
      async () => {
        expect(await scheduledRuns('digest')).toBeGreaterThanOrEqual(3);
        expect(await scheduledRuns('ingest')).toBeGreaterThanOrEqual(3);
      },
      { timeout: 60_000, interval: 200 },
    );
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect([ra.code, rb.code], `${ra.stderr.slice(-2000)}\n${rb.stderr.slice(-2000)}`).toEqual([0, 0]);

    // Each address got exactly one digest.
    const perAddress = new Map<string, number>();
    for (const m of sink.messages) for (const to of m.envelope.to) perAddress.set(to, (perAddress.get(to) ?? 0) + 1);
    expect(perAddress.size).toBe(2000);
    expect([...perAddress.values()].every((n) => n === 1)).toBe(true);
    expect(await app.ctx.db.prisma.digest.count({ where: { status: 'ready' } })).toBe(1);

    // Both processes sent.
    const byWorker = await app.ctx.db.prisma.delivery.groupBy({ by: ['workerId'], _count: { _all: true } });
    expect(byWorker).toHaveLength(2);
    for (const w of byWorker) expect(w._count._all).toBeGreaterThan(0);

    // One run per job and tick, across both processes: never two for the same tick, never overlapping.
    for (const job of ['digest', 'ingest']) {
      const runs = await app.ctx.db.prisma.jobRun.findMany({ where: { job, trigger: 'schedule' }, orderBy: { startedAt: 'asc' } });
      expect(runs.length, job).toBeGreaterThanOrEqual(3);
      expect(new Set(runs.map((r) => r.tick!.getTime())).size).toBe(runs.length);
      for (let i = 1; i < runs.length; i++) expect(runs[i]!.startedAt.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.finishedAt!.getTime());
    }
    // The other process saw each tick and stood aside.
    const skipped = [...events(ra.stderr, 'job.skipped'), ...events(rb.stderr, 'job.skipped')];
    expect(skipped.length).toBeGreaterThan(0);
    // A clean stop leaves nothing in sending.
    expect(await app.ctx.db.prisma.delivery.count({ where: { status: { not: 'sent' } } })).toBe(0);
  }, 300_000);

  it('SIGTERM during a send: clean exit, nothing left claimed or handed; the next start sends the rest', async () => {
    const { app, sink } = await setup(300, { dataDelayMs: 100 });
    const env = { ...app.env, DIGEST_CRON: '*/2 * * * * *', INGEST_CRON: '0 0 1 1 *', SEND_CONCURRENCY: '4', SHUTDOWN_TIMEOUT: '20s' };
    const first = serve(env);
    await sink.waitFor(40, 60_000);
    const stoppedAt = Date.now();
    first.child.kill('SIGTERM');
    const result = await first.done;
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(20_000);
    expect(events(result.stderr, 'service.stopped')[0]).toMatchObject({ clean: true });

    const after = await app.ctx.db.prisma.delivery.groupBy({ by: ['status'], _count: { _all: true } });
    const count = (s: string) => after.find((g) => g.status === s)?._count._all ?? 0;
    expect(count('claimed') + count('handed')).toBe(0);
    expect(count('queued')).toBeGreaterThan(0);
    expect(count('sent')).toBe(sink.messages.length);

    sink.setBehaviour({});
    const second = serve(env);
    await sink.waitFor(300, 120_000);
    second.child.kill('SIGTERM');
    expect((await second.done).code).toBe(0);
    const perAddress = new Map<string, number>();
    for (const m of sink.messages) for (const to of m.envelope.to) perAddress.set(to, (perAddress.get(to) ?? 0) + 1);
    expect(perAddress.size).toBe(300);
    expect([...perAddress.values()].every((n) => n === 1)).toBe(true);
    expect(await app.ctx.db.prisma.delivery.count({ where: { status: 'sent' } })).toBe(300);
  }, 300_000);

  it('SIGTERM while the relay withholds its final replies: cut before SHUTDOWN_TIMEOUT, recorded unknown, exit 1', async () => {
    const { app, sink } = await setup(50, { stall: 'data' });
    const env = { ...app.env, DIGEST_CRON: '*/2 * * * * *', INGEST_CRON: '0 0 1 1 *', SEND_CONCURRENCY: '3', SMTP_TIMEOUT: '2s', SHUTDOWN_TIMEOUT: '4s' };
    const first = serve(env);
    // three messages are waiting for their final reply (SMTP_REPLY_TIMEOUT is 10 minutes)
    await vi.waitFor(async () => expect(await app.ctx.db.prisma.delivery.count({ where: { status: 'handed' } })).toBe(3), { timeout: 20_000, interval: 100 });
    const stoppedAt = Date.now();
    first.child.kill('SIGTERM');
    const result = await first.done;
    expect(Date.now() - stoppedAt).toBeLessThan(4_000 + 2_000);
    expect(result.code, result.stderr.slice(-2000)).toBe(1);
    expect(events(result.stderr, 'service.stopped')[0]).toMatchObject({ clean: false, unknownAtStop: 3, unrecorded: 0 });
    const unknown = events(result.stderr, 'delivery.unknown');
    expect(unknown.map((e) => e.code)).toEqual(['STOPPED', 'STOPPED', 'STOPPED']);
    const statuses = await app.ctx.db.prisma.delivery.groupBy({ by: ['status'], _count: { _all: true } });
    expect(Object.fromEntries(statuses.map((g) => [g.status, g._count._all]))).toEqual({ unknown: 3, queued: 47 });
    expect(sink.messages).toHaveLength(0);
  }, 120_000);
});
