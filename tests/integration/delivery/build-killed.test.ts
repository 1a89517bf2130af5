// A digest is built in committed chunks under status `building` and sent only once it is ready. Here
// a real `paperboy serve` building it is SIGKILLed half-way (its third chunk held back by a row lock
// this test takes on a reader, so the kill lands mid-build whatever the machine's speed): nothing of
// the digest is claimable or sent while it is building, and another `serve` — one whose schedule
// would not build it until next year — takes up the build left behind (its lock is free), goes on
// after the last committed chunk and sends it: every reader gets exactly one delivery and one message.
import { describe, expect, it, vi } from 'vitest';
import { claimDeliveries } from '../../../src/db/deliveries.ts';
import { useHeldBuilds } from '../../support/held-build.ts';

const READERS = 40;
const CHUNK = 10;

const startHeld = useHeldBuilds();

describe('a digest build killed half-way', () => {
  it('sends nothing while building; another process finishes it; every reader gets exactly one', async () => {
    const held = await startHeld(READERS, CHUNK);
    const { app, sink, env, serve, sentToEveryReaderOnce, waitingOnLock, digestNow, untilHeld } = held;
    const { prisma, sql } = app.ctx.db;

    const builder = await serve({ ...env, DIGEST_CRON: '* * * * * *' });
    // the other one sends throughout, and would build only on New Year's Day
    const other = await serve({ ...env, DIGEST_CRON: '0 0 1 1 *' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => builder.child.once('exit', (_code, signal) => resolve(signal)));

    await untilHeld(120_000);
    builder.child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(builder.events('digest.building')).toHaveLength(1);

    // The other process sees a build nobody holds and takes it up (its schedule never would): its
    // third chunk waits on the same reader.
    await vi.waitFor(
      async () => {
        expect(await prisma.jobRun.count({ where: { job: 'digest', trigger: 'resume' } })).toBeGreaterThan(0);
        expect(await waitingOnLock()).toBeGreaterThan(0);
      },
      { timeout: 60_000, interval: 100 },
    );

    // Building: two chunks committed, nothing of them claimable, nothing sent.
    const digest = (await digestNow())!;
    expect(digest.status).toBe('building');
    const queued = await prisma.delivery.groupBy({ by: ['status'], _count: { _all: true } });
    expect(queued).toEqual([{ status: 'queued', _count: { _all: 2 * CHUNK } }]);
    expect(await claimDeliveries(sql, 'probe', 100, 'example.org')).toEqual([]);
    expect(sink.messages).toHaveLength(0);
    // /healthz: the build in progress, with its progress, and nothing wrong with the digest
    const health = await other.waitForHealth(() => true);
    expect(health.reasons.filter((r) => r.includes('digest'))).toEqual([]);
    expect(health.lastDigest).toMatchObject({ id: digest.id, status: 'building', buildReaders: 2 * CHUNK, buildReadersTotal: READERS });

    // Let the chunk go: the other process finishes the build and sends the digest.
    await held.release();
    await sentToEveryReaderOnce();
    const done = await prisma.digest.findUniqueOrThrow({ where: { id: digest.id } });
    expect(done).toMatchObject({ status: 'ready', deliveryCount: READERS, buildReaders: READERS });

    expect(other.events('digest.build_resumed')[0]).toMatchObject({ digestId: digest.id, readers: 2 * CHUNK, of: READERS });
    expect(await other.stop()).toBe(0);
  }, 300_000);
});
