// Applies prisma/migrations/*/migration.sql in name order and records each in _prisma_migrations,
// exactly as `prisma migrate deploy` does (same table, same checksum), so an operator can use
// either. Each migration runs in its own transaction together with its record: a failed one
// leaves nothing behind. Several processes may start at once: they queue on the advisory lock
// Prisma Migrate itself takes (72707369) — on a PostgreSQL server and on the embedded one alike —
// and each checks _prisma_migrations inside its transaction.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../log/logger.ts';

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../prisma/migrations');
const PRISMA_MIGRATE_LOCK = 72707369;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  /** migrations recorded as applied whose file has changed since: reported, never re-run */
  modified: string[];
}

class MigrationError extends Error {
  readonly code = 'MIGRATION_FAILED';
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export async function migrate(pgConfig: pg.ClientConfig, log: Logger, migrations?: Migration[]): Promise<MigrateResult> {
  const all = migrations ?? (await readMigrations());
  const client = new pg.Client(pgConfig);
  await client.connect();
  const result: MigrateResult = { applied: [], modified: [] };
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    try {
      await client.query(CREATE_TABLE);
      for (const migration of all) await applyOne(client, migration, result, log);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]);
    }
  } finally {
    await client.end();
  }
  return result;
}

async function applyOne(client: pg.Client, migration: Migration, result: MigrateResult, log: Logger): Promise<void> {
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{ checksum: string; finished_at: Date | null }>(
      'SELECT checksum, finished_at FROM "_prisma_migrations" WHERE migration_name = $1 AND rolled_back_at IS NULL',
      [migration.name],
    );
    const recorded = rows[0];
    if (recorded) {
      await client.query('ROLLBACK');
      if (!recorded.finished_at) {
        throw new MigrationError(
          `migration ${migration.name} was started but never finished (a failed \`prisma migrate deploy\`?): resolve it with \`prisma migrate resolve\``,
        );
      }
      if (recorded.checksum !== migration.checksum) {
        result.modified.push(migration.name);
        log.warn({ event: 'migration.modified', migration: migration.name }, `migration ${migration.name} was changed after it was applied`);
      }
      return;
    }
    const id = randomUUID();
    await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())', [
      id,
      migration.checksum,
      migration.name,
    ]);
    await client.query(migration.sql);
    await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
    await client.query('COMMIT');
    result.applied.push(migration.name);
    log.info({ event: 'migration.applied', migration: migration.name }, `applied migration ${migration.name}`);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (err instanceof MigrationError) throw err;
    throw new MigrationError(`migration ${migration.name} failed: ${(err as Error).message}`);
  }
}
