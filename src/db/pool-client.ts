// A client of its own from the pool, for statements that must share one connection (a transaction).
import type pg from 'pg';
import type { Sql } from './database.ts';

/**
 * Runs `fn` on a client checked out of the pool. If `fn` throws, a transaction it left open is rolled
 * back; a client whose connection broke (its 'error', kept here and never thrown: the query rejects
 * too) is discarded, not returned to the pool.
 */
async function withClient<T>(sql: Sql, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await sql.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => (broken = err);
  client.on('error', onError);
  try {
    return await fn(client);
  } catch (err) {
    if (!broken) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** Runs `fn` in a transaction on a client of its own: committed if it returns, rolled back if it throws. */
export function inTransaction<T>(sql: Sql, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(sql, async (client) => {
    await client.query('BEGIN');
    const value = await fn(client);
    await client.query('COMMIT');
    return value;
  });
}
