// The databases a chaos run kills: PostgreSQL reached by DATABASE_URL (a server of its own, so
// killing it touches nothing else on the machine; brought back as a supervisor would), and the
// embedded database of a DATA_DIR (brought back by the paperboy processes that use it).
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stopEmbedded } from '../../src/db/embedded/admin.ts';
import { EmbeddedCluster } from '../../src/db/embedded/cluster.ts';
import { embeddedLayout } from '../../src/db/embedded/layout.ts';
import { clientConfig, postmasterPid, probe } from '../../src/db/embedded/server.ts';
import { createLogger } from '../../src/log/logger.ts';
import type { ChaosDatabase } from './harness.ts';

async function folder(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(dir, 0o755); // as root, the server runs as the user postgres, who must reach it
  return dir;
}

async function killPostmaster(dataDir: string): Promise<void> {
  const pid = await postmasterPid(embeddedLayout(dataDir));
  if (!pid) throw new Error(`chaos: no postmaster.pid in ${dataDir}`);
  process.kill(pid, 'SIGKILL');
}

async function untilReady(dataDir: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await probe(embeddedLayout(dataDir))) !== 'ready') {
    if (Date.now() > end) throw new Error(`chaos: the database of ${dataDir} did not come back within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface OwnedChaosDatabase extends ChaosDatabase {
  close(): Promise<void>;
}

/**
 * A PostgreSQL server of the run's own, reached by DATABASE_URL over its Unix socket. The harness
 * keeps it running as a member of its cluster, which also starts it again after a kill.
 */
export async function postgresChaosDatabase(): Promise<OwnedChaosDatabase> {
  const dir = await folder('paperboy-chaos-pg-');
  const appDir = await folder('paperboy-chaos-app-'); // paperboy's own DATA_DIR (its secret key)
  const cluster = await EmbeddedCluster.join({ dataDir: dir, log: createLogger({ level: 'silent' }) });
  const config = cluster.pgConfig;
  const url = `postgres://${config.user}@localhost:${config.port}/${config.database}?host=${encodeURIComponent(String(config.host))}`;
  return {
    kind: 'postgres',
    env: { DATABASE_URL: url, DATA_DIR: appDir },
    pgConfig: () => config,
    kill: () => killPostmaster(dir),
    recover: () => untilReady(dir),
    hold: () => Promise.resolve(), // the harness is a member all along
    close: async () => {
      await cluster.leave();
      await stopEmbedded(dir, { force: true }).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
      await rm(appDir, { recursive: true, force: true });
    },
  };
}

/** The embedded database of a DATA_DIR; after a kill, the paperboy processes on it start it again. */
export async function embeddedChaosDatabase(): Promise<OwnedChaosDatabase> {
  const dir = await folder('paperboy-chaos-embedded-');
  let held: EmbeddedCluster | null = null;
  return {
    kind: 'embedded',
    env: { DATA_DIR: dir },
    pgConfig: () => clientConfig(embeddedLayout(dir)),
    kill: () => killPostmaster(dir),
    recover: () => untilReady(dir),
    // joined only at the end: while the senders run, they alone bring the database back after a kill
    hold: async () => {
      held ??= await EmbeddedCluster.join({ dataDir: dir, log: createLogger({ level: 'silent' }) });
    },
    close: async () => {
      await held?.leave();
      await stopEmbedded(dir, { force: true }).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
