import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock } from '../../../src/db/embedded/data-dir-lock.ts';

// process.argv of this test process contains "vitest": use it as the marker of a live owner.
const MARKER = 'vitest';

describe('the embedded data folder lock', () => {
  let dir: string;
  let lock: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-lock-'));
    lock = path.join(dir, 'pglite.lock');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is taken once; a second taker is told who holds it', async () => {
    const first = await acquireDataDirLock(lock, MARKER);
    expect(first.acquired).toBe(true);
    const second = await acquireDataDirLock(lock, MARKER);
    expect(second).toEqual({ acquired: false, owner: expect.objectContaining({ pid: process.pid }) });
    if (first.acquired) await first.release();
    expect(await readdir(dir)).toEqual([]);
    expect((await acquireDataDirLock(lock, MARKER)).acquired).toBe(true);
  });

  it("is taken over from a dead owner, and only once among many newcomers", async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
    await mkdir(lock);
    await writeFile(path.join(lock, 'owner.json'), JSON.stringify({ pid: dead, startedAt: new Date().toISOString() }));
    const results = await Promise.all(Array.from({ length: 8 }, () => acquireDataDirLock(lock, MARKER)));
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
    expect(await readdir(dir)).toEqual(['pglite.lock']);
  });

  it('a live pid that is not a host (reused pid) does not hold the lock', async () => {
    await mkdir(lock);
    await writeFile(path.join(lock, 'owner.json'), JSON.stringify({ pid: process.pid, startedAt: '' }));
    expect((await acquireDataDirLock(lock, 'no-such-marker')).acquired).toBe(true);
  });
});
