// Copies every paperboy row from one database to another of the same schema: used to bring the
// database of an earlier paperboy (PGlite) into this one. Rows travel as JSON text produced and
// read by PostgreSQL itself (row_to_json → json_populate_recordset), so no value passes through a
// JavaScript type on the way; tables go parents first; serial sequences continue after the copied
// ids; the whole copy is one transaction on the destination (all or nothing).
import { readMigrations } from './migrate.ts';

/** What both node-postgres and PGlite offer. */
export interface RowSource {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

class CopyError extends Error {
  readonly code = 'COPY_REFUSED';
}

export interface CopyResult {
  /** rows copied per table, in the order copied */
  tables: Array<{ table: string; rows: number }>;
  /** tables of the source this version no longer has (dropped by a later migration) */
  skipped: string[];
}

const PAGE = 2_000;

export async function copyRows(source: RowSource, dest: RowSource, onTable?: (table: string, rows: number) => void): Promise<CopyResult> {
  await checkMigrations(source);
  const sourceTables = await tablesOf(source);
  const destTables = await tablesOf(dest);
  const order = parentsFirst(destTables, await foreignKeys(dest)).filter((t) => sourceTables.includes(t));
  const skipped = sourceTables.filter((t) => !destTables.includes(t));
  const result: CopyResult = { tables: [], skipped };

  await dest.query('BEGIN');
  try {
    for (const table of order) {
      const { rows } = await dest.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${q(table)}) AS any`);
      if (rows[0]!.any) throw new CopyError(`the destination already holds data (table ${table}): import into an empty database`);
    }
    for (const table of order) {
      const columns = await copyableColumns(source, dest, table);
      const key = await primaryKey(source, table);
      const list = columns.map(q).join(', ');
      let copied = 0;
      for (;;) {
        const page = await source.query<{ r: string }>(
          `SELECT row_to_json(t)::text AS r FROM (SELECT ${list} FROM ${q(table)} ORDER BY ${key.map(q).join(', ')} LIMIT ${PAGE} OFFSET ${copied}) t`,
        );
        if (page.rows.length === 0) break;
        await dest.query(`INSERT INTO ${q(table)} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${q(table)}, $1::json)`, [
          `[${page.rows.map((row) => row.r).join(',')}]`,
        ]);
        copied += page.rows.length;
        if (page.rows.length < PAGE) break;
      }
      await continueSequences(dest, table);
      result.tables.push({ table, rows: copied });
      onTable?.(table, copied);
    }
    await dest.query('COMMIT');
  } catch (err) {
    await dest.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return result;
}

/** The source must not be newer than this version: every migration it had applied is known here. */
async function checkMigrations(source: RowSource): Promise<void> {
  const known = new Set((await readMigrations()).map((m) => m.name));
  const { rows } = await source.query<{ name: string }>(
    'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  );
  const unknown = rows.map((r) => r.name).filter((n) => !known.has(n));
  if (unknown.length) throw new CopyError(`the source was migrated by a newer paperboy (${unknown.join(', ')}): upgrade this one first`);
}

async function tablesOf(db: RowSource): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> " +
      "'_prisma_migrations' ORDER BY 1",
  );
  return rows.map((r) => r.name);
}

async function foreignKeys(db: RowSource): Promise<Array<{ child: string; parent: string }>> {
  const { rows } = await db.query<{ child: string; parent: string }>(
    'SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = ' +
      "k.confrelid WHERE k.contype = 'f' AND k.connamespace = 'public'::regnamespace",
  );
  return rows;
}

/** Tables ordered so that every table comes after the tables it references. */
export function parentsFirst(tables: string[], keys: Array<{ child: string; parent: string }>): string[] {
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (table: string, path: Set<string>) => {
    if (done.has(table) || path.has(table)) return;
    path.add(table);
    for (const k of keys) if (k.child === table && k.parent !== table) visit(k.parent, path);
    done.add(table);
    out.push(table);
  };
  for (const t of [...tables].sort()) visit(t, new Set());
  return out;
}

async function columnsOf(db: RowSource, table: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER' " +
      'ORDER BY ordinal_position',
    [table],
  );
  return rows.map((r) => r.name);
}

/** Columns both sides have (a column added by a later migration keeps its default). */
async function copyableColumns(source: RowSource, dest: RowSource, table: string): Promise<string[]> {
  const have = new Set(await columnsOf(source, table));
  return (await columnsOf(dest, table)).filter((c) => have.has(c));
}

async function primaryKey(db: RowSource, table: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    [q(table)],
  );
  if (rows.length === 0) throw new CopyError(`table ${table} has no primary key`);
  return rows.map((r) => r.name);
}

/** Serial columns continue after the highest copied value. */
async function continueSequences(dest: RowSource, table: string): Promise<void> {
  const { rows } = await dest.query<{ name: string }>(
    "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_default LIKE 'nextval(%'",
    [table],
  );
  for (const { name } of rows) {
    await dest.query(`SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(${q(name)}) FROM ${q(table)}), 0) + 1, false)`, [q(table), name]);
  }
}

function q(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
