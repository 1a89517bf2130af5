// What the retention job (jobs/retention.ts) does to the database. mailed_paper, a row per paper
// mailed to a reader, is partitioned by month of mailed_at (migration delivery_retention): a month
// older than the retention goes whole — its papers folded into reader_mailed (one row per reader, the
// paper ids as one sorted array) and its partition dropped, in one transaction, so "never twice"
// never has a gap. delivery and delivery_attempt are partitioned by digest (migration
// delivery_partitions: 32 digest ids a partition, about a month of daily digests): a partition whose
// every digest was built before the retention goes whole too, both tables in one transaction; its
// deliveries still on their way (queued, claimed, handed, unknown) are moved first, with their
// attempts, into the default partition, where they stay until they are finished. The default
// partition's finished deliveries older than the retention are deleted in batches, each a short
// transaction, after folding any mailed_paper rows they still have. A delivery still on its way is
// never deleted, whatever its age.
import { plural } from '../log/plural.ts';
import { DELIVERY_STATUSES, ON_ITS_WAY } from '../model/delivery-status.ts';
import type { Sql } from './database.ts';
import { inTransaction } from './pool-client.ts';

/** finished: nothing more happens to it unless an operator acts (their papers are recorded) */
const FINISHED = DELIVERY_STATUSES.filter((s) => !(ON_ITS_WAY as readonly string[]).includes(s));
const FINISHED_SQL = `(${FINISHED.map((s) => `'${s}'`).join(', ')})`;
/** on its way, as an enum list: found through the status index, not by reading every row */
const ON_ITS_WAY_SQL = `(${ON_ITS_WAY.map((s) => `'${s}'::"DeliveryStatus"`).join(', ')})`;

const MONTH_PARTITION = /^mailed_paper_(\d{4})_(\d{2})$/;
const DIGESTS_PARTITION = /^delivery_digests_(\d+)_(\d+)$/;
/** digest ids a partition of delivery holds (paperboy_delivery_partition, migration delivery_partitions) */
const DIGESTS_PER_PARTITION = 32;

/**
 * How long creating or dropping a partition may wait for the lock on mailed_paper (every statement
 * on the table queues behind the waiting one) before giving up until the next run.
 */
const LOCK_TIMEOUT = '3s';

/**
 * SQL: folds the mailed_paper rows of `source` (a query giving subscriber_id, paper_id, mailed_at)
 * into reader_mailed. Idempotent: a paper already there stays once.
 */
function foldInto(source: string): string {
  return `INSERT INTO reader_mailed (subscriber_id, paper_ids, mailed_through)
          SELECT s.subscriber_id, array_agg(DISTINCT s.paper_id ORDER BY s.paper_id), max(s.mailed_at) FROM (${source}) s
           GROUP BY s.subscriber_id
          ON CONFLICT (subscriber_id) DO UPDATE
            SET paper_ids = ARRAY(SELECT DISTINCT x FROM unnest(reader_mailed.paper_ids || EXCLUDED.paper_ids) AS x ORDER BY x),
                mailed_through = greatest(reader_mailed.mailed_through, EXCLUDED.mailed_through)`;
}

export interface MailedPartition {
  name: string;
  /** the first instant of its month (UTC) */
  from: Date;
  /** the first instant of the next month: every row of it is older than this */
  to: Date;
}

