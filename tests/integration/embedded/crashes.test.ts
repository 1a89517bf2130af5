// The embedded PostgreSQL when things are killed: `serve` with SIGKILL (its server keeps running,
// the next start reuses it), the postmaster with SIGKILL (under a running serve, which starts it
// again; with nothing running, the next command starts it after crash recovery), a command killed
// while it creates the cluster. Never a cluster the next start cannot use, never a row lost.
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../../support/cli.ts';
import { FIRST, SECOND, alive, cleanedUp, health, postmaster, serverLog, until } from './support.ts';

const { dataDir, serve } = cleanedUp();

describe('the embedded database when processes are killed', () => {
  it('SIGKILL of the postmaster under serve: serve starts it again and answers; SIGKILL of serve: the next command reuses the server', async () => {
    const dir = await dataDir('migrated');
    const s = await serve(dir, { SNAPSHOT_SOURCE: FIRST });

    const killed = (await postmaster(dir))!;
    process.kill(killed, 'SIGKILL');
    await until(() => s.stderr().includes('"event":"embedded.reconnected"'), 60_000, () => s.stderr().slice(-2000));
    const restarted = await postmaster(dir);
    expect(restarted).not.toBe(killed);
    expect(alive(restarted)).toBe(true);
    expect(await serverLog(dir)).toMatch(/database system was interrupted|was not properly shut down/); // crash recovery ran
    await until(async () => (await health(s.url))?.status === 'ok', 30_000); // the pool's dead connections were replaced

    s.child.kill('SIGKILL');
    await s.done;
    expect(alive(restarted)).toBe(true); // left running, used by nobody
    const ingest = await runCli(['ingest', SECOND], { DATA_DIR: dir });
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(ingest.stdout).toMatch(/36 papers, 10 new/); // the first snapshot, ingested by serve, is there
    expect(alive(restarted)).toBe(false); // the last process to leave stopped it
  }, 180_000);

  it('SIGKILL of the postmaster with nothing running: the next command starts it again after crash recovery', async () => {
    const dir = await dataDir('migrated');
    const s = await serve(dir, { SNAPSHOT_SOURCE: FIRST });
    s.child.kill('SIGKILL');
    await s.done;
    const pid = (await postmaster(dir))!;
    process.kill(pid, 'SIGKILL');
    await until(() => !alive(pid), 10_000);
    expect(await postmaster(dir)).toBe(pid); // a stale postmaster.pid is left behind

    const ingest = await runCli(['ingest', SECOND], { DATA_DIR: dir }, { timeoutMs: 90_000 });
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(ingest.stdout).toMatch(/36 papers, 10 new/);
    expect(await postmaster(dir)).toBeNull();
  }, 180_000);

  it('a command killed while it creates the cluster leaves nothing the next start trips on', async () => {
    const dir = await dataDir('new');
    const child = startCli(['ingest', FIRST], { DATA_DIR: dir });
    await until(async () => (await readdir(dir)).some((f) => f.startsWith('postgres.creating-')), 60_000);
    child.kill('SIGKILL');
    const again = await runCli(['ingest', FIRST], { DATA_DIR: dir }, { timeoutMs: 90_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/31 papers/);
    expect(await postmaster(dir)).toBeNull();
  }, 180_000);
});
