// The embedded PostgreSQL's life on one DATA_DIR across real paperboy commands: created on the
// first start (with a visible message), stopped when the last command ends, reused by the next;
// two commands starting together on a new DATA_DIR end with one cluster; the old PGlite layout
// gets one line; a DATA_DIR too deep for a socket path still works.
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedLayout } from '../../../src/db/embedded/layout.ts';
import { runCli } from '../../support/cli.ts';
import { FIRST, SECOND, cleanedUp, postmaster, serverRunning } from './support.ts';

const { dataDir } = cleanedUp();

describe('the embedded database across commands', () => {
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
  }, 120_000);

  it('a DATA_DIR of an earlier paperboy (PGlite) gets one line saying what to do, and nothing is created', async () => {
    const dir = await dataDir('new');
    await mkdir(path.join(dir, 'pglite'));
    await writeFile(path.join(dir, 'pglite/PG_VERSION'), '17\n');
    const result = await runCli(['migrate'], { DATA_DIR: dir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^paperboy: .*pglite is the embedded database of an earlier paperboy \(PGlite\).*npx paperboy db import-pglite/);
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
});
