// Ctrl-C to `paperboy digest` in the middle of a build: it stops between chunks, as serve does on
// SIGTERM (build-stopped.test.ts). The third chunk is held back by a row lock on a reader, so the
// signal lands while a chunk is in flight whatever the machine's speed; once the lock goes, that
// chunk is committed, the command says where it stopped and exits 130, and the digest stays building
// (nothing of it can be sent). `paperboy digest` again goes on after it: every reader gets one.
import { describe, expect, it, vi } from 'vitest';
import { collect, runCli, startCli } from '../../support/cli.ts';
import { SECOND_SEED } from '../../support/app.ts';
import { useHeldBuilds } from '../../support/held-build.ts';

const READERS = 40;
const CHUNK = 10;

const startHeld = useHeldBuilds();

describe('paperboy digest stopped by Ctrl-C', () => {
  it('commits the chunk in flight, stops between chunks, exits 130 naming the way on; the next run goes on', async () => {
    const held = await startHeld(READERS, CHUNK);
    const { app, env, digestNow, untilHeld } = held;
    const { prisma } = app.ctx.db;
    expect((await runCli(['ingest', SECOND_SEED], env)).code).toBe(0);

    const child = startCli(['digest'], { ...env, LOG_LEVEL: 'info' });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const result = collect(child, 120_000);
    await untilHeld(60_000);

    child.kill('SIGINT');
    await vi.waitFor(() => expect(stderr).toContain('"event":"digest.stopping"'), { timeout: 30_000, interval: 50 });
    await held.release();
    const stopped = await result;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toContain(`the digest build stopped after ${3 * CHUNK} readers`);
    expect(stopped.stderr).toContain('next: `paperboy digest` goes on from there');

    const digest = (await digestNow())!;
    expect(digest).toMatchObject({ status: 'building', buildReaders: 3 * CHUNK, deliveryCount: 3 * CHUNK });
    expect(await prisma.delivery.count()).toBe(3 * CHUNK);
    const job = await prisma.jobRun.findFirst({ where: { job: 'digest', trigger: 'cli' }, orderBy: { id: 'desc' } });
    expect(job?.detail).toMatchObject({ result: 'stopped', digestId: digest.id, readers: 3 * CHUNK });

    const again = await runCli(['digest'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`went on with a build left unfinished (${3 * CHUNK} readers planned before)`);
    expect(await prisma.digest.findUniqueOrThrow({ where: { id: digest.id } })).toMatchObject({ status: 'ready', deliveryCount: READERS });
    const perReader = await prisma.delivery.groupBy({ by: ['subscriberId'], _count: { _all: true } });
    expect(perReader).toHaveLength(READERS);
    expect(perReader.every((r) => r._count._all === 1)).toBe(true);
  }, 300_000);
});
