// Exactly once, with real processes: two `paperboy send` at once over 2,000 queued deliveries on
// PostgreSQL; and a `send` killed with SIGKILL halfway, then run again.
import { afterEach, describe, expect, it } from 'vitest';
import { digestDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { ingestSeeds, insertReaders, startTestApp, type TestApp } from '../../support/app.ts';
import { collect, runCli, startCli } from '../../support/cli.ts';
import { startSmtpSink, type SinkBehaviour, type SmtpSink } from '../../support/smtp-sink.ts';

let app: TestApp | undefined;
let sink: SmtpSink | undefined;
afterEach(async () => {
  await app?.close();
  await sink?.close();
  app = sink = undefined;
});

async function queue(count: number, behaviour: SinkBehaviour = {}) {
  sink = await startSmtpSink({ behaviour });
  app = await startTestApp('postgres', { SMTP_URL: sink.url, SEND_CONCURRENCY: '4' });
  await ingestSeeds(app);
  await insertReaders(app, count);
  const built = await buildDigest(digestDeps(app.ctx));
  expect(built.kind === 'built' && built.deliveries).toBe(count);
  return { app, sink };
}

function perAddress(s: SmtpSink): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of s.messages) for (const to of m.envelope.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

const statusCounts = async (a: TestApp) =>
  Object.fromEntries((await a.ctx.db.prisma.delivery.groupBy({ by: ['status'], _count: { _all: true } })).map((g) => [g.status, g._count._all]));

describe('exactly once', () => {
  it('two send processes at once over 2,000 deliveries: each address gets exactly one message', async () => {
    const { app, sink } = await queue(2000);
    const env = { ...app.env, LOG_LEVEL: 'warn' };
    const [a, b] = await Promise.all([runCli(['send'], env, { timeoutMs: 180_000 }), runCli(['send'], env, { timeoutMs: 180_000 })]);
    expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
    const sentBy = [a, b].map((r) => Number(/sent (\d+)/.exec(r.stdout)?.[1]));
    expect(sentBy[0]! + sentBy[1]!).toBe(2000);
    expect(Math.min(...sentBy)).toBeGreaterThan(0); // the work was shared
    const counts = perAddress(sink);
    expect(counts.size).toBe(2000);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(sink.stats.accepted).toBe(2000);
    expect(await statusCounts(app)).toEqual({ sent: 2000 });
  }, 240_000);

  it('a send killed with SIGKILL halfway: the rerun sends the rest, nothing twice, the in-flight ones reported stuck', async () => {
    // A slow relay keeps deliveries in flight when the kill comes.
    const { app, sink } = await queue(400, { dataDelayMs: 30 });
    const env = { ...app.env, LOG_LEVEL: 'warn' };
    const first = startCli(['send'], env);
    const done = collect(first, 120_000);
    await sink.waitFor(100, 60_000);
    first.kill('SIGKILL');
    await done;

    const atKill = await statusCounts(app);
    const inFlight = atKill.sending ?? 0;
    expect(inFlight).toBeGreaterThan(0);
    expect((atKill.sent ?? 0) + inFlight + (atKill.queued ?? 0)).toBe(400);

    sink.setBehaviour({});
    const second = await runCli(['send'], { ...app.env, LOG_LEVEL: 'error' }, { timeoutMs: 120_000 });
    // The stuck ones make `send` fail, with the count, and a delivery.stuck line each.
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`${inFlight} stuck in sending`));
    expect(second.stderr.match(/"event":"delivery\.stuck"/g)?.length).toBeGreaterThanOrEqual(inFlight);

    const after = await statusCounts(app);
    expect(after).toEqual({ sent: 400 - inFlight, sending: inFlight });
    // Nobody got two; everyone recorded as sent got theirs.
    const counts = perAddress(sink);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const sent = await app.ctx.db.prisma.delivery.findMany({ where: { status: 'sent' }, include: { subscriber: true } });
    for (const d of sent) expect(counts.get(d.subscriber.email)).toBe(1);
  }, 240_000);
});
