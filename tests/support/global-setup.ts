// One fresh PostgreSQL database per test run (dropped at the end): integration tests get its URL
// through `inject('databaseUrl')`. PostgreSQL is expected at PAPERBOY_TEST_PG (default
// postgres://postgres@127.0.0.1:5432/postgres), as on the development machines and in CI.
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    adminUrl: string;
  }
}

const adminUrl = process.env.PAPERBOY_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export default async function setup(project: TestProject) {
  const name = `paperboy_test_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect().catch((err: Error) => {
    throw new Error(`integration tests need PostgreSQL at ${adminUrl} (set PAPERBOY_TEST_PG): ${err.message}`);
  });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  project.provide('databaseUrl', url.toString());
  project.provide('adminUrl', adminUrl);
  return async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  };
}
