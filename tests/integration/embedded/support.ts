// Real paperboy processes on an embedded DATA_DIR, and what the tests look at: the postmaster's pid
// (DATA_DIR/postgres/postmaster.pid), whether it runs, the server's log.
import type { ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach } from 'vitest';
import { collect, ROOT, startCli, type CliResult } from '../../support/cli.ts';
import { embeddedDataDir, freshDataDir, stopEmbeddedCluster } from '../../support/databases.ts';

export const FIRST = path.join(ROOT, 'seeds/000_0b7782e3c814158f.txt');
export const SECOND = path.join(ROOT, 'seeds/001_92719ba14292193f.txt');

export interface Serve {
  child: ChildProcess;
  url: string;
  done: Promise<CliResult>;
  stderr(): string;
}

/**
 * DATA_DIRs and serve processes for a test file, all gone after each test (serve killed, server
 * stopped, folder removed): `dataDir('new')` is empty, `dataDir('migrated')` holds a migrated cluster.
 */
export function cleanedUp() {
  const dirs: string[] = [];
  const serves: Serve[] = [];
  afterEach(async () => {
    for (const s of serves.splice(0)) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    for (const dir of dirs.splice(0)) {
      await stopEmbeddedCluster(dir);
      await rm(dir, { recursive: true, force: true });
    }
  });
  return {
    // arrow functions: the tests take them apart (const { dataDir, serve } = cleanedUp())
    dataDir: async (kind: 'new' | 'migrated'): Promise<string> => {
      const dir = kind === 'new' ? await freshDataDir() : await embeddedDataDir();
      dirs.push(dir);
      return dir;
    },
    serve: async (dataDir: string, vars: Record<string, string> = {}): Promise<Serve> => {
      const s = await serve(dataDir, vars);
      serves.push(s);
      return s;
    },
  };
}

/** `paperboy serve` on DATA_DIR, once it listens and its start-up ingest of SNAPSHOT_SOURCE is done. */
export async function serve(dataDir: string, vars: Record<string, string> = {}): Promise<Serve> {
  const child = startCli(['serve'], { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...vars });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = collect(child, 300_000);
  const url = await until(
    () => /pages\s+(http:\/\/\S+?)\/\s/.exec(stdout)?.[1],
    90_000,
    () => `serve did not start: ${stderr.slice(-2000)}`,
  );
  await until(
    async () => (await health(url))?.lastIngest?.status === 'ok',
    90_000,
    () => `no start-up ingest: ${stderr.slice(-2000)}`,
  );
  return { child, url, done, stderr: () => stderr };
}

export interface Health {
  status: string;
  database?: { kind: string; ok: boolean };
  lastIngest?: { status: string } | null;
}

export async function health(url: string): Promise<Health | null> {
  return fetch(`${url}/healthz`).then(
    (r) => r.json() as Promise<Health>,
    () => null,
  );
}

/** The pid in postmaster.pid, or null. */
export async function postmaster(dataDir: string): Promise<number | null> {
  const text = await readFile(path.join(dataDir, 'postgres/postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number(text.split('\n')[0]);
  return pid > 0 ? pid : null;
}

export function alive(pid: number | null): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether a postgres server runs on this DATA_DIR now. */
export async function serverRunning(dataDir: string): Promise<boolean> {
  return alive(await postmaster(dataDir));
}

export async function serverLog(dataDir: string): Promise<string> {
  return readFile(path.join(dataDir, 'postgres.log'), 'utf8').catch(() => '');
}

/** Polls `check` until it returns something truthy. */
export async function until<T>(check: () => T | Promise<T>, timeoutMs: number, message: () => string = () => 'timed out'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function stop(s: Serve): Promise<CliResult> {
  s.child.kill('SIGTERM');
  return s.done;
}
