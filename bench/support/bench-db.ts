// A fresh PostgreSQL database for a benchmark run (BENCH_PG: an admin URL, default the local one),
// or a fresh embedded DATA_DIR, with a paperboy context on it.
import { chmod, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createContext, type AppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/config/config.ts';
import { newNonce } from '../../src/db/subscribers.ts';
import { createLogger } from '../../src/log/logger.ts';

export const ADMIN_URL = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function freshBenchDatabase(name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const db = `paperboy_bench_${name}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${db}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function benchContext(vars: Record<string, string | undefined>): Promise<{ ctx: AppContext; env: Record<string, string | undefined> }> {
  let dataDir = vars.DATA_DIR;
  if (!dataDir) {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-bench-'));
    await chmod(dataDir, 0o755); // as root, the embedded server runs as the user postgres
  }
  const env = { DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...vars };
  const ctx = await createContext(loadConfig({ env }), createLogger({ level: 'warn' }));
  return { ctx, env };
}

/** Inserts active subscribers in batches; topics(i) gives subscriber i's topics. */
export async function insertSubscribers(ctx: AppContext, count: number, topics: (i: number) => string[]): Promise<void> {
  for (let start = 0; start < count; start += 5000) {
    const n = Math.min(5000, count - start);
    await ctx.db.prisma.subscriber.createMany({
      data: Array.from({ length: n }, (_, k) => {
        const i = start + k;
        return { email: `reader${i}@example.org`, emailKey: `reader${i}@example.org`, topics: topics(i), status: 'active' as const, tokenNonce: newNonce() };
      }),
    });
  }
}

export async function databaseSizeMb(ctx: AppContext): Promise<number> {
  const rows = await ctx.db.prisma.$queryRaw<Array<{ size: bigint }>>`SELECT pg_database_size(current_database()) AS size`;
  return Math.round(Number(rows[0]!.size) / 1024 / 1024);
}
