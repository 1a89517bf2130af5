// Fresh databases for integration tests: a new PostgreSQL database (dropped at the end of the run)
// or a new embedded DATA_DIR. Each test file gets its own, so files run in parallel safely. The
// migrated ones are copies of the run's templates (templates.ts), not migrated from scratch.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { stopEmbedded } from '../../src/db/embedded/admin.ts';
import { migrate } from '../../src/db/migrate.ts';
import { silentLogger } from './logs.ts';
import { copyEmbeddedTemplate } from './templates.ts';

let counter = 0;

/** An empty database on the test server. */
export async function freshPostgresUrl(template?: string): Promise<string> {
  const adminUrl = inject('adminUrl');
  const name = `${inject('runId')}_${process.pid}_${counter++}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A database on the test server with every migration applied (a clone of the template). */
export function migratedPostgresUrl(): Promise<string> {
  return freshPostgresUrl(inject('postgresTemplate'));
}

/** An empty folder (as root, open to the user postgres, who runs the embedded server). */
export async function freshDataDir(prefix = 'paperboy-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

/** A DATA_DIR holding a migrated embedded cluster (not running: the first process starts it). */
export async function embeddedDataDir(): Promise<string> {
  const dir = await freshDataDir();
  await copyEmbeddedTemplate(inject('embeddedTemplate'), dir);
  return dir;
}

/**
 * Stops the embedded server of a DATA_DIR, whoever uses it (tests must not leave servers behind,
 * e.g. after killing the processes that used one).
 */
export async function stopEmbeddedCluster(dataDir: string): Promise<void> {
  await stopEmbedded(dataDir, { force: true });
}

export type Backend = 'postgres' | 'embedded';
export const BACKENDS: Backend[] = ['postgres', 'embedded'];

export interface TestDatabase {
  db: Database;
  dataDir: string;
  databaseUrl: string | undefined;
  close(): Promise<void>;
}

/** A migrated database of the given kind, in a fresh folder / fresh PostgreSQL database. */
export async function openTestDatabase(backend: Backend): Promise<TestDatabase> {
  const dataDir = backend === 'embedded' ? await embeddedDataDir() : await freshDataDir();
  const databaseUrl = backend === 'postgres' ? await migratedPostgresUrl() : undefined;
  const log = silentLogger();
  const db = await openDatabase({ databaseUrl, dataDir, log });
  await migrate(db.pgConfig, log);
  return {
    db,
    dataDir,
    databaseUrl,
    close: async () => {
      await db.close();
      await stopEmbeddedCluster(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