/** The month partitions of mailed_paper, oldest first (the default partition is not one of them). */
export async function mailedPartitions(sql: Pick<Sql, 'query'>): Promise<MailedPartition[]> {
  const { rows } = await sql.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'mailed_paper'::regclass ORDER BY c.relname`,
  );
  const out: MailedPartition[] = [];
  for (const { name } of rows) {
    const m = MONTH_PARTITION.exec(name);
    if (!m) continue;
    const year = Number(m[1]);
    const month = Number(m[2]) - 1;
    out.push({ name, from: new Date(Date.UTC(year, month, 1)), to: new Date(Date.UTC(year, month + 1, 1)) });
  }
  return out;
}

/**
 * Creates the partitions of this month and the `ahead` next ones that are missing, each in its own
 * transaction that waits at most LOCK_TIMEOUT for the table's lock (creating a partition locks
 * mailed_paper whole: behind a long transaction it would hold up every send): a month it could not
 * lock is in `busy`, for the next run. A month whose rows already sit in the default partition (the
 * job did not run for months) cannot get its own: it is in `refused`, its rows stay in the default
 * partition (expired row by row).
 */
export async function createMailedPartitions(sql: Sql, now: Date, ahead: number): Promise<PartitionsCreated> {
  const months = Array.from({ length: ahead + 1 }, (_, i) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1)));
  return createPartitions(
    sql,
    new Set((await mailedPartitions(sql)).map((p) => p.name)),
    months.map((month) => ({ name: `mailed_paper_${month.toISOString().slice(0, 7).replace('-', '_')}`, create: 'paperboy_mailed_paper_month', from: month })),
  );
}

type PartitionsCreated = { created: string[]; refused: string[]; busy: string[] };

/** Each missing partition created by its SQL function in its own transaction under LOCK_TIMEOUT: created, refused or busy. */
async function createPartitions(sql: Sql, existing: Set<string>, wanted: { name: string; create: string; from: Date | number }[]): Promise<PartitionsCreated> {
  const out: PartitionsCreated = { created: [], refused: [], busy: [] };
  for (const { name, create, from } of wanted) {
    if (existing.has(name)) continue;
    try {
      await inTransaction(sql, async (client) => {
        await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
        await client.query(`SELECT ${create}($1)`, [from]);
      });
      out.created.push(name);
    } catch (err) {
      const code = (err as { code?: string }).code;
      // 23514: "updated partition constraint for default partition would be violated"
      if (code === '23514') out.refused.push(name);
      else if (code === '55P03') out.busy.push(name);
      else throw err;
    }
  }
  return out;
}

export type DropOutcome = { dropped: true; folded: number } | { dropped: false; reason: 'busy' };

/**
 * Folds one month partition into reader_mailed and drops it, in one transaction: either both or
 * neither. The drop waits at most DROP_LOCK_TIMEOUT for the table's lock (a long transaction reading
 * mailed_paper, such as a digest build, holds it): then nothing changes and the month is left for
 * the next run.
 */
export async function dropMailedPartition(sql: Sql, partition: string): Promise<DropOutcome> {
  if (!MONTH_PARTITION.test(partition)) throw new Error(`not a month partition of mailed_paper: ${partition}`);
  try {
    return await inTransaction(sql, async (client) => {
      const folded = await client.query(foldInto(`SELECT subscriber_id, paper_id, mailed_at FROM "${partition}"`));
      await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      await client.query(`DROP TABLE "${partition}"`);
      return { dropped: true, folded: folded.rowCount ?? 0 } as const;
    });
  } catch (err) {
    if ((err as { code?: string }).code === '55P03') return { dropped: false, reason: 'busy' }; // lock_not_available: rolled back
    throw err;
  }
}

/** Folds and deletes the default partition's rows mailed before `cutoff` (one statement). Returns how many went. */
export async function expireDefaultPartition(sql: Pick<Sql, 'query'>, cutoff: Date): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(
    `WITH gone AS (DELETE FROM mailed_paper_default WHERE mailed_at < $1 RETURNING subscriber_id, paper_id, mailed_at),
          folded AS (${foldInto('SELECT * FROM gone')})
     SELECT count(*) AS n FROM gone`,
    [cutoff],
  );
  return Number(rows[0]?.n ?? 0);
}

export interface DeliveryPartition {
  /** delivery_digests_<from>_<to> */
  name: string;
  /** delivery_attempt_digests_<from>_<to>, dropped with it */
  attempts: string;
  /** the digest ids it holds: from ≤ id < to */
  from: number;
  to: number;
}

/** The digest partitions of delivery, lowest digests first (the default partition is not one of them). */
export async function deliveryPartitions(sql: Pick<Sql, 'query'>): Promise<DeliveryPartition[]> {
  const { rows } = await sql.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'delivery'::regclass`,
  );
  const out: DeliveryPartition[] = [];
  for (const { name } of rows) {
    const m = DIGESTS_PARTITION.exec(name);
    if (m) out.push({ name, attempts: name.replace(/^delivery_/, 'delivery_attempt_'), from: Number(m[1]), to: Number(m[2]) });
  }
  return out.sort((a, b) => a.from - b.from);
}

