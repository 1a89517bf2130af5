// Global setup of the integration and browser layers (the unit layer has none). Checks PostgreSQL
// is there (127.0.0.1:5432, user postgres, trust; PAPERBOY_TEST_PG overrides), builds or reuses the
// templates (templates.ts), and gives every test file a prefix for the databases it creates
// (databases.ts). At the end, drops the databases of this run.
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { embeddedTemplate, postgresTemplate, templateKey } from './templates.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    runId: string;
    /** the migrated template database on the test server */
    postgresTemplate: string;
    /** a migrated, stopped embedded cluster folder to copy */
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
  const key = await templateKey();
  const [postgres, embedded] = await Promise.all([postgresTemplate(adminUrl, key), embeddedTemplate(key)]);
  project.provide('adminUrl', adminUrl);
  project.provide('runId', runId);
  project.provide('postgresTemplate', postgres);
  project.provide('embeddedTemplate', embedded);

  return async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    const { rows } = await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${runId}%`]);
    for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await c.end();
  };
}
