// `serve` and the CLI beside it on one embedded DATA_DIR: one server, reused; `db status` names
// who uses it and `db stop` refuses while serve does; SIGTERM to serve (the last member) stops it.
// A serve killed with SIGKILL leaves a server nobody uses: `db stop` stops it, and the stopped
// DATA_DIR copied elsewhere (the documented backup) is a whole database.
import { cp } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';
import { FIRST, SECOND, alive, cleanedUp, health, postmaster, serverRunning, stop } from './support.ts';

const { dataDir, serve } = cleanedUp();

describe('serve and the CLI on one embedded database', () => {
  it('share the running server; the CLI leaves it running for serve; db stop refuses; SIGTERM to serve stops it', async () => {
    const dir = await dataDir('migrated');
    const s = await serve(dir, { SNAPSHOT_SOURCE: FIRST });
    const pid = await postmaster(dir);
    expect(alive(pid)).toBe(true);

    const ingest = await runCli(['ingest', SECOND], { DATA_DIR: dir });
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(await postmaster(dir)).toBe(pid); // reused, not restarted, and still running for serve
    expect(alive(pid)).toBe(true);
    const status = await runCli(['db', 'status'], { DATA_DIR: dir });
    expect(status.stdout).toMatch(new RegExp(`running \\(pid ${pid}\\)`));
    expect(status.stdout).toMatch(/used by\s+paperboy serve \(pid \d+\)/);
    const refused = await runCli(['db', 'stop'], { DATA_DIR: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toMatch(/^paperboy: the embedded database is in use by paperboy serve \(pid \d+\): stop those first/);

    // serve sees what the CLI ingested
    const preview = (await (await fetch(`${s.url}/api/preview?topics=${encodeURIComponent('scaling laws')}`)).json()) as {
      topics: Array<{ newTotal: number }>;
    };
    expect(preview.topics[0]!.newTotal).toBe(4);
    expect(await health(s.url)).toMatchObject({ status: 'ok', database: { kind: 'embedded', ok: true } });

    const result = await stop(s);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(result.stderr).toMatch(/"event":"embedded.stopping"/);
    expect(alive(pid)).toBe(false);
  }, 120_000);

  it('after SIGKILL of serve, db stop stops the server left running; the stopped DATA_DIR copied elsewhere opens with every row', async () => {
    const dir = await dataDir('migrated');
    const s = await serve(dir, { SNAPSHOT_SOURCE: FIRST });
    s.child.kill('SIGKILL'); // the server is left running, used by nobody
    await s.done;
    expect(await serverRunning(dir)).toBe(true);
    expect((await runCli(['db', 'status'], { DATA_DIR: dir })).stdout).toMatch(/used by\s+no paperboy process/);
    const stopped = await runCli(['db', 'stop'], { DATA_DIR: dir });
    expect(stopped.stdout).toMatch(/embedded database stopped/);
    expect(await serverRunning(dir)).toBe(false);

    // the backup: a copy of the stopped DATA_DIR is a whole database (as root, copied by root:
    // paperboy gives the cluster folder back to the user postgres)
    const copy = await dataDir('new');
    await cp(dir, copy, { recursive: true });
    const again = await runCli(['ingest', FIRST], { DATA_DIR: copy });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already ingested as snapshot 1/);
    expect((await runCli(['db', 'stop'], { DATA_DIR: copy })).stdout).toMatch(/not running/);
  }, 120_000);
});
