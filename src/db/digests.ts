// Digests and the rows a digest build reads and writes. A digest is built in committed chunks under
// status `building` (never claimed: the claim takes deliveries of `ready` digests only), each chunk one
// statement (its deliveries, the papers they carry, the build's progress), then made `ready` in one
// statement. A `building` digest whose build lock nobody holds was left by a dead process (staleBuild).
import type { DeliveryCounts } from './deliveries.ts';
import type { DeliveryPaper, DeliveryPlan, SubscriberForDigest } from '../model/delivery.ts';
import { DELIVERY_STATUSES, ON_ITS_WAY, statusIn } from '../model/delivery-status.ts';
import type { Db, Queryable } from './database.ts';
import type { SnapshotSummary } from '../model/snapshot.ts';
import { Prisma } from './generated/client.ts';
import { freezePaper, type FrozenPaper } from './digest-papers.ts';

/**
 * The digest build's advisory lock ("pd", two keys so that pg_locks names it): one build at a time
 * across every process, held on a connection of its own while it runs (jobs/job-lock.ts).
 */
export const BUILD_LOCK = [0x7064, 1] as const;

type DigestStatus = 'building' | 'ready' | 'paused' | 'skipped';

export interface DigestSummary {
  id: number;
  snapshotId: number;
  status: DigestStatus;
  newPaperCount: number;
  deliveryCount: number;
  pauseReason: string | null;
  createdAt: Date;
  pausedAt: Date | null;
  /** while building: its keyset bounds and progress (readers planned of the readers to plan) */
  buildUpTo: number | null;
  buildAfter: number;
  buildReaders: number;
  buildReadersTotal: number | null;
}

export interface DigestWithCounts extends DigestSummary {
  snapshotCapturedAt: Date;
  counts: DeliveryCounts;
}

export async function digestForSnapshot(db: Db, snapshotId: number): Promise<DigestSummary | null> {
  return db.digest.findUnique({ where: { snapshotId } });
}

export async function getDigest(db: Db, id: number): Promise<DigestSummary | null> {
  return db.digest.findUnique({ where: { id } });
}

/**
 * Undigested snapshots captured before this one: they will never be mailed (no backlog). History
 * snapshots are left as they are: they never have a digest, not even a skipped one.
 */
export async function skipOlderSnapshots(db: Db, newest: SnapshotSummary): Promise<number[]> {
  const older = await db.snapshot.findMany({
    where: {
      digest: null,
      history: false,
      OR: [{ capturedAt: { lt: newest.capturedAt } }, { capturedAt: newest.capturedAt, id: { lt: newest.id } }],
    },
    select: { id: true },
  });
  if (older.length > 0) await db.digest.createMany({ data: older.map((s) => ({ snapshotId: s.id, status: 'skipped' as const })), skipDuplicates: true });
  return older.map((s) => s.id);
}

export async function maxSubscriberId(db: Db): Promise<number> {
  const row = await db.subscriber.aggregate({ _max: { id: true } });
  return row._max.id ?? 0;
}

/** SQL: the subscribers (alias s) a digest is for: active, mailed (not feed only), not paused now. */
const GETS_DIGESTS = `s.status = 'active' AND s.frequency <> 'feed' AND NOT (s.paused AND (s.paused_until IS NULL OR s.paused_until > now()))`;

/**
 * Starts a build: the digest row, status building, planning readers up to the highest subscriber id
 * now (those who subscribe later wait for the next digest), with how many there are (its progress).
 */
export async function startBuilding(db: Db, data: { snapshotId: number; newPaperCount: number; createdAt: Date }): Promise<DigestSummary> {
  const upTo = await maxSubscriberId(db);
  const [{ n }] = await db.$queryRawUnsafe<[{ n: number }]>(`SELECT count(*)::int AS n FROM subscriber s WHERE ${GETS_DIGESTS} AND s.id <= $1`, upTo);
  return db.digest.create({ data: { ...data, status: 'building', buildUpTo: upTo, buildAfter: 0, buildReadersTotal: n } });
}

