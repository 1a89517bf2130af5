// Creates the cluster of a new DATA_DIR with initdb. initdb writes into a folder of its own
// (DATA_DIR/postgres.creating-<pid>-<random>) that is renamed to DATA_DIR/postgres only when it is
// complete: two processes creating at once both run initdb, the first rename wins and the other
// discards its copy; a process killed during creation leaves only a `.creating-` folder (~40 MB),
// which every later start removes once the process named in it is gone (removeAbandoned) — also
// when another start has created the cluster meanwhile. So DATA_DIR/postgres is either absent or a
// whole cluster, and no copy is left behind for good.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { serverProcessEnvironment } from '../../config/process-env.ts';
import type { Logger } from '../../log/logger.ts';
import type { PostgresBinaries } from './binaries.ts';
import { EmbeddedDatabaseError } from './errors.ts';
import { EMBEDDED_USER, type EmbeddedLayout } from './layout.ts';
import { handOver, type ServerUser } from './server-user.ts';

/**
 * A `.creating-` folder older than this was left by a process that died creating it, even when its
 * pid is alive again (another process reused it: a restarted container counts from 1 again).
 */
const ABANDONED_AFTER_MS = 10 * 60_000;

export function clusterExists(layout: EmbeddedLayout): boolean {
  return existsSync(path.join(layout.pgdata, 'PG_VERSION'));
}

export async function createCluster(layout: EmbeddedLayout, binaries: PostgresBinaries, user: ServerUser | undefined, log: Logger): Promise<void> {
  if (clusterExists(layout)) return;
  await mkdir(layout.dataDir, { recursive: true });
  if (existsSync(layout.pgdata)) {
    // an empty folder (made by hand, or a volume mount point) is fine; anything else is not ours
    await rmdir(layout.pgdata).catch(() => {
      throw new EmbeddedDatabaseError(`${layout.pgdata} exists but is not a PostgreSQL data folder: move it aside`);
    });
  }
  log.info({ event: 'embedded.creating', dataDir: layout.dataDir }, 'creating the embedded database (first start)…');
  const started = Date.now();
  const staging = `${layout.pgdata}.creating-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(staging, { mode: 0o700 });
  try {
    await handOver(staging, user);
    await initdb(binaries, staging, user);
    try {
      await rename(staging, layout.pgdata);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && clusterExists(layout)) return; // another process created it first
      throw err;
    }
    log.info({ event: 'embedded.created', dataDir: layout.dataDir, ms: Date.now() - started }, `embedded database created in ${layout.pgdata}`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function initdb(binaries: PostgresBinaries, pgdata: string, user: ServerUser | undefined): Promise<void> {
  const args = [
    `--pgdata=${pgdata}`,
    `--username=${EMBEDDED_USER}`,
    // the Unix socket in a folder only this user (and root) can open is the access control
    '--auth=trust',
    '--encoding=UTF8',
    '--locale-provider=builtin',
    '--builtin-locale=C.UTF-8',
    '--locale=C',
    '--no-instructions',
  ];
  const child = spawn(binaries.initdb, args, { stdio: ['ignore', 'ignore', 'pipe'], env: serverProcessEnvironment(), ...(user ?? {}) });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4_000)));
  const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('close', resolve)).catch((err: NodeJS.ErrnoException) => {
    throw new EmbeddedDatabaseError(unreachable(binaries.initdb, user, err));
  });
  if (code !== 0) {
    const reason = stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${code}`;
    const hint =
      user && /permission denied/i.test(stderr)
        ? ` (it runs as the user postgres, who must be able to reach DATA_DIR: chmod o+x each private folder on the way, or move DATA_DIR)`
        : '';
    throw new EmbeddedDatabaseError(`creating the embedded database failed: ${reason}${hint}`);
  }
}

/** The message for a binary that could not be run (as root: the user postgres cannot reach it). */
export function unreachable(binary: string, user: ServerUser | undefined, err: NodeJS.ErrnoException): string {
  if (user && err.code === 'EACCES') {
    return (
      `the embedded database runs as the user postgres, which cannot run ${binary}: move the project out of a private folder such as /root, run ` +
      `paperboy as a normal user, or set DATABASE_URL`
    );
  }
  return `could not run ${binary}: ${err.message}`;
}

/**
 * Removes the `.creating-<pid>-…` folders of creations that will never finish: their process is gone
 * (or is this one, which has none under way: an earlier process had its pid), or they are older than
 * any creation takes. Run at every start. A folder that cannot be removed now is tried again next time.
 */
export async function removeAbandoned(layout: EmbeddedLayout, log: Logger): Promise<void> {
  const prefix = `${path.basename(layout.pgdata)}.creating-`;
  const names = await readdir(layout.dataDir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const dir = path.join(layout.dataDir, name);
    const info = await stat(dir).catch(() => null);
    if (!info) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    const old = Date.now() - info.mtimeMs > ABANDONED_AFTER_MS;
    if (!old && pid !== process.pid && processAlive(pid)) continue;
    try {
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
      log.info({ event: 'embedded.leftover_removed', dir }, `removed ${dir}, left by a creation of the embedded database that was interrupted`);
    } catch (err) {
      log.warn(
        { event: 'embedded.leftover_removed', dir, err, removed: false },
        `could not remove ${dir} (left by an interrupted creation): ${(err as Error).message}`,
      );
    }
  }
}

/** Whether a process with this pid exists (one of another user counts: EPERM). */
function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
