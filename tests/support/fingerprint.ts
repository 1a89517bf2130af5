// "Nothing changed": a digest of every row of every paperboy table, to compare before and after.
import type { PrismaClient } from '../../src/db/generated/client.ts';

const TABLES = ['snapshot', 'paper', 'snapshot_entry', 'subscriber', 'mailed_paper', 'digest', 'digest_paper', 'delivery', 'delivery_attempt', 'feedback'];

/** `omit`: columns left out per table (a comparison across schemas where some did not exist). */
export async function tableFingerprint(prisma: PrismaClient, omit: Record<string, string[]> = {}): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of TABLES) {
    const row = omit[table]?.length ? `(to_jsonb(t) - ARRAY[${omit[table].map((c) => `'${c}'`).join(', ')}]::text[])::text` : 't::text';
    const rows = await prisma.$queryRawUnsafe<Array<{ n: bigint; h: string | null }>>(
      `SELECT count(*) AS n, md5(coalesce(string_agg(${row}, '|' ORDER BY ${row}), '')) AS h FROM "${table}" t`,
    );
    out[table] = `${rows[0]!.n}:${rows[0]!.h}`;
  }
  return out;
}
