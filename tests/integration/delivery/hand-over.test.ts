// The hand-over (paperboy_hand_over, src/db/hand-over.ts) under two senders at once: two deliveries of
// one reader (two digests) with a paper in common, each claimed by another worker. While one sender's
// hand-over is open (its transaction holds the reader's lock and its `handed` row is not committed),
// the other's waits on the lock, then checks with what committed meanwhile: the paper is taken, its
// delivery is not handed. Had the check read a snapshot from before the wait, both would go out.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markHanded } from '../../../src/db/hand-over.ts';
import { openTestDatabase, type TestDatabase } from '../../support/databases.ts';

let t: TestDatabase;
let digests: number[];
let next = 0;
const HAND_OVER_LOCK_SPACE = 0x7068;

beforeAll(async () => {
  t = await openTestDatabase('postgres');
  const { sql } = t.db;
  digests = [];
  for (const hash of ['hand-over-a', 'hand-over-b']) {
    const snap = await sql.query<{ id: number }>(
      `INSERT INTO snapshot (source, captured_at, content_hash, format, entry_count) VALUES ('test', now(), $1, 'text', 0) RETURNING id`,
      [hash],
    );
    digests.push(
      (await sql.query<{ id: number }>(`INSERT INTO digest (snapshot_id, status) VALUES ($1, 'ready') RETURNING id`, [snap.rows[0]!.id])).rows[0]!.id,
    );
  }
});
afterAll(async () => {
  await t?.close();
});

/** A reader with a claimed delivery in each digest, by workers `a` and `b`, both with paper 7 (b's also 8). */
async function twoClaims() {
  const { sql } = t.db;
  const email = `hand-over-${process.pid}-${next++}@example.test`;
  const s = await sql.query<{ id: number }>(
    `INSERT INTO subscriber (email, email_key, status, token_nonce, updated_at) VALUES ($1, $1, 'active', 'n', now()) RETURNING id`,
    [email],
  );
  const claim = async (digestId: number, worker: string, papers: number[]) =>
    (
      await sql.query<{ id: number }>(
        `INSERT INTO delivery (digest_id, subscriber_id, papers, status, worker_id, attempt, claimed_at)
         VALUES ($1, $2, $3::jsonb, 'claimed', $4, 1, now()) RETURNING id`,
        [digestId, s.rows[0]!.id, JSON.stringify(papers.map((paperId) => ({ paperId, topics: ['t'] }))), worker],
      )
    ).rows[0]!.id;
  return { subscriberId: s.rows[0]!.id, a: await claim(digests[0]!, 'worker-a', [7]), b: await claim(digests[1]!, 'worker-b', [7, 8]) };
}

const statusOf = async (id: number) =>
  (await t.db.sql.query<{ status: string }>('SELECT status::text AS status FROM delivery WHERE id = $1', [id])).rows[0]!.status;

/** Sessions waiting for the hand-over's lock on this reader. */
const waitingFor = async (subscriberId: number) =>
  (
    await t.db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks
        WHERE locktype = 'advisory' AND NOT granted AND classid = $1 AND objid = $2
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [HAND_OVER_LOCK_SPACE, subscriberId],
    )
  ).rows[0]!.n;

describe('the hand-over under two senders', () => {
  it('waits for the other sender’s open hand-over of the same reader and sees its paper taken once it commits', async () => {
    const { subscriberId, a, b } = await twoClaims();
    const other = new pg.Client(t.db.pgConfig);
    await other.connect();
    try {
      await other.query('BEGIN');
      const first = await other.query<{ id: number; handed: boolean }>(`SELECT id, handed FROM paperboy_hand_over($1::int[], '{1}', 'worker-a')`, [[a]]);
      expect(first.rows).toEqual([{ id: a, handed: true }]);

      const second = markHanded(t.db.sql, 'worker-b', [{ id: b, attempt: 1 }]);
      await expect.poll(() => waitingFor(subscriberId), { timeout: 10_000 }).toBe(1);
      await other.query('COMMIT');

      expect(await second).toEqual({ handed: [], taken: [b] });
      expect(await statusOf(a)).toBe('handed');
      expect(await statusOf(b)).toBe('claimed');
    } finally {
      await other.end();
    }
  });

  it('hands the second one over once the first hand-over is rolled back (nothing of it reached the reader)', async () => {
    const { subscriberId, a, b } = await twoClaims();
    const other = new pg.Client(t.db.pgConfig);
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT id, handed FROM paperboy_hand_over($1::int[], '{1}', 'worker-a')`, [[a]]);

      const second = markHanded(t.db.sql, 'worker-b', [{ id: b, attempt: 1 }]);
      await expect.poll(() => waitingFor(subscriberId), { timeout: 10_000 }).toBe(1);
      await other.query('ROLLBACK');

      expect(await second).toEqual({ handed: [b], taken: [] });
      expect(await statusOf(a)).toBe('claimed');
      expect(await statusOf(b)).toBe('handed');
    } finally {
      await other.end();
    }
  });

  it('hands over only what is still this worker’s, at its attempt', async () => {
    const { a, b } = await twoClaims();
    expect(await markHanded(t.db.sql, 'worker-b', [{ id: a, attempt: 1 }])).toEqual({ handed: [], taken: [] });
    expect(await markHanded(t.db.sql, 'worker-a', [{ id: a, attempt: 2 }])).toEqual({ handed: [], taken: [] });
    expect(await markHanded(t.db.sql, 'worker-a', [{ id: a, attempt: 1 }])).toEqual({ handed: [a], taken: [] });
    expect(await markHanded(t.db.sql, 'worker-a', [{ id: a, attempt: 1 }])).toEqual({ handed: [], taken: [] });
    expect(await statusOf(b)).toBe('claimed');
  });
});
