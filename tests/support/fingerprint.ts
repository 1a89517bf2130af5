// "Nothing changed": a digest of every row of every paperboy table, to compare before and after.
import type { PrismaClient } from '../../src/db/generated/client.ts';

const TABLES = ['snapshot', 'paper', 'snapshot_entry', 'subscriber', 'mailed_paper', 'digest', 'delivery', 'delivery_attempt'];

export async function tableFingerprint(prisma: PrismaClient): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of TABLES) {
    const rows = await prisma.$queryRawUnsafe<Array<{ n: bigint; h: string | null }>>(
      `SELECT count(*) AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM "${table}" t`,
    );
    out[table] = `${rows[0]!.n}:${rows[0]!.h}`;
  }
  return out;
}
