// Reaching the embedded database from any process: connect to the running host's socket, or start
// the host (a detached background process, see host.ts) and wait until it answers.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { liveOwner } from './data-dir-lock.ts';
import { embeddedPaths, HOST_MARKER, type HostInfo } from './paths.ts';
import { HOST_EXIT } from './host.ts';

export interface EmbeddedEndpoint {
  host: string;
  port: number;
}

export interface EnsureHostOptions {
  dataDir: string;
  /** how long a started host may take to answer (first start of a new DATA_DIR creates the database) */
  timeoutMs?: number;
  idleMs?: number;
  logLevel?: string;
}

export class EmbeddedDatabaseError extends Error {
  readonly code = 'EMBEDDED_DB_UNAVAILABLE';
}

/** The host's entry point: compiled (dist/) when this module is, else the source through tsx. */
const fromSource = import.meta.url.endsWith('.ts');
const hostMain = fileURLToPath(new URL(fromSource ? './host-main.ts' : './host-main.js', import.meta.url));
const hostArgs = fromSource
  ? ['--import', pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs')).href, hostMain]
  : [hostMain];

export async function ensureEmbeddedHost(options: EnsureHostOptions): Promise<EmbeddedEndpoint> {
  const { timeoutMs = 60_000, idleMs = 30_000, logLevel = 'info' } = options;
  const dataDir = path.resolve(options.dataDir); // the host runs in another folder
  const paths = embeddedPaths(dataDir);
  const running = await reachable(paths.info);
  if (running) return running;

  mkdirSync(dataDir, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let host = startHost(dataDir, idleMs, logLevel);
  while (Date.now() < deadline) {
    const endpoint = await reachable(paths.info);
    if (endpoint) return endpoint;
    const exit = host.exitCode();
    if (exit !== null && exit !== HOST_EXIT.locked && exit !== HOST_EXIT.ok) {
      throw new EmbeddedDatabaseError(`the embedded database did not start (exit ${exit}); see ${paths.log}`);
    }
    // Our host found another one holding the folder (still starting: creating a database takes
    // seconds). Wait for that one; start ours again only if it is gone without coming up.
    if (exit !== null && !(await liveOwner(paths.lock, HOST_MARKER))) host = startHost(dataDir, idleMs, logLevel);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new EmbeddedDatabaseError(`the embedded database in ${dataDir} did not answer within ${Math.round(timeoutMs / 1000)} s; see ${paths.log}`);
}

function startHost(dataDir: string, idleMs: number, logLevel: string): { exitCode(): number | null } {
  let exit: number | null = null;
  const child = spawn(process.execPath, [...hostArgs, dataDir, String(idleMs), logLevel], {
    detached: true,
    stdio: 'ignore',
    cwd: path.dirname(hostMain),
  });
  child.once('exit', (code) => (exit = code ?? HOST_EXIT.failed));
  child.once('error', () => (exit = HOST_EXIT.failed));
  child.unref();
  return { exitCode: () => exit };
}

/** The endpoint in the host's info file, if something answers there. */
async function reachable(infoPath: string): Promise<EmbeddedEndpoint | null> {
  let info: HostInfo;
  try {
    info = JSON.parse(await readFile(infoPath, 'utf8')) as HostInfo;
  } catch {
    return null;
  }
  const target = info.host.startsWith('/') ? { path: path.join(info.host, `.s.PGSQL.${info.port}`) } : { host: info.host, port: info.port };
  const ok = await new Promise<boolean>((resolve) => {
    const socket = net.connect(target as net.NetConnectOpts);
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
  return ok ? { host: info.host, port: info.port } : null;
}
