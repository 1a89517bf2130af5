// Checks PostgreSQL is there (integration tests need it, as on the development machines and in CI:
// 127.0.0.1:5432, user postgres, trust; PAPERBOY_TEST_PG overrides) and gives every test file a
// prefix for the databases it creates (tests/support/databases.ts). At the end, drops them all.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/log/logger.ts';
import { stopEmbeddedHost } from './embedded-host.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    runId: string;
    /** a migrated embedded data folder to copy: creating one from scratch (initdb) takes seconds */
    embeddedTemplate: string;
  }
}

const adminUrl = process.env.PAPERBOY_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export default async function setup(project: TestProject) {
  const runId = `pbt_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect().catch((err: Error) => {
    throw new Error(`integration tests need PostgreSQL at ${adminUrl} (set PAPERBOY_TEST_PG): ${err.message}`);
  });
  await admin.end();
  project.provide('adminUrl', adminUrl);
  project.provide('runId', runId);

  const template = await mkdtemp(path.join(os.tmpdir(), 'paperboy-template-'));
  const log = createLogger({ level: 'silent' });
  const db = await openDatabase({ databaseUrl: undefined, dataDir: template, log });
  await migrate(db.pgConfig, log);
  await db.close();
  await stopEmbeddedHost(template);
  project.provide('embeddedTemplate', template);

  return async () => {
    await rm(template, { recursive: true, force: true });
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    const { rows } = await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${runId}%`]);
    for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await c.end();
  };
}
