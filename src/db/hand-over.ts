// Never the same paper twice, whatever the operator does (a resend, a resolve, the dashboard): the
// sender itself leaves out of a delivery the papers its reader already got in ANOTHER delivery (a
// mailed paper of it, or one kept in reader_mailed once its rows expired: jobs/retention.ts) or may
// be getting (another delivery of theirs handed, or unknown: it may have reached them). Checked twice:
//   - at the claim, to render only what is left (the delivery's papers are narrowed to it: the web
//     view shows what was mailed); a delivery left with nothing is skipped by the sender, never mailed;
//   - at the hand-over, in ONE transaction per batch of marks, after an advisory lock per subscriber
//     (HAND_OVER_LOCK_SPACE, subscriber id): two senders handing two deliveries of one reader wait for
//     each other, and the second one sees the first one's `handed`. A delivery whose papers were taken
//     since its claim is not handed (released, claimed and narrowed again), so nothing goes out twice.
import { guard, MAY_BE_REACHING, statusIn, target } from '../model/delivery-status.ts';
import type { Sql } from './database.ts';
import type { FailureDetail, Held } from '../model/delivery.ts';

/** The first key of the hand-over's advisory locks ("ph"): the second is the subscriber's id. */
const HAND_OVER_LOCK_SPACE = 0x7068;

/**
 * SQL: true when the paper `p` (an element of delivery `d`'s papers) reached d's reader in another
 * delivery, or may be reaching them in one (handed, or unknown).
 *
 * The reader's other deliveries are found by subscriber alone (a reader has a few): the status test is
 * on `status::text` so that PostgreSQL cannot AND in the status index. During a send that index holds
 * an entry for every row updated since the last vacuum (a status change is never a HOT update), and
 * scanning "handed or unknown" in it grew with every message sent: at 100,000 readers the claim went
 * from milliseconds to seconds a batch (bench/README.md, scale).
 */
function paperTaken(p: string, d: string): string {
  return `(EXISTS (SELECT 1 FROM mailed_paper m
                  WHERE m.subscriber_id = ${d}.subscriber_id AND m.paper_id = (${p}->>'paperId')::int AND m.delivery_id <> ${d}.id)
        OR EXISTS (SELECT 1 FROM reader_mailed r
                  WHERE r.subscriber_id = ${d}.subscriber_id AND (${p}->>'paperId')::int = ANY(r.paper_ids))
        OR EXISTS (SELECT 1 FROM delivery o
                  WHERE o.subscriber_id = ${d}.subscriber_id AND o.id <> ${d}.id AND ${statusIn('o.status::text', MAY_BE_REACHING)}
                    AND o.papers @> jsonb_build_array(jsonb_build_object('paperId', ${p}->'paperId'))))`;
}

/** SQL: the papers of delivery `d` that are left once the taken ones are left out (in their order). */
export function papersLeft(d: string): string {
  return `(SELECT coalesce(jsonb_agg(e.p ORDER BY e.n), '[]'::jsonb)
             FROM jsonb_array_elements(${d}.papers) WITH ORDINALITY AS e(p, n)
            WHERE NOT ${paperTaken('e.p', d)})`;
}

export interface HandOverResult {
  /** recorded handed: their data may go */
  handed: number[];
  /** still this worker's, but some of their papers were taken since the claim: not handed */
  taken: number[];
}

/**
 * SQL: the hand-over's function, `paperboy_hand_over(ids, attempts, worker)` → (id, handed) per
 * delivery still this worker's: the advisory lock per reader (taken in subscriber order), then — in a
 * new statement, so with a snapshot taken after the locks: it sees another sender's `handed` committed
 * while this one waited — the never-twice check and the guarded update. Called as one statement, it
 * runs in that statement's transaction: the locks are held to its commit. Created by the migration
 * hand_over_function, which holds this text (a unit test compares them).
 *
 * PL/pgSQL keeps its statements' plans per connection, and here always the generic ones
 * (`force_generic_plan`: left to choose, PostgreSQL kept planning one of them on every call, from
 * estimates, although the generic plan ran as fast; planning was a quarter of the hand-over's CPU:
 * bench/README.md, send). So the plans must not depend on the values, nor on statistics that go
 * stale while the plan is kept: the deliveries are found by id (`d.id = ANY(ids)`, the primary key)
 * and the guards test `status::text`, so that a plan made without the ids cannot pick the status index
 * instead (it holds an entry for every row changed since the last vacuum: bench/README.md, scale); and
 * no table is read sequentially (`enable_seqscan = off`: every look-up here has its index), or a plan
 * made while this month's mailed_paper partition was empty (and analysed so) would scan the whole
 * partition for every paper until the next ANALYZE — 2 ms a hand-over instead of 0.35 ms, measured. Passing digest_id as well (to prune to one
 * partition) was measured and not kept: the hand-over cost more with it (bench/README.md, send).
 */
