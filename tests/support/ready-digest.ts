// A ready digest of an empty snapshot, inserted directly: for tests of the delivery statements,
// which need a digest to hang deliveries on and nothing of what a build does.
import type { Sql } from '../../src/db/database.ts';

export async function insertReadyDigest(sql: Sql, name: string): Promise<number> {
  const snap = await sql.query<{ id: number }>(
    `INSERT INTO snapshot (source, captured_at, content_hash, format, entry_count) VALUES ('test', now(), $1, 'text', 0) RETURNING id`,
    [name],
  );
  const digest = await sql.query<{ id: number }>(`INSERT INTO digest (snapshot_id, status) VALUES ($1, 'ready') RETURNING id`, [snap.rows[0]!.id]);
  return digest.rows[0]!.id;
}