export interface BuildChunk {
  digestId: number;
  /** the build's progress this chunk starts from (build_after): the chunk is refused if it moved */
  after: number;
  /** the last subscriber id of the chunk: the build goes on after it */
  upTo: number;
  readers: number;
  plans: DeliveryPlan[];
  /** the week's earlier papers first carried by this chunk's deliveries, frozen from position `from` */
  carried: { papers: readonly FrozenPaper[]; from: number; carriedFrom: ReadonlyMap<number, number> };
}

/**
 * One committed chunk of a build, in ONE statement (so all of it or nothing): its deliveries (queued),
 * the papers they are the first to carry, and the build's progress. Returns the deliveries written, or
 * null when the digest is no longer building from `after` (another build moved it: nothing written).
 */
export async function writeChunk(sql: Queryable, chunk: BuildChunk): Promise<number | null> {
  const { plans, carried } = chunk;
  const { rows } = await sql.query<{ stepped: number; inserted: number }>(
    `WITH build AS (
       SELECT id FROM digest WHERE id = $1 AND status = 'building' AND build_after = $2 FOR UPDATE
     ), ins AS (
       INSERT INTO delivery (digest_id, subscriber_id, papers)
       SELECT build.id, u.s, u.p FROM build, unnest($5::int[], $6::jsonb[]) AS u(s, p)
       ON CONFLICT (digest_id, subscriber_id) DO NOTHING
       RETURNING 1
     ), frozen AS (
       INSERT INTO digest_paper (digest_id, position, paper_id, paper, carried_from)
       SELECT build.id, $7::int + u.n - 1, u.paper_id, u.paper, u.carried_from
         FROM build, unnest($8::int[], $9::jsonb[], $10::int[]) WITH ORDINALITY AS u(paper_id, paper, carried_from, n)
     ), step AS (
       UPDATE digest g SET build_after = $3, build_readers = build_readers + $4, delivery_count = delivery_count + (SELECT count(*) FROM ins)
         FROM build WHERE g.id = build.id
       RETURNING g.id
     )
     SELECT (SELECT count(*) FROM step)::int AS stepped, (SELECT count(*) FROM ins)::int AS inserted`,
    [
      chunk.digestId,
      chunk.after,
      chunk.upTo,
      chunk.readers,
      plans.map((p) => p.subscriberId),
      plans.map((p) => JSON.stringify(p.papers)),
      carried.from,
      carried.papers.map((p) => p.id),
      carried.papers.map((p) => JSON.stringify(freezePaper(p))),
      carried.papers.map((p) => carried.carriedFrom.get(p.id) ?? null),
    ],
  );
  return rows[0]?.stepped === 1 ? rows[0].inserted : null;
}

/**
 * building → ready in one statement: every delivery of it becomes sendable at once. First the
 * partition its deliveries went to is analysed: the build has just filled it (a new one is empty),
 * and without statistics PostgreSQL took the claim's few picked rows for as many as the queued ones
 * and joined them by scanning every queued delivery, at each claim (autovacuum analyses a table a
 * minute or more later, if it runs at all): bench/README.md, scale.
 */
export async function finishBuilding(db: Db, id: number): Promise<DigestSummary | null> {
  const [part] = await db.$queryRaw<Array<{ name: string }>>`SELECT tableoid::regclass::text AS name FROM delivery WHERE digest_id = ${id} LIMIT 1`;
  if (part) await db.$executeRawUnsafe(`ANALYZE ${part.name}`);
  const { count } = await db.digest.updateMany({ where: { id, status: 'building' }, data: { status: 'ready' } });
  return count === 1 ? getDigest(db, id) : null;
}

/**
 * Builds left by a dead process for a snapshot that is no longer the newest: nothing of them was
 * sent (never claimable), so they go, deliveries and all (their snapshots are then skipped: no backlog).
 * Call only under the build lock.
 */
