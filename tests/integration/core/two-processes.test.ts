// Two real processes, one embedded database (DATA_DIR): they start at the same time, run side by
// side, and survive the host being killed — never a corrupted folder, never a bare lock error.
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, ROOT, runCli, startCli } from '../../support/cli.ts';
import { freshDataDir, stopEmbeddedHost } from '../../support/databases.ts';
import { spawn } from 'node:child_process';

const FIRST = path.join(ROOT, 'seeds/000_0b7782e3c814158f.txt');
const SECOND = path.join(ROOT, 'seeds/001_92719ba14292193f.txt');

async function hostInfo(dataDir: string): Promise<{ pid: number; host: string; port: number }> {
  return JSON.parse(await readFile(path.join(dataDir, 'pglite.json'), 'utf8'));
}

function storm(host: string, port: number, queries: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests/support/query-storm.ts'), host, String(port), String(queries)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collect(child).then((r) => JSON.parse(r.stdout.trim()) as { wrong: number; errors: number; firstError: string | null });
}

describe('two processes on one embedded database', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await freshDataDir();
  });
  afterAll(async () => {
    await stopEmbeddedHost(dataDir);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('two commands started at the same moment on a brand-new DATA_DIR both succeed', async () => {
    const [a, b] = await Promise.all([runCli(['ingest', FIRST], { DATA_DIR: dataDir }), runCli(['ingest', SECOND], { DATA_DIR: dataDir })]);
    expect(a.stderr).not.toMatch(/lock|ELOCKED|corrupt/i);
    expect(b.stderr).not.toMatch(/lock|ELOCKED|corrupt/i);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.stdout).toMatch(/31 papers/);
    expect(b.stdout).toMatch(/36 papers/);
    // Both went through one host.
    const info = await hostInfo(dataDir);
    expect(() => process.kill(info.pid, 0)).not.toThrow();
  }, 120_000);

  it('a long-running process and CLI commands share the database at the same time', async () => {
    const { host, port } = await hostInfo(dataDir);
    const [one, two, preview] = await Promise.all([
      storm(host, port, 1500),
      storm(host, port, 1500),
      runCli(['preview', '--topic', 'scaling laws', '--new'], { DATA_DIR: dataDir }),
    ]);
    // Without the protocol-aware queue, interleaved Parse/Bind messages of the two processes
    // made most of these fail ("prepared statement does not exist") or answer the other's query.
    expect(one).toEqual({ wrong: 0, errors: 0, firstError: null });
    expect(two).toEqual({ wrong: 0, errors: 0, firstError: null });
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/4 caught by "scaling laws"/);
  }, 60_000);

  it('a transaction in one process is not visible to, nor broken by, another', async () => {
    // An ingest that fails half-way (garbage) while another ingests: the good one lands whole.
    const garbage = path.join(dataDir, 'garbage.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(garbage, '{"models": [{"id": "gpt2"}]}'));
    const [bad, again] = await Promise.all([runCli(['ingest', garbage], { DATA_DIR: dataDir }), runCli(['ingest', SECOND], { DATA_DIR: dataDir })]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/garbage\.json/);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already ingested as snapshot/);
  }, 60_000);

  it('when the host is killed, the next command starts a new one and finds every row', async () => {
    const { pid } = await hostInfo(dataDir);
    process.kill(pid, 'SIGKILL');
    const started = Date.now();
    const result = await runCli(['preview', '--topic', 'quantum -gravity', '--new'], { DATA_DIR: dataDir }, { timeoutMs: 90_000 });
    expect(result.stderr).not.toMatch(/ELOCKED|corrupt/i);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/3 caught by "quantum -gravity"/);
    const info = await hostInfo(dataDir);
    expect(info.pid).not.toBe(pid);
    // The killed host's lock is stale as soon as its process is gone: no waiting for a timeout.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect((await readdir(dataDir)).filter((f) => f.startsWith('pglite.lock'))).toEqual(['pglite.lock']);
  }, 120_000);
});
