// The embedded PostgreSQL when things are killed: the postmaster under a running serve (serve
// starts it again and answers), serve itself (its server keeps running, used by nobody), then the
// postmaster with nothing running (the next command starts it again after crash recovery), and a
// command killed while it creates the cluster. Never a cluster the next start cannot use, no row lost.
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../../support/cli.ts';
import { FIRST, SECOND, alive, cleanedUp, health, postmaster, serverLog, until } from './support.ts';

const { dataDir, serve } = cleanedUp();

describe('the embedded database when processes are killed', () => {
  it('SIGKILL of the postmaster under serve, of serve, then of the postmaster with nothing running: the next command finds every row', async () => {
    const dir = await dataDir('migrated');
    const s = await serve(dir, { SNAPSHOT_SOURCE: FIRST });

    const killed = (await postmaster(dir))!;
    process.kill(killed, 'SIGKILL');
    await until(
      () => s.stderr().includes('"event":"embedded.reconnected"'),
      60_000,
      () => s.stderr().slice(-2000),
    );
    const restarted = await postmaster(dir);
    expect(restarted).not.toBe(killed);
    expect(alive(restarted)).toBe(true);
    expect(await serverLog(dir)).toMatch(/database system was interrupted|was not properly shut down/); // crash recovery ran
    await until(async () => (await health(s.url))?.status === 'ok', 30_000); // the pool's dead connections were replaced

    s.child.kill('SIGKILL');
    await s.done;
    expect(alive(restarted)).toBe(true); // left running, used by nobody
    process.kill(restarted!, 'SIGKILL');
    await until(() => !alive(restarted), 10_000);
    expect(await postmaster(dir)).toBe(restarted); // a stale postmaster.pid is left behind

    const ingest = await runCli(['ingest', SECOND], { DATA_DIR: dir }, { timeoutMs: 90_000 });
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(ingest.stdout).toMatch(/36 papers, 10 new/); // the first snapshot, ingested by serve, is there
    expect(await postmaster(dir)).toBeNull(); // and the last process to leave stopped the server
  }, 180_000);

  it('a command killed while it creates the cluster leaves nothing the next start trips on, nor a copy for good', async () => {
    const dir = await dataDir('new');
    const child = startCli(['ingest', FIRST], { DATA_DIR: dir });
    const creating = async () => (await readdir(dir)).filter((f) => f.startsWith('postgres.creating-'));
    await until(async () => (await creating()).length > 0, 60_000);
    // the whole interrupted start: the command and the initdb it runs (Ctrl-C, a container stopped)
    const pids = [child.pid!, ...descendants(child.pid!)];
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // a descendant that ended meanwhile
      }
    }
    await until(() => pids.every((pid) => !alive(pid)), 10_000);
    const [leftover] = await creating();
    expect(leftover).toMatch(new RegExp(`^postgres\\.creating-${child.pid}-`));
    // a creation under way in a live process (its pid in the name) is never touched
    const underWay = `postgres.creating-${process.pid}-0000beef`;
    await mkdir(path.join(dir, underWay));

    const again = await runCli(['ingest', FIRST], { DATA_DIR: dir, LOG_LEVEL: 'info' }, { timeoutMs: 90_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/31 papers/);
    expect(await postmaster(dir)).toBeNull();
    expect(await creating()).toEqual([underWay]);
    expect(again.stderr).toContain('"event":"embedded.leftover_removed"');
    await rmdir(path.join(dir, underWay));
  }, 180_000);
});

/** The pids of a process's children, grandchildren … (Linux /proc). */
function descendants(pid: number): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.flatMap((c) => [c, ...descendants(c)]);
}