export async function dropSupersededBuilds(db: Db, newestSnapshotId: number): Promise<Array<{ id: number; snapshotId: number }>> {
  return db.$queryRaw<Array<{ id: number; snapshotId: number }>>`
    DELETE FROM digest WHERE status = 'building' AND snapshot_id <> ${newestSnapshotId} RETURNING id, snapshot_id AS "snapshotId"`;
}

/** A `building` digest nobody is building (its build lock is free): left by a process that died or failed. */
export async function staleBuild(sql: Queryable): Promise<{ id: number } | null> {
  const { rows } = await sql.query<{ id: number }>(
    `SELECT g.id FROM digest g WHERE g.status = 'building' AND NOT EXISTS (
       SELECT 1 FROM pg_locks l
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::bigint = $1 AND l.objid::bigint = $2)
     ORDER BY g.id LIMIT 1`,
    [...BUILD_LOCK],
  );
  return rows[0] ?? null;
}

/** A subscriber as the digest builder reads them. */
export type SubscriberInBatch = SubscriberForDigest & {
  email: string;
  frequency: 'daily' | 'weekly';
  weeklyDay: number;
  /** when they were confirmed (or created): a weekly reader's first week starts then */
  since: Date;
};

/**
 * The next keyset batch of subscribers who get digests: active, mailed (not feed only), not paused
 * now (a timed pause ends by itself), id in (after, upTo]; their topics without the muted ones.
 */
export async function activeSubscriberBatch(db: Db, afterId: number, upToId: number, limit: number): Promise<SubscriberInBatch[]> {
  return db.$queryRaw<SubscriberInBatch[]>`
    SELECT id, email, ARRAY(SELECT t FROM unnest(topics) AS t WHERE t <> ALL(coalesce(muted_topics, '{}'))) AS topics,
           frequency::text AS frequency, weekly_day AS "weeklyDay", coalesce(confirmed_at, created_at) AS since
      FROM subscriber s
     WHERE ${Prisma.raw(GETS_DIGESTS)} AND id > ${afterId} AND id <= ${upToId}
     ORDER BY id
     LIMIT ${limit}`;
}

/** For each of these subscribers that has one: when the digest of their latest delivery was built. */
export async function lastDeliveryDigestAt(db: Db, subscriberIds: number[]): Promise<Map<number, Date>> {
  if (subscriberIds.length === 0) return new Map();
  // reader by reader (a subquery per id: an index look-up, whatever the planner guesses of `delivery`
  // as the build grows it; see papersNotToRepeat)
  const rows = await db.$queryRaw<Array<{ subscriber_id: number; at: Date | null }>>`
    SELECT s.id AS subscriber_id,
           (SELECT max(g.created_at) FROM delivery d JOIN digest g ON g.id = d.digest_id WHERE d.subscriber_id = s.id) AS at
      FROM unnest(${subscriberIds}::int[]) AS s(id)`;
  return new Map(rows.flatMap((r) => (r.at ? [[r.subscriber_id, r.at] as const] : [])));
}

/**
 * Per reader of a batch, which of these papers they already got or have on their way: never planned
 * again. The statement must not depend on the planner's guess of `delivery`, which the build itself
 * grows by a row per reader: its deliveries are read reader by reader (LATERAL, kept apart from the
 * join by OFFSET 0, so always an index look-up by subscriber), and the status test is on
 * `status::text` so that PostgreSQL cannot AND in the status index, which holds an entry for every
 * delivery the build has queued so far (db/hand-over.ts does the same). Written as one join of the
 * batch's ids, the statement read the status index whole at each chunk, or (table without statistics)
 * all of `delivery`: the million-reader build slowed from 21,000 readers a second to 3,000
 * (bench/README.md, scale).
 */
