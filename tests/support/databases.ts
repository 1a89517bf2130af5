// Fresh databases for integration tests: a new PostgreSQL database (dropped at the end of the run)
// or a new embedded data folder. Each test file gets its own, so files run in parallel safely.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { stopEmbeddedHost } from './embedded-host.ts';
import { silentLogger } from './logs.ts';

export { stopEmbeddedHost };

let counter = 0;

export async function freshPostgresUrl(): Promise<string> {
  const adminUrl = inject('adminUrl');
  const name = `${inject('runId')}_${process.pid}_${counter++}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function freshDataDir(prefix = 'paperboy-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
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
  const dataDir = await freshDataDir();
  if (backend === 'embedded') await cp(path.join(inject('embeddedTemplate'), 'pglite'), path.join(dataDir, 'pglite'), { recursive: true });
  const databaseUrl = backend === 'postgres' ? await freshPostgresUrl() : undefined;
  const log = silentLogger();
  const db = await openDatabase({ databaseUrl, dataDir, log, logLevel: 'warn' });
  await migrate(db.pgConfig, log);
  return {
    db,
    dataDir,
    databaseUrl,
    close: async () => {
      await db.close();
      await stopEmbeddedHost(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