/** The id the next digest gets (digest ids only grow: a partition below it gets no new digest). */
async function nextDigestId(sql: Pick<Sql, 'query'>): Promise<number> {
  const { rows } = await sql.query<{ next: string }>(`SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END AS next FROM digest_id_seq`);
  return Number(rows[0]!.next);
}

/**
 * Creates the partitions of delivery (and delivery_attempt) for the next digest's ids and the `ahead`
 * ranges after it that are missing, each in its own transaction that waits at most LOCK_TIMEOUT for
 * the tables' lock: `busy` for the next run. A range whose rows already sit in the default partition
 * (digests made faster than the job ran) cannot get its own: `refused`, its rows stay in the default
 * partition (expired row by row).
 */
export async function createDeliveryPartitions(sql: Sql, ahead: number): Promise<PartitionsCreated> {
  const first = Math.floor((await nextDigestId(sql)) / DIGESTS_PER_PARTITION) * DIGESTS_PER_PARTITION;
  const ranges = Array.from({ length: ahead + 1 }, (_, i) => first + i * DIGESTS_PER_PARTITION);
  return createPartitions(
    sql,
    new Set((await deliveryPartitions(sql)).map((p) => p.name)),
    ranges.map((from) => ({ name: `delivery_digests_${from}_${from + DIGESTS_PER_PARTITION}`, create: 'paperboy_delivery_partition', from })),
  );
}

/**
 * Whether every digest a partition can hold was built before `cutoff`: no later digest can get an id
 * in it, and those it has (if any) are older.
 */
export async function deliveryPartitionExpired(sql: Pick<Sql, 'query'>, p: DeliveryPartition, cutoff: Date): Promise<boolean> {
  if ((await nextDigestId(sql)) < p.to) return false;
  const { rows } = await sql.query<{ newest: Date | null }>(`SELECT max(created_at) AS newest FROM digest WHERE id >= $1 AND id < $2`, [p.from, p.to]);
  const newest = rows[0]?.newest;
  return !newest || newest.getTime() < cutoff.getTime();
}

export type DeliveryDropOutcome =
  | {
      dropped: true;
      deliveries: number;
      moved: number;
      reportsCleared: number;
      /** how long the tables were locked (every send waits meanwhile): from the lock to the commit */
      lockedMs: number;
    }
  | { dropped: false; reason: 'busy' };

/**
 * Drops one digest partition of delivery and its delivery_attempt partition, in one transaction that
 * waits at most LOCK_TIMEOUT for the tables' lock (a long transaction reading deliveries holds it:
 * then nothing changes, the partition is left for the next run). Under that lock, before the drop:
 * its deliveries still on their way are kept aside with their attempts and inserted again after it
 * (the same rows and ids, into the default partition: moved, not added, so the erased-subscriber
 * trigger is off for them), and the inbound reports naming a dropped delivery forget it (what
 * ON DELETE SET NULL did). mailed_paper rows naming a dropped delivery stay until their own month goes
 * (folded then: never-twice reads reader and paper).
 */