export async function papersNotToRepeat(db: Db, subscriberIds: number[], paperIds: number[]): Promise<Map<number, Set<number>>> {
  const result = new Map<number, Set<number>>();
  if (subscriberIds.length === 0 || paperIds.length === 0) return result;
  const rows = await db.$queryRaw<Array<{ subscriber_id: number; paper_id: number }>>`
    SELECT subscriber_id, paper_id FROM mailed_paper
     WHERE subscriber_id = ANY(${subscriberIds}::int[]) AND paper_id = ANY(${paperIds}::int[])
    UNION
    SELECT r.subscriber_id, p FROM reader_mailed r CROSS JOIN LATERAL unnest(r.paper_ids) AS p
     WHERE r.subscriber_id = ANY(${subscriberIds}::int[]) AND p = ANY(${paperIds}::int[])
    UNION
    SELECT s.id, (p->>'paperId')::int
      FROM unnest(${subscriberIds}::int[]) AS s(id)
      CROSS JOIN LATERAL (
        SELECT d.papers FROM delivery d WHERE d.subscriber_id = s.id AND ${Prisma.raw(statusIn('d.status::text', ON_ITS_WAY))} OFFSET 0
      ) AS d
      CROSS JOIN LATERAL jsonb_array_elements(d.papers) AS p
     WHERE (p->>'paperId')::int = ANY(${paperIds}::int[])`;
  for (const row of rows) {
    const set = result.get(row.subscriber_id) ?? new Set<number>();
    set.add(row.paper_id);
    result.set(row.subscriber_id, set);
  }
  return result;
}

export async function insertDeliveries(db: Db, digestId: number, plans: DeliveryPlan[]): Promise<number> {
  if (plans.length === 0) return 0;
  // One statement per batch with array parameters: far lighter than a createMany of a thousand rows.
  return db.$executeRaw`
    INSERT INTO delivery (digest_id, subscriber_id, papers)
    SELECT ${digestId}, s, p FROM unnest(${plans.map((p) => p.subscriberId)}::int[], ${plans.map((p) => JSON.stringify(p.papers))}::jsonb[]) AS u(s, p)
    ON CONFLICT (digest_id, subscriber_id) DO NOTHING`;
}

export function deliveryPapers(json: unknown): DeliveryPaper[] {
  return Array.isArray(json) ? (json as DeliveryPaper[]) : [];
}

/** Digests, newest first, with their delivery counts per status. */
export async function listDigests(db: Db, limit: number, beforeId?: number): Promise<DigestWithCounts[]> {
  const digests = await db.digest.findMany({
    where: beforeId ? { id: { lt: beforeId } } : {},
    orderBy: { id: 'desc' },
    take: limit,
    include: { snapshot: { select: { capturedAt: true } } },
  });
  if (digests.length === 0) return [];
  const groups = await db.delivery.groupBy({ by: ['digestId', 'status'], where: { digestId: { in: digests.map((d) => d.id) } }, _count: { _all: true } });
  return digests.map(({ snapshot, ...d }) => {
    const counts = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as DeliveryCounts;
    for (const g of groups) if (g.digestId === d.id) counts[g.status] = g._count._all;
    return { ...d, snapshotCapturedAt: snapshot.capturedAt, counts };
  });
}

/** paused → ready (an operator fixed the relay). Returns false if it was not paused. */
export async function resumeDigest(db: Db, id: number): Promise<boolean> {
  const { count } = await db.digest.updateMany({ where: { id, status: 'paused' }, data: { status: 'ready', pauseReason: null, pausedAt: null } });
  return count === 1;
}

/** ready → paused, guarded: only the first of several senders to hit the limit pauses it. */
export async function pauseDigest(db: Db, id: number, reason: string, now: Date): Promise<boolean> {
  const { count } = await db.digest.updateMany({ where: { id, status: 'ready' }, data: { status: 'paused', pauseReason: reason, pausedAt: now } });
  return count === 1;
}
