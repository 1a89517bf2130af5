// The embedded PostgreSQL's life across real paperboy processes on one DATA_DIR: created on the
// first start (with a visible message), reused after, shared by `serve` and the CLI beside it,
// stopped by the last process to exit; two processes starting together on a new DATA_DIR end
// with one cluster; `db status` / `db stop`; the stop-and-copy backup; the old PGlite layout.
import { execFileSync, spawn } from 'node:child_process';
import { chmod, chown, cp, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedLayout } from '../../../src/db/embedded/layout.ts';
import { BIN, cliEnvironment, collect, ROOT, runCli } from '../../support/cli.ts';
import { FIRST, SECOND, alive, cleanedUp, health, postmaster, serverRunning, stop } from './support.ts';

const { dataDir, serve } = cleanedUp();

describe('the embedded database across processes', () => {
  it('is created on the first start with a message, stopped when the command ends, and reused by the next', async () => {
    const dir = await dataDir('new');
    const first = await runCli(['ingest', FIRST], { DATA_DIR: dir, LOG_LEVEL: 'info' });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/31 papers/);
    expect(first.stderr).toMatch(/creating the embedded database \(first start\)/);
    expect(await postmaster(dir)).toBeNull(); // the last (only) process stopped it
    expect((await readdir(dir)).sort()).toEqual(['postgres', 'postgres.log', 'secret.key']);

    const second = await runCli(['ingest', SECOND], { DATA_DIR: dir, LOG_LEVEL: 'info' });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toMatch(/creating the embedded database/);
    expect(second.stdout).toMatch(/36 papers, 10 new/); // the first snapshot is still there
    expect(await serverRunning(dir)).toBe(false);
  }, 120_000);

  it('two commands started at the same moment on a new DATA_DIR end with one cluster, both succeed', async () => {
    const dir = await dataDir('new');
    const [a, b] = await Promise.all([runCli(['ingest', FIRST], { DATA_DIR: dir }), runCli(['ingest', SECOND], { DATA_DIR: dir })]);
    expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
    expect(a.stdout).toMatch(/31 papers/);
    expect(b.stdout).toMatch(/36 papers/);
    // one cluster, nothing half-made left beside it, and no server once both have exited
    expect((await readdir(dir)).filter((f) => f.startsWith('postgres') && f !== 'postgres.log')).toEqual(['postgres']);
    expect(await serverRunning(dir)).toBe(false);
    const status = await runCli(['db', 'status'], { DATA_DIR: dir });
    expect(status.stdout).toMatch(/stopped/);
  }, 120_000);

  it('serve and a CLI command share the running server; the CLI leaves it running for serve; SIGTERM to serve stops it', async () => {
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
    const preview = (await (await fetch(`${s.url}/api/preview?topics=${encodeURIComponent('scaling laws')}`)).json()) as { topics: Array<{ newTotal: number }> };
    expect(preview.topics[0]!.newTotal).toBe(4);
    expect(await health(s.url)).toMatchObject({ status: 'ok', database: { kind: 'embedded', ok: true } });

    const result = await stop(s);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(result.stderr).toMatch(/"event":"embedded.stopping"/);
    expect(alive(pid)).toBe(false);
  }, 120_000);

  it('`db stop` stops a server no process uses; the stopped DATA_DIR copied elsewhere opens with every row', async () => {
    const dir = await dataDir('migrated');
    const s = await serve(dir, { SNAPSHOT_SOURCE: FIRST });
    await runCli(['ingest', SECOND], { DATA_DIR: dir });
    s.child.kill('SIGKILL'); // the server is left running, used by nobody
    await s.done;
    expect(await serverRunning(dir)).toBe(true);
    expect((await runCli(['db', 'status'], { DATA_DIR: dir })).stdout).toMatch(/used by\s+no paperboy process/);
    const stopped = await runCli(['db', 'stop'], { DATA_DIR: dir });
    expect(stopped.stdout).toMatch(/embedded database stopped/);
    expect(await serverRunning(dir)).toBe(false);
    expect((await runCli(['db', 'stop'], { DATA_DIR: dir })).stdout).toMatch(/not running/);

    // the backup: a copy of the stopped DATA_DIR is a whole database
    const copy = await dataDir('new');
    await cp(dir, copy, { recursive: true });
    const again = await runCli(['ingest', SECOND], { DATA_DIR: copy });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already ingested as snapshot 2/);
  }, 120_000);

  it('a DATA_DIR of an earlier paperboy (PGlite) gets one line saying what to do, and nothing is created', async () => {
    const dir = await dataDir('new');
    await mkdir(path.join(dir, 'pglite'));
    await writeFile(path.join(dir, 'pglite/PG_VERSION'), '17\n');
    for (const args of [['ingest', FIRST], ['migrate']]) {
      const result = await runCli(args, { DATA_DIR: dir });
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^paperboy: .*pglite is the embedded database of an earlier paperboy \(PGlite\).*npx paperboy db import-pglite/);
    }
    expect((await readdir(dir)).sort()).toEqual(['pglite']);
  }, 60_000);

  it('a DATA_DIR whose socket path would be too long puts the socket in the temp folder', async () => {
    const base = await dataDir('migrated');
    const dir = path.join(base, 'a-folder-name-long-enough-to-push-the-socket-path-past-the-limit', 'and-some-more');
    await mkdir(dir, { recursive: true });
    await rename(path.join(base, 'postgres'), path.join(dir, 'postgres'));
    const { socketDir } = embeddedLayout(dir);
    expect(socketDir.startsWith(os.tmpdir())).toBe(true);
    try {
      const result = await runCli(['ingest', FIRST], { DATA_DIR: dir });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/31 papers/);
      expect((await stat(socketDir)).isDirectory()).toBe(true);
    } finally {
      await rm(socketDir, { recursive: true, force: true });
    }
  }, 120_000);

  // The suite runs as root in CI and containers (the server then runs as the user postgres); this
  // runs paperboy as an ordinary user, whose server runs as itself.
  it.skipIf(process.getuid?.() !== 0)('as a normal user: the cluster and its server belong to that user', async () => {
    const dir = await dataDir('new');
    const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim())) as [number, number];
    await chown(dir, uid, gid);
    const child = spawn(process.execPath, [BIN, 'ingest', FIRST], { cwd: ROOT, uid, gid, env: cliEnvironment({ DATA_DIR: dir, HOME: dir }), stdio: ['ignore', 'pipe', 'pipe'] });
    const result = await collect(child, 90_000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/31 papers/);
    expect((await stat(path.join(dir, 'postgres'))).uid).toBe(uid);
    expect(await serverRunning(dir)).toBe(false);
  }, 120_000);

  it.skipIf(process.getuid?.() !== 0)('as root, a DATA_DIR the user postgres cannot reach gets one line saying what to do', async () => {
    const base = await dataDir('new');
    await chmod(base, 0o700);
    const result = await runCli(['ingest', FIRST], { DATA_DIR: path.join(base, 'data') });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').filter((l) => !l.startsWith('{'))).toEqual([
      expect.stringMatching(/^paperboy: creating the embedded database failed: .*Permission denied \(it runs as the user postgres, who must be able to reach DATA_DIR: chmod o\+x each private folder on the way, or move DATA_DIR\)$/),
    ]);
  }, 60_000);
});
