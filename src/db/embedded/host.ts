// The embedded database host: ONE process per DATA_DIR opens PGlite and serves it over a local
// socket; every paperboy process (serve, ingest, tests…) connects through that socket with the
// ordinary PostgreSQL driver. The host is its own small background process, started on demand by
// the first process that needs it (see connect.ts) and gone after a while with no connection, so
// no command's lifetime decides another's — `ingest` may start the host that `serve` keeps using.
//
// The data directory is guarded by a lock (data-dir-lock.ts: an atomic mkdir naming the owner's
// pid, taken over only once that process is gone): two hosts never open it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import type { Logger } from '../../log/logger.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { embeddedPaths, HOST_MARKER, type HostInfo } from './paths.ts';
import { ProtocolAwareQueryQueue } from './query-queue.ts';

export interface HostOptions {
  dataDir: string;
  /** exit after this long with no connection */
  idleMs: number;
  log: Logger;
}

/** Exit statuses of the host process, read by connect.ts. */
export const HOST_EXIT = { ok: 0, failed: 1, locked: 3 } as const;

export async function runEmbeddedHost({ dataDir, idleMs, log }: HostOptions): Promise<number> {
  const paths = embeddedPaths(dataDir);
  await mkdir(paths.pgdata, { recursive: true });

  const lock = await acquireDataDirLock(paths.lock, HOST_MARKER);
  if (!lock.acquired) {
    log.info({ event: 'embedded.already_hosted', dataDir, ownerPid: lock.owner.pid }, 'another process hosts this embedded database');
    return HOST_EXIT.locked;
  }
  const release = lock.release;

  if (!existsSync(path.join(paths.pgdata, 'PG_VERSION'))) {
    try {
      await createInChild(paths.pgdata);
    } catch (err) {
      await release().catch(() => undefined);
      throw err;
    }
    log.info({ event: 'embedded.created', dataDir }, 'embedded database created');
  }
  const db = new PGlite(paths.pgdata);
  await db.waitReady;
  const queue = new ProtocolAwareQueryQueue(db);
  const handlers = new Set<PGLiteSocketHandler>();
  let idleTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));

  const armIdle = () => {
    clearTimeout(idleTimer);
    if (handlers.size === 0) idleTimer = setTimeout(() => void stop('idle'), idleMs);
  };

  const server = net.createServer((socket) => {
    if (stopping) return socket.destroy();
    const handler = new PGLiteSocketHandler({ queryQueue: queue as never, closeOnDetach: true });
    handlers.add(handler);
    clearTimeout(idleTimer);
    const forget = () => {
      handlers.delete(handler);
      armIdle();
    };
    handler.addEventListener('close', forget);
    handler.addEventListener('error', forget);
    handler.attach(socket).catch(forget);
  });

  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'embedded.stopping', reason, connections: handlers.size }, 'embedded database host stopping');
    clearTimeout(idleTimer);
    server.close();
    await Promise.all([...handlers].map((h) => h.detach(true).catch(() => undefined)));
    await rm(paths.info, { force: true });
    await db.close().catch((err) => log.error({ event: 'embedded.close_failed', err }, 'closing PGlite failed'));
    await release().catch(() => undefined);
    resolveDone(HOST_EXIT.ok);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  const endpoint = await listen(server, paths.socketDir);
  const info: HostInfo = { pid: process.pid, startedAt: new Date().toISOString(), ...endpoint };
  await writeFile(`${paths.info}.tmp`, JSON.stringify(info));
  await rename(`${paths.info}.tmp`, paths.info);
  log.info({ event: 'embedded.ready', dataDir, ...endpoint }, 'embedded database ready');
  armIdle();
  return done;
}

/** Runs create-main in a child process (same Node flags, so tsx too when run from source). */
async function createInChild(pgdata: string): Promise<void> {
  const script = new URL(import.meta.url.endsWith('.ts') ? './create-main.ts' : './create-main.js', import.meta.url);
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(script), pgdata], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2_000)));
  const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('exit', resolve));
  if (code !== 0) throw new Error(`creating the embedded database in ${pgdata} failed (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`);
}

/** A Unix socket in DATA_DIR when the path fits (sun_path is ~107 bytes), else loopback TCP. */
async function listen(server: net.Server, socketDir: string): Promise<Pick<HostInfo, 'host' | 'port'>> {
  const socketPath = path.join(socketDir, '.s.PGSQL.5432');
  if (process.platform !== 'win32' && Buffer.byteLength(socketPath) < 100) {
    await rm(socketPath, { force: true }); // a killed host's socket file; we hold the lock
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
    return { host: socketDir, port: 5432 };
  }
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
}
