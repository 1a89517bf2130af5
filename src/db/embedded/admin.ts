// The embedded cluster seen from outside its members: `paperboy db status` and `paperboy db stop`,
// which must not start a cluster that is not running (unlike every other command).
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { MEMBERSHIP_LOCK } from './cluster.ts';
import { clusterExists } from './create-cluster.ts';
import { embeddedLayout } from './layout.ts';
import { clientConfig, postmasterPid, probe, stopServer, type ServerState } from './server.ts';

interface Member {
  /** `paperboy <command> (pid <pid>)` */
  name: string;
}

export interface EmbeddedStatus {
  pgdata: string;
  socketDir: string;
  log: string;
  exists: boolean;
  state: ServerState;
  pid: number | null;
  /** paperboy processes using it now */
  members: Member[];
  /** the data folder's size on disk */
  bytes: number;
}

export async function embeddedStatus(dataDir: string): Promise<EmbeddedStatus> {
  const layout = embeddedLayout(dataDir);
  const exists = clusterExists(layout);
  const state = exists ? await probe(layout) : 'absent';
  return {
    pgdata: layout.pgdata,
    socketDir: layout.socketDir,
    log: layout.log,
    exists,
    state,
    pid: state === 'absent' ? null : await postmasterPid(layout),
    members: state === 'ready' ? await withClient(dataDir, listMembers) : [],
    bytes: exists ? await folderBytes(layout.pgdata) : 0,
  };
}

export type StopResult = { stopped: true } | { stopped: false; reason: 'not-running' | 'in-use' | 'still-stopping'; members: Member[] };

/**
 * Stops the cluster if no paperboy process uses it (or anyway with `force`: those processes lose
 * their database and start it again). Taking the membership lock exclusively first means no
 * process can join while it stops.
 */
export async function stopEmbedded(dataDir: string, { force = false, timeoutMs = 30_000 } = {}): Promise<StopResult> {
  const layout = embeddedLayout(dataDir);
  if (!clusterExists(layout) || (await probe(layout)) !== 'ready') return { stopped: false, reason: 'not-running', members: [] };
  return withClient(dataDir, async (client) => {
    const { rows } = await client.query<{ free: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS free', [...MEMBERSHIP_LOCK]);
    if (!rows[0]?.free && !force) return { stopped: false, reason: 'in-use', members: await listMembers(client) };
    return (await stopServer(layout, timeoutMs)) ? { stopped: true } : { stopped: false, reason: 'still-stopping', members: [] };
  });
}

async function withClient<T>(dataDir: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...clientConfig(embeddedLayout(dataDir)), application_name: 'paperboy db' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function listMembers(client: pg.Client): Promise<Member[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT a.application_name AS name
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2 AND l.granted AND l.mode = 'ShareLock'
      ORDER BY a.backend_start`,
    [...MEMBERSHIP_LOCK],
  );
  return rows.map((r) => ({ name: r.name }));
}

async function folderBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (entry.isFile()) bytes += (await stat(path.join(entry.parentPath, entry.name)).catch(() => ({ size: 0 }))).size;
  }
  return bytes;
}
