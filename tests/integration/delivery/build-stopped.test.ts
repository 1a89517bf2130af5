// SIGTERM to a real `paperboy serve` in the middle of a digest build: the build stops between chunks.
// Its third chunk is held back by a row lock this test takes on a reader, so the signal lands while a
// chunk is in flight whatever the machine's speed; once the lock goes, that chunk is committed, the
// build stops before the next one, releases the build lock, says so, and the process exits cleanly.
// Nothing of the digest is sent while it is building; `serve` started again (a schedule that would
// not build until next year) goes on after the last committed chunk: every reader gets exactly one.
import { describe, expect, it, vi } from 'vitest';
import { staleBuild } from '../../../src/db/digests.ts';
import { useHeldBuilds } from '../../support/held-build.ts';

const READERS = 40;
const CHUNK = 10;

const startHeld = useHeldBuilds();

describe('a digest build when serve is stopped', () => {
  it('commits the chunk in flight, stops between chunks, exits cleanly; the next start goes on with it', async () => {
    const held = await startHeld(READERS, CHUNK);
    const { app, sink, env, serve, sentToEveryReaderOnce, digestNow, untilHeld } = held;
    const { prisma, sql } = app.ctx.db;

    const builder = await serve({ ...env, DIGEST_CRON: '* * * * * *' });
    const exited = new Promise<number | null>((resolve) => builder.child.once('close', (code) => resolve(code)));

    await untilHeld(120_000);

    // SIGTERM while the third chunk waits; once the process is stopping, the chunk may go.
    builder.child.kill('SIGTERM');
    await vi.waitFor(() => expect(builder.events('service.stopping')).toHaveLength(1), { timeout: 30_000, interval: 50 });
    await held.release();
    expect(await exited).toBe(0);

    // The chunk in flight committed, no further one: building, 30 of 40 readers, nothing sent.
    const digest = (await digestNow())!;
    expect(digest).toMatchObject({ status: 'building', buildReaders: 3 * CHUNK, deliveryCount: 3 * CHUNK });
    expect(await prisma.delivery.count()).toBe(3 * CHUNK);
    expect(sink.messages).toHaveLength(0);
    expect(builder.events('digest.build_stopped')).toEqual([expect.objectContaining({ digestId: digest.id, readers: 3 * CHUNK, of: READERS })]);
    expect(builder.events('job.finished').filter((e) => e.job === 'digest')).toEqual([expect.objectContaining({ result: 'stopped', readers: 3 * CHUNK })]);
    expect(builder.events('service.stopped')).toEqual([expect.objectContaining({ clean: true, jobsEnded: true })]);
    // the build lock went with it: the digest is a build nobody holds
    expect(await staleBuild(sql)).toEqual({ id: digest.id });

    // Started again (its schedule would build only on New Year's Day): it goes on after reader 30 and sends.
    const again = await serve({ ...env, DIGEST_CRON: '0 0 1 1 *' });
    await sentToEveryReaderOnce();
    expect(again.events('digest.build_resumed')[0]).toMatchObject({ digestId: digest.id, readers: 3 * CHUNK, of: READERS });
    expect(await prisma.digest.findUniqueOrThrow({ where: { id: digest.id } })).toMatchObject({
      status: 'ready',
      deliveryCount: READERS,
      buildReaders: READERS,
    });
    expect(await again.stop()).toBe(0);
  }, 300_000);
});
