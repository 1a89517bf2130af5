// Opening the database: PostgreSQL at DATABASE_URL, or the embedded PGlite under DATA_DIR reached
// through its host's socket. Either way the rest of the code gets the same Prisma client (driver
// adapter over node-postgres) and the same SQL.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { Logger } from '../log/logger.ts';
import { ensureEmbeddedHost } from './embedded/connect.ts';
import { PrismaClient } from './generated/client.ts';

export type DatabaseKind = 'postgres' | 'embedded';

/** A plain SQL runner (node-postgres): the send loop's hot statements skip Prisma's query engine. */
export type Sql = Pick<pg.Pool, 'query' | 'connect'>;

export interface Database {
  prisma: PrismaClient;
  /** the same connection pool as `prisma`, for plain parameterised SQL */
  sql: Sql;
  kind: DatabaseKind;
  /** settings for a plain node-postgres client (migrations, advisory locks, LISTEN) */
  pgConfig: pg.ClientConfig;
  /** e.g. "PostgreSQL 127.0.0.1:5432/paperboy" or "embedded (./data/pglite)" — never a password */
  description: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  log: Logger;
  /** connections in this process's pool */
  poolSize?: number;
  logLevel?: string;
}

export async function openDatabase({ databaseUrl, dataDir, log, poolSize = 8, logLevel }: OpenDatabaseOptions): Promise<Database> {
  if (databaseUrl) {
    const pgConfig: pg.ClientConfig = { connectionString: databaseUrl };
    const pool = newPool({ ...pgConfig, max: poolSize });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    const url = new URL(databaseUrl);
    return {
      prisma,
      sql: pool,
      kind: 'postgres',
      pgConfig,
      description: `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`,
      close: async () => {
        await prisma.$disconnect();
        await pool.end().catch(() => undefined);
      },
    };
  }

  const endpoint = await ensureEmbeddedHost({ dataDir, ...(logLevel ? { logLevel } : {}) });
  const pgConfig: pg.ClientConfig = { host: endpoint.host, port: endpoint.port, user: 'postgres', database: 'postgres' };
  const keepalive = new EmbeddedKeepalive(dataDir, pgConfig, log);
  await keepalive.start();
  const pool = newPool({ ...pgConfig, max: Math.min(poolSize, 4) });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    sql: pool,
    kind: 'embedded',
    pgConfig,
    description: `embedded PostgreSQL (PGlite) in ${dataDir}`,
    close: async () => {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
      await keepalive.stop();
    },
  };
}

function newPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('error', () => undefined); // an idle connection that drops is replaced on the next query
  return pool;
}

/**
 * One connection held open for the life of the process: the host stops after a while with no
 * connection, and a pool drops its idle ones. If the host goes away anyway (killed), start it again.
 */
class EmbeddedKeepalive {
  private client: pg.Client | null = null;
  private stopped = false;

  constructor(
    private readonly dataDir: string,
    private pgConfig: pg.ClientConfig,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client(this.pgConfig);
    client.on('error', () => undefined);
    client.on('end', () => void this.reconnect());
    await client.connect();
    this.client = client;
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    this.client = null;
    this.log.warn({ event: 'embedded.disconnected', dataDir: this.dataDir }, 'lost the embedded database host; starting it again');
    for (let delay = 200; !this.stopped; delay = Math.min(delay * 2, 5_000)) {
      try {
        const endpoint = await ensureEmbeddedHost({ dataDir: this.dataDir });
        this.pgConfig = { ...this.pgConfig, host: endpoint.host, port: endpoint.port };
        await this.start();
        this.log.info({ event: 'embedded.reconnected' }, 'embedded database host is back');
        return;
      } catch (err) {
        this.log.error({ event: 'embedded.reconnect_failed', err }, 'embedded database host did not come back');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
  }
}
