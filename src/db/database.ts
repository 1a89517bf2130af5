// Opening the database: PostgreSQL at DATABASE_URL, or the embedded PostgreSQL under DATA_DIR
// (started as needed, shared by every paperboy process on that DATA_DIR: see embedded/cluster.ts).
// Either way the rest of the code gets the same Prisma client (driver adapter over node-postgres),
// the same SQL and the same locks.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { Logger } from '../log/logger.ts';
import { EmbeddedCluster } from './embedded/cluster.ts';
import { Prisma, PrismaClient } from './generated/client.ts';

type DatabaseKind = 'postgres' | 'embedded';

// The handles the rest of the code reaches the database with: every file takes them from here.

/** The Prisma client, or one of its transactions (`prisma.$transaction`): what the Prisma-based reads and writes take. */
export type Db = PrismaClient | Prisma.TransactionClient;

/** A plain SQL runner (node-postgres): the send loop's hot statements skip Prisma's query engine. */
export type Sql = Pick<pg.Pool, 'query' | 'connect'>;

/** The pool, or one connection of it inside a transaction: anything that runs plain SQL. */
export type Queryable = Pick<Sql, 'query'>;

export interface Database {
  prisma: PrismaClient;
  /** the same connection pool as `prisma`, for plain parameterised SQL */
  sql: Sql;
  kind: DatabaseKind;
  /** settings for a plain node-postgres client (migrations, advisory locks, LISTEN) */
  pgConfig: pg.ClientConfig;
  /** e.g. "PostgreSQL 127.0.0.1:5432/paperboy" or "embedded PostgreSQL in /srv/paperboy/data/postgres" — never a password */
  description: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  log: Logger;
  /** connections in this process's pool */
  poolSize?: number;
}

export async function openDatabase({ databaseUrl, dataDir, log, poolSize = 8 }: OpenDatabaseOptions): Promise<Database> {
  if (databaseUrl) {
    const url = new URL(databaseUrl);
    return connect({ connectionString: databaseUrl }, poolSize, 'postgres', `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`);
  }
  const cluster = await EmbeddedCluster.join({ dataDir, log });
  return connect(cluster.pgConfig, poolSize, 'embedded', `embedded PostgreSQL in ${cluster.layout.pgdata}`, () => cluster.leave());
}

function connect(pgConfig: pg.ClientConfig, poolSize: number, kind: DatabaseKind, description: string, after?: () => Promise<unknown>): Database {
  const pool = new pg.Pool({
    ...pgConfig,
    max: poolSize,
    // No JIT compilation: paperboy's statements are short, and PostgreSQL's cost estimates for the
    // never-twice check (a subquery per paper, hand-over.ts) cross jit_above_cost, so every claim spent
    // ~1 s compiling for ~70 ms of work (bench/README.md, scale). Set on each new connection before the
    // pool hands it out (not a startup option: poolers such as PgBouncer refuse those).
    // (a server older than PostgreSQL 11 has no JIT and no such setting: 42704, nothing to turn off)
    // pg-pool awaits this promise (and drops the connection if it rejects); @types/pg types it as void.
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- see above
    onConnect: async (client) => {
      await client.query('SET jit = off').catch((err: { code?: string }) => {
        if (err.code !== '42704') throw err;
      });
    },
  });
  pool.on('error', () => undefined); // an idle connection that drops is replaced on the next query
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    sql: pool,
    kind,
    pgConfig,
    description,
    close: async () => {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
      await after?.();
    },
  };
}
