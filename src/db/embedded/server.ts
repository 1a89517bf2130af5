// Starting and stopping the embedded cluster's server. PostgreSQL's own postmaster.pid does the
// locking: a second postmaster on the same folder refuses to start, a stale one (its process gone,
// after a SIGKILL) is replaced. So starting is "connect; if nothing answers, run postgres; wait
// until something answers" — whichever process's postgres won, everyone ends on the same server.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import pg from 'pg';
import type { PostgresBinaries } from './binaries.ts';
import { serverProcessEnvironment } from '../../config/process-env.ts';
import { unreachable } from './create-cluster.ts';
import { EmbeddedDatabaseError } from './errors.ts';
import { EMBEDDED_DATABASE, EMBEDDED_PORT, EMBEDDED_USER, serverSettings, type EmbeddedLayout } from './layout.ts';
import { handOver, type ServerUser } from './server-user.ts';

export type ServerState = 'ready' | 'starting' | 'stopping' | 'absent';

/** Why a postmaster may refuse to start for a moment: another one has (or just had) the folder. */
const RETRYABLE = /lock file .* already exists|shared memory block .* is still in use/i;

export function clientConfig(layout: EmbeddedLayout): pg.ClientConfig {
  return { host: layout.socketDir, port: EMBEDDED_PORT, user: EMBEDDED_USER, database: EMBEDDED_DATABASE };
}

/** What a connection attempt says about the server. */
export async function probe(layout: EmbeddedLayout): Promise<ServerState> {
  const client = new pg.Client({ ...clientConfig(layout), connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return 'ready';
  } catch (err) {
    return stateOf(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Maps a connection error to the server's state; anything unexpected is thrown. */
export function stateOf(err: unknown): Exclude<ServerState, 'ready'> {
  const e = err as { code?: string; message?: string };
  if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') return 'absent';
  if (e.code === '57P03') return /shutting down/.test(e.message ?? '') ? 'stopping' : 'starting';
  if (e.code === '57P01' || e.code === 'ECONNRESET' || /Connection terminated|terminating connection/i.test(e.message ?? '')) return 'stopping';
  throw err;
}

export interface StartOptions {
  binaries: PostgresBinaries;
  user: ServerUser | undefined;
  timeoutMs: number;
}

/** Returns once the server of this cluster accepts connections: started here, or by anyone else. */
export async function startServer(layout: EmbeddedLayout, { binaries, user, timeoutMs }: StartOptions): Promise<'started' | 'running'> {
  const deadline = Date.now() + timeoutMs;
  let ours: { child: ChildProcess; exited: boolean; error?: NodeJS.ErrnoException } | null = null;
  let lastFailure = '';
  for (let wait = 50; ; wait = Math.min(wait * 2, 500)) {
    const state = await probe(layout);
    if (state === 'ready') return ours && !ours.exited ? 'started' : 'running';
    if (ours?.error) throw new EmbeddedDatabaseError(unreachable(binaries.postgres, user, ours.error));
    if (ours?.exited) {
      lastFailure = await failureOf(layout, ours.child.pid);
      // Another postmaster holds the folder (starting, or its backends still exiting after it was
      // killed): wait for it. Anything else will not get better by trying again.
      if (lastFailure && !RETRYABLE.test(lastFailure)) {
        const hint =
          user && /permission denied/i.test(lastFailure)
            ? '; it runs as the user postgres, who must be able to reach DATA_DIR (chmod o+x each private folder on the way, or move DATA_DIR)'
            : '';
        throw new EmbeddedDatabaseError(`the embedded database did not start: ${lastFailure}${hint} (see ${layout.log})`);
      }
    }
    // Nothing answers and no postgres of ours is on its way: run one. If another process's
    // postgres is starting, ours stops at once on postmaster.pid and we keep waiting for that one.
    if (state === 'absent' && (!ours || ours.exited)) {
      ours = await spawnServer(layout, binaries, user);
    }
    if (Date.now() > deadline) {
      throw new EmbeddedDatabaseError(
        `the embedded database did not start within ${Math.round(timeoutMs / 1000)} s${lastFailure ? `: ${lastFailure}` : ''} (see ${layout.log})`,
      );
    }
    await sleep(wait);
  }
}

async function spawnServer(layout: EmbeddedLayout, binaries: PostgresBinaries, user: ServerUser | undefined) {
  if (layout.socketDir !== layout.pgdata) {
    await mkdir(layout.socketDir, { recursive: true, mode: 0o700 });
    await handOver(layout.socketDir, user);
  }
  const args = ['-D', layout.pgdata, ...Object.entries(serverSettings(layout)).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const logFd = openSync(layout.log, 'a');
  try {
    // Detached: a session of its own, so a Ctrl-C at the terminal reaches paperboy, which stops
    // the server in order, and not the server directly; and no process's exit takes it along.
    const child = spawn(binaries.postgres, args, {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: serverProcessEnvironment(),
      cwd: layout.pgdata,
      ...(user ?? {}),
    });
    const ours = { child, exited: false, error: undefined as NodeJS.ErrnoException | undefined };
    child.once('exit', () => (ours.exited = true));
    child.once('error', (err) => ((ours.error = err), (ours.exited = true)));
    child.unref();
    return ours;
  } finally {
    closeSync(logFd);
  }
}

/** The last FATAL line our postmaster wrote to the log, if any. */
async function failureOf(layout: EmbeddedLayout, pid: number | undefined): Promise<string> {
  if (!pid) return '';
  const tail = (await readFile(layout.log, 'utf8').catch(() => '')).slice(-20_000);
  const lines = tail.split('\n').filter((l) => l.includes(`[${pid}]`) && /FATAL|PANIC/.test(l));
  return lines.pop()?.replace(/^.*?(FATAL|PANIC):\s*/, '') ?? '';
}

/** The postmaster's pid, from postmaster.pid. */
export async function postmasterPid(layout: EmbeddedLayout): Promise<number | null> {
  const text = await readFile(`${layout.pgdata}/postmaster.pid`, 'utf8').catch(() => '');
  const pid = Number(text.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * Fast shutdown (what `pg_ctl stop` does by default): sessions are ended, a checkpoint is written,
 * the server exits. Call it only while connected, so that postmaster.pid is the live server's.
 * Waits for the postmaster to exit; false if it is still there after `timeoutMs`.
 */
export async function stopServer(layout: EmbeddedLayout, timeoutMs = 30_000): Promise<boolean> {
  const pid = await postmasterPid(layout);
  if (pid === null) return true;
  if (!signal(pid, 'SIGINT')) return true;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await sleep(50);
  }
  return false;
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}
