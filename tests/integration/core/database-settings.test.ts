// Settings every connection of paperboy's pool carries, on the operator's PostgreSQL as on the embedded one.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../../support/databases.ts';

describe.each(BACKENDS)('database connections (%s)', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  test('no JIT compilation on any pooled connection (the claim spent ~1 s a batch compiling)', async () => {
    // several connections at once, so the pool opens new ones: each must have had its SET before its first query
    const clients = await Promise.all(Array.from({ length: 6 }, () => t.db.sql.connect()));
    try {
      const settings = await Promise.all(clients.map((c) => c.query<{ jit: string }>('SHOW jit')));
      expect(settings.map((r) => r.rows[0]!.jit)).toEqual(Array(6).fill('off'));
    } finally {
      for (const c of clients) c.release();
    }
    const viaPrisma = await t.db.prisma.$queryRawUnsafe<Array<{ jit: string }>>('SHOW jit');
    expect(viaPrisma[0]!.jit).toBe('off');
  });
});
