// Exactly once, with real processes: two `paperboy send` at once over 2,000 queued deliveries on
// PostgreSQL; and a `send` killed with SIGKILL halfway, run again, and its unknowns settled.
import { describe, expect } from 'vitest';
import { digestDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { ingestSeeds, insertReaders, type TestApp } from '../../support/app.ts';
import { collect, runCli, startCli } from '../../support/cli.ts';
import { deliveryTest as it, type Delivery } from '../../support/delivery-test.ts';
import type { SinkBehaviour, SmtpSink } from '../../support/smtp-sink.ts';

async function queue(delivery: Delivery, count: number, behaviour: SinkBehaviour = {}) {
  const { app, sink } = await delivery.withSink({ behaviour }, { SEND_CONCURRENCY: '4' });
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
  it('two send processes at once over 2,000 deliveries: each address gets exactly one message', async ({ delivery }) => {
    const { app, sink } = await queue(delivery, 2000);
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

  it('a send killed with SIGKILL halfway: its claims are sent by the rerun, its handed ones are unknown, the operator settles them, nobody gets two', async ({
    delivery,
  }) => {
    // A slow relay keeps deliveries in flight when the kill comes.
    const { app, sink } = await queue(delivery, 400, { dataDelayMs: 30 });
    const env = { ...app.env, LOG_LEVEL: 'warn' };
    const first = startCli(['send'], env);
    const done = collect(first, 120_000);
    await sink.waitFor(100, 60_000);
    first.kill('SIGKILL');
    await done;

    const atKill = await statusCounts(app);
    const handed = atKill.handed ?? 0;
    const claimed = atKill.claimed ?? 0;
    // Handed: at most SEND_CONCURRENCY messages on their way, plus those the relay had accepted whose
    // `sent` was still in the record writer's batch. The rest of the claimed batch never went out.
    const acceptedNotRecorded = sink.messages.length - (atKill.sent ?? 0);
    expect(handed).toBeGreaterThan(0);
    expect(handed).toBeLessThanOrEqual(4 + acceptedNotRecorded);
    expect(claimed).toBeGreaterThan(0);
    expect((atKill.sent ?? 0) + handed + claimed + (atKill.queued ?? 0)).toBe(400);

    sink.setBehaviour({});
    const second = await runCli(['send'], { ...app.env, LOG_LEVEL: 'warn' }, { timeoutMs: 120_000 });
    // The claims were released and sent; the handed ones are unknown: `send` fails, saying so.
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`${handed} with an unknown outcome`));
    expect(second.stderr).toMatch(/"event":"delivery\.released"/);
    expect(second.stderr.match(/"event":"delivery\.unknown"/g)).toHaveLength(handed);
    expect(await statusCounts(app)).toEqual({ sent: 400 - handed, unknown: handed });

    // Nobody got two; everyone recorded as sent got theirs.
    let counts = perAddress(sink);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const sent = await app.ctx.db.prisma.delivery.findMany({ where: { status: 'sent' }, include: { subscriber: true } });
    for (const d of sent) expect(counts.get(d.subscriber.email)).toBe(1);

    // The operator checks the relay for each unknown Message-ID and settles it.
    const unknown = await app.ctx.db.prisma.delivery.findMany({ where: { status: 'unknown' }, include: { subscriber: true } });
    const received = new Set(sink.messages.map((m) => m.messageId));
    const had = unknown.filter((d) => received.has(d.messageId!)).map((d) => String(d.id));
    const lost = unknown.filter((d) => !received.has(d.messageId!)).map((d) => String(d.id));
    if (had.length) expect((await runCli(['resolve', ...had, '--sent'], env)).code).toBe(0);
    if (lost.length) expect((await runCli(['resolve', ...lost, '--resend'], env)).code).toBe(0);
    const third = await runCli(['send'], env, { timeoutMs: 60_000 });
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toMatch(new RegExp(`^sent ${lost.length},`));
    expect(await statusCounts(app)).toEqual({ sent: 400 });
    counts = perAddress(sink);
    expect(counts.size).toBe(400);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // every paper of every delivery is now a mailed paper
    const mailed = await app.ctx.db.prisma.mailedPaper.count();
    const papers = (await app.ctx.db.prisma.delivery.findMany({ select: { papers: true } })).reduce((n, d) => n + (d.papers as unknown[]).length, 0);
    expect(mailed).toBe(papers);
  }, 240_000);
});
