// The embedded PostgreSQL when things are killed: the postmaster under a running serve (serve
// starts it again and answers), serve itself (its server keeps running, used by nobody), then the
// postmaster with nothing running (the next command starts it again after crash recovery), and a
// command killed while it creates the cluster. Never a cluster the next start cannot use, no row lost.
import { readdir } from 'node:fs/promises';
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
    await until(() => s.stderr().includes('"event":"embedded.reconnected"'), 60_000, () => s.stderr().slice(-2000));
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
