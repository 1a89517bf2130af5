// `paperboy db import-pglite`: the database of an earlier paperboy, PGlite in DATA_DIR/pglite,
// copied row by row into this version's database (the embedded PostgreSQL, or DATABASE_URL).
// PGlite is not a dependency any more: the operator installs the version that wrote the folder
// for this one run. The folder is set aside while it is read (so opening the new cluster does not
// refuse the old layout) and renamed to pglite.imported-<date> afterwards: never deleted.
import { existsSync, readFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../../log/logger.ts';
import { copyRows, type CopyResult, type RowSource } from '../copy-rows.ts';
import { openDatabase } from '../database.ts';
import { migrate, readMigrations, type Migration } from '../migrate.ts';
import { EmbeddedDatabaseError } from './errors.ts';
import { embeddedLayout } from './layout.ts';

const PGLITE_PACKAGE = '@electric-sql/pglite@0.5.14';

interface PGliteInstance extends RowSource {
  waitReady: Promise<void>;
  close(): Promise<void>;
}

export interface ImportOptions {
  dataDir: string;
  databaseUrl: string | undefined;
  log: Logger;
  onTable?: (table: string, rows: number) => void;
}

export async function importPglite({ dataDir, databaseUrl, log, onTable }: ImportOptions): Promise<CopyResult & { keptAt: string; into: string }> {
  const layout = embeddedLayout(dataDir);
  if (!existsSync(path.join(layout.pglite, 'PG_VERSION')))
    throw new EmbeddedDatabaseError(`there is no PGlite database in ${layout.pglite}`, 'NOTHING_TO_IMPORT');
  refuseRunningHost(dataDir);
  const PGlite = await loadPglite();

  const reading = `${layout.pglite}.importing`;
  await rename(layout.pglite, reading);
  let source: PGliteInstance | null = null;
  try {
    source = new PGlite(reading);
    await source.waitReady;
    const db = await openDatabase({ databaseUrl, dataDir, log });
    try {
      // The rows go into a database at the source's own migration, then the later migrations run
      // over them (they carry data forward: renamed columns, mapped statuses, backfills).
      const { reached, later } = await migrationsOf(source);
      await migrate(db.pgConfig, log, reached);
      const dest = new pg.Client(db.pgConfig);
      await dest.connect();
      try {
        const result = await copyRows(source, dest, onTable);
        await migrate(db.pgConfig, log, later);
        const keptAt = `${layout.pglite}.imported-${new Date().toISOString().slice(0, 10)}`;
        await source.close();
        source = null;
        await rename(reading, keptAt);
        log.info({ event: 'embedded.imported', from: layout.pglite, keptAt, tables: result.tables }, `imported ${layout.pglite} into ${db.description}`);
        return { ...result, keptAt, into: db.description };
      } finally {
        await dest.end();
      }
    } finally {
      await db.close();
    }
  } finally {
    await source?.close().catch(() => undefined);
    if (existsSync(reading)) await rename(reading, layout.pglite); // not imported: as it was
  }
}

/** This version's migrations: those the source has applied (a prefix of them), and the rest. */
async function migrationsOf(source: RowSource): Promise<{ reached: Migration[]; later: Migration[] }> {
  const all = await readMigrations();
  const { rows } = await source.query<{ name: string }>(
    'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  );
  const applied = new Set(rows.map((r) => r.name));
  const reached = all.findIndex((m) => !applied.has(m.name));
  const cut = reached === -1 ? all.length : reached;
  const gaps = all.slice(cut).filter((m) => applied.has(m.name));
  if (gaps.length > 0)
    throw new EmbeddedDatabaseError(`the earlier database skipped migrations before ${gaps[0]!.name}: it cannot be imported as it is`, 'IMPORT_REFUSED');
  return { reached: all.slice(0, cut), later: all.slice(cut) };
}

async function loadPglite(): Promise<new (dir: string) => PGliteInstance> {
  try {
    const module = (await import('@electric-sql/pglite')) as { PGlite: new (dir: string) => PGliteInstance };
    return module.PGlite;
  } catch {
    throw new EmbeddedDatabaseError(`reading the earlier database needs PGlite: run \`npm install --no-save ${PGLITE_PACKAGE}\` first`, 'PGLITE_MISSING');
  }
}

/** The earlier paperboy's host process kept DATA_DIR/pglite.lock/owner.json while it ran. */
function refuseRunningHost(dataDir: string): void {
  let pid: number;
  try {
    pid = (JSON.parse(readFileSync(path.join(dataDir, 'pglite.lock/owner.json'), 'utf8')) as { pid: number }).pid;
    process.kill(pid, 0);
  } catch {
    return;
  }
  throw new EmbeddedDatabaseError(`the earlier paperboy's database host (pid ${pid}) still has ${dataDir}/pglite open: stop it first`, 'PGLITE_IN_USE');
}