export async function dropDeliveryPartition(sql: Sql, p: DeliveryPartition): Promise<DeliveryDropOutcome> {
  if (!DIGESTS_PARTITION.test(p.name) || p.attempts !== p.name.replace(/^delivery_/, 'delivery_attempt_'))
    throw new Error(`not a digest partition of delivery: ${p.name}`);
  // counted before the lock: what the partition holds (nothing is added to it any more)
  const { rows: counted } = await sql.query<{ n: string }>(`SELECT count(*) AS n FROM "${p.name}"`);
  let locked = 0;
  try {
    const outcome = await inTransaction(sql, async (client) => {
      await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      await client.query(`LOCK TABLE delivery, delivery_attempt IN ACCESS EXCLUSIVE MODE`);
      locked = performance.now();
      // (through indexes: the lock is held meanwhile, and a partition holds a month of rows)
      await client.query(`CREATE TEMP TABLE retention_kept ON COMMIT DROP AS SELECT * FROM "${p.name}" WHERE status IN ${ON_ITS_WAY_SQL}`);
      await client.query(`ANALYZE retention_kept`);
      await client.query(
        `CREATE TEMP TABLE retention_kept_attempts ON COMMIT DROP AS SELECT * FROM "${p.attempts}" WHERE delivery_id IN (SELECT id FROM retention_kept)`,
      );
      // the reports of its deliveries (the partition's id range, then each checked in it)
      const cleared = await client.query(
        `WITH span AS (SELECT min(id) AS lo, max(id) AS hi FROM "${p.name}")
         UPDATE inbound_report r SET delivery_id = NULL FROM span
          WHERE r.delivery_id BETWEEN span.lo AND span.hi
            AND EXISTS (SELECT 1 FROM "${p.name}" d WHERE d.id = r.delivery_id)
            AND NOT EXISTS (SELECT 1 FROM retention_kept k WHERE k.id = r.delivery_id)`,
      );
      await client.query(`DROP TABLE "${p.attempts}"`);
      await client.query(`DROP TABLE "${p.name}"`);
      await client.query(`ALTER TABLE delivery DISABLE TRIGGER delivery_skip_erased`);
      const moved = await client.query(`INSERT INTO delivery SELECT * FROM retention_kept`);
      await client.query(`ALTER TABLE delivery ENABLE TRIGGER delivery_skip_erased`);
      const kept = await client.query<{ n: string }>(`SELECT count(*) AS n FROM retention_kept`);
      // (never: the only trigger that skips rows is off) — but a delivery on its way is never lost: rolled back
      if ((moved.rowCount ?? 0) !== Number(kept.rows[0]!.n))
        throw new Error(`${p.name}: ${plural(Number(kept.rows[0]!.n), 'delivery', 'deliveries')} to move, ${moved.rowCount} moved`);
      await client.query(`INSERT INTO delivery_attempt SELECT * FROM retention_kept_attempts`);
      return { deliveries: Number(counted[0]!.n), moved: moved.rowCount ?? 0, reportsCleared: cleared.rowCount ?? 0 };
    });
    return { dropped: true, ...outcome, lockedMs: Math.round(performance.now() - locked) };
  } catch (err) {
    if ((err as { code?: string }).code === '55P03') return { dropped: false, reason: 'busy' };
    throw err;
  }
}

/**
 * Deletes up to `limit` finished deliveries of the default partition (digests without a partition of
 * their own, and the moved ones once finished) of digests built before `cutoff`, folding the
 * mailed_paper rows they still have first (the delete trigger takes them). Returns how many went.
 */
export async function expireDeliveryBatch(sql: Pick<Sql, 'query'>, cutoff: Date, limit: number): Promise<number> {
  const { rowCount } = await sql.query(
    `WITH batch AS (
       SELECT d.id FROM digest g JOIN delivery_default d ON d.digest_id = g.id
        WHERE g.created_at < $1 AND d.status::text IN ${FINISHED_SQL}
        LIMIT $2
     ), folded AS (${foldInto('SELECT m.subscriber_id, m.paper_id, m.mailed_at FROM mailed_paper m WHERE m.delivery_id IN (SELECT id FROM batch)')})
     DELETE FROM delivery_default d USING batch WHERE d.id = batch.id AND d.status::text IN ${FINISHED_SQL}`,
    [cutoff, limit],
  );
  return rowCount ?? 0;
}

/** Deliveries of digests built before `cutoff` that are kept because they are still on their way. */
export async function countUnfinishedBefore(sql: Pick<Sql, 'query'>, cutoff: Date): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(
    `SELECT count(*) AS n FROM digest g JOIN delivery d ON d.digest_id = g.id
      WHERE g.created_at < $1 AND d.status::text NOT IN ${FINISHED_SQL}`,
    [cutoff],
  );
  return Number(rows[0]?.n ?? 0);
}
