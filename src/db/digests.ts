// Digests and the rows a digest build reads and writes.
import type { DeliveryCounts } from './deliveries.ts';
import type { DeliveryPaper, DeliveryPlan, SubscriberForDigest } from '../model/delivery.ts';
import { DELIVERY_STATUSES, ON_ITS_WAY, statusIn } from '../model/delivery-status.ts';
import type { Db } from './database.ts';
import type { SnapshotSummary } from '../model/snapshot.ts';
import { Prisma } from './generated/client.ts';

type DigestStatus = 'ready' | 'paused' | 'skipped';

export interface DigestSummary {
  id: number;
  snapshotId: number;
  status: DigestStatus;
  newPaperCount: number;
  deliveryCount: number;
  pauseReason: string | null;
  createdAt: Date;
  pausedAt: Date | null;
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
    SELECT id, email, ARRAY(SELECT t FROM unnest(topics) AS t WHERE t <> ALL(coalesce(muted_topics, '{}'))) AS topics, frequency::text AS frequency, weekly_day AS "weeklyDay", coalesce(confirmed_at, created_at) AS since FROM subscriber
     WHERE status = 'active' AND frequency <> 'feed' AND NOT (paused AND (paused_until IS NULL OR paused_until > now()))
       AND id > ${afterId} AND id <= ${upToId}
     ORDER BY id
     LIMIT ${limit}`;
}

/** For each of these subscribers that has one: when the digest of their latest delivery was built. */
export async function lastDeliveryDigestAt(db: Db, subscriberIds: number[]): Promise<Map<number, Date>> {
  if (subscriberIds.length === 0) return new Map();
  const rows = await db.$queryRaw<Array<{ subscriber_id: number; at: Date }>>`
    SELECT d.subscriber_id, max(g.created_at) AS at
      FROM delivery d JOIN digest g ON g.id = d.digest_id
     WHERE d.subscriber_id = ANY(${subscriberIds}::int[])
     GROUP BY d.subscriber_id`;
  return new Map(rows.map((r) => [r.subscriber_id, r.at]));
}

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
    SELECT d.subscriber_id, (p->>'paperId')::int
      FROM delivery d CROSS JOIN LATERAL jsonb_array_elements(d.papers) AS p
     WHERE ${Prisma.raw(statusIn('d.status', ON_ITS_WAY))} AND d.subscriber_id = ANY(${subscriberIds}::int[])
       AND (p->>'paperId')::int = ANY(${paperIds}::int[])`;
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
