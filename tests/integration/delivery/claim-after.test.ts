// The claim from the sender's cursor (claimDeliveries' `after`): the lowest queued ids above it, none
// at or below it; from 0, the lowest of all — a delivery queued again behind the cursor included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDeliveries } from '../../../src/db/deliveries.ts';
import { registerWorker } from '../../../src/db/workers.ts';
import { openTestDatabase, type TestDatabase } from '../../support/databases.ts';
import { insertReadyDigest } from '../../support/ready-digest.ts';

let t: TestDatabase;
const ids: number[] = [];
const WORKER = 'claim-after-worker';

beforeAll(async () => {
  t = await openTestDatabase('postgres');
  const { sql } = t.db;
  await registerWorker(sql, WORKER, 'test');
  const digest = await insertReadyDigest(sql, 'claim-after');
  for (let i = 0; i < 6; i++) {
    const email = `reader-${i}@example.test`;
    const s = await sql.query<{ id: number }>(
      `INSERT INTO subscriber (email, email_key, status, token_nonce, updated_at) VALUES ($1, $1, 'active', 'n', now()) RETURNING id`,
      [email],
    );
    const d = await sql.query<{ id: number }>(`INSERT INTO delivery (digest_id, subscriber_id, papers) VALUES ($1, $2, '[]'::jsonb) RETURNING id`, [
      digest,
      s.rows[0]!.id,
    ]);
    ids.push(d.rows[0]!.id);
  }
});
afterAll(async () => {
  await t?.close();
});

const claim = (limit: number, after: number) => claimDeliveries(t.db.sql, WORKER, limit, 'example.test', after).then((c) => c.map((d) => d.id));

describe('claimDeliveries after a cursor', () => {
  it('takes the lowest queued ids above the cursor and none at or below it', async () => {
    expect(await claim(2, ids[1]!)).toEqual([ids[2], ids[3]]);
    expect(await claim(10, ids[4]!)).toEqual([ids[5]]);
    expect(await claim(10, ids[5]!)).toEqual([]);
  });

  it('from 0 takes what is left behind the cursor, a delivery queued again among them', async () => {
    await t.db.sql.query(`UPDATE delivery SET status = 'queued', worker_id = NULL WHERE id = $1`, [ids[3]]);
    expect(await claim(10, 0)).toEqual([ids[0], ids[1], ids[3], ids[4]]);
  });
});