export function handOverFunction(): string {
  return `CREATE OR REPLACE FUNCTION "paperboy_hand_over"(ids int[], attempts int[], worker text)
  RETURNS TABLE (id int, handed boolean) LANGUAGE plpgsql
  SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $fn$
#variable_conflict use_column
BEGIN
  PERFORM pg_advisory_xact_lock(${HAND_OVER_LOCK_SPACE}, x.s) FROM (SELECT DISTINCT d.subscriber_id AS s FROM delivery d WHERE d.id = ANY(ids) ORDER BY 1) x;
  RETURN QUERY
  WITH input AS (
    SELECT * FROM unnest(ids, attempts) AS u(id, attempt)
  ), mine AS (
    SELECT d.id, d.attempt, d.subscriber_id, d.papers FROM delivery d JOIN input ON input.id = d.id AND input.attempt = d.attempt
     WHERE d.id = ANY(ids) AND ${guard('hand', 'd.status::text')} AND d.worker_id = worker
  ), clear AS (
    SELECT d.id, d.attempt FROM mine d
     WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(d.papers) AS e(p) WHERE ${paperTaken('e.p', 'd')})
       -- two deliveries of one reader in this batch with a paper in common: the older one goes first
       AND NOT EXISTS (SELECT 1 FROM mine b CROSS JOIN LATERAL jsonb_array_elements(d.papers) AS e(p)
                        WHERE b.subscriber_id = d.subscriber_id AND b.id < d.id
                          AND b.papers @> jsonb_build_array(jsonb_build_object('paperId', e.p->'paperId')))
  ), done AS (
    UPDATE delivery d SET status = ${target('hand')}, handed_at = now()
      FROM clear
     WHERE d.id = ANY(ARRAY(SELECT clear.id FROM clear)) AND d.id = clear.id AND d.attempt = clear.attempt
       AND ${guard('hand', 'd.status::text')} AND d.worker_id = worker
    RETURNING d.id
  )
  SELECT mine.id, done.id IS NOT NULL FROM mine LEFT JOIN done ON done.id = mine.id;
END
$fn$`;
}

/**
 * claimed → handed for a batch, committed before any of their message data goes to the relay. A
 * delivery in neither list is no longer this worker's to send. One statement, one round trip, its own
 * transaction (named: each connection parses it once; the function keeps its plans per connection).
 */
export async function markHanded(sql: Sql, workerId: string, held: readonly Held[]): Promise<HandOverResult> {
  if (held.length === 0) return { handed: [], taken: [] };
  const { rows } = await sql.query<{ id: number; handed: boolean }>({
    name: 'paperboy.hand-over',
    text: 'SELECT id, handed FROM paperboy_hand_over($1::int[], $2::int[], $3)',
    values: [held.map((h) => h.id), held.map((h) => h.attempt), workerId],
  });
  return { handed: rows.filter((r) => r.handed).map((r) => r.id), taken: rows.filter((r) => !r.handed).map((r) => r.id) };
}

/**
 * claimed → skipped: every paper of it reached the reader in another delivery (or is on its way),
 * so it is never mailed. Recorded as an attempt, with the reason.
 */
export async function markSkipped(sql: Sql, workerId: string, held: Held, reason: Omit<FailureDetail, 'response'>): Promise<boolean> {
  const { rows } = await sql.query(
    `WITH done AS (
       UPDATE delivery SET status = ${target('skip')}, error_code = $4, last_error = $5, next_try_at = NULL
        WHERE id = $1 AND attempt = $2 AND ${guard('skip')} AND worker_id = $3
       RETURNING id, digest_id, attempt, message_id
     )
     INSERT INTO delivery_attempt (delivery_id, digest_id, attempt, status, message_id, error_code, worker_id, reason, at)
     SELECT id, digest_id, attempt, 'skipped', message_id, $4, $3, $5, now() FROM done
     RETURNING delivery_id`,
    [held.id, held.attempt, workerId, reason.code, reason.error],
  );
  return rows.length === 1;
}
