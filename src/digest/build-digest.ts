// Builds the digest of the newest snapshot that has none: the digest row, its new papers as they are
// now (frozen: db/digest-papers.ts) and ALL its delivery rows (status queued, with the matched papers
// and why) are written in one transaction before anything is sent. Subscribers are read in keyset batches below a fixed upper id (listmonk's
// next-campaign-subscribers), never all at once. Older undigested snapshots are marked skipped.
// History snapshots (the bundled seeds, backfilled days) are never digested nor skipped: only diffed against.
import { loadSnapshotDiff } from '../diff/load-new-papers.ts';
import { freezeDigestPapers, papersOfDigestsBuilt, type FrozenPaper } from '../db/digest-papers.ts';
import {
  activeSubscriberBatch, digestForSnapshot, insertDeliveries, lastDeliveryDigestAt, maxSubscriberId, papersNotToRepeat, skipOlderSnapshots,
  type DigestSummary,
} from '../db/digests.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import { Prisma } from '../db/generated/client.ts';
import { latestSnapshot } from '../db/snapshots.ts';
import type { Db, Queryable, Sql } from '../db/database.ts';
import type { TextModelCache } from '../db/text-model.ts';
import type { Logger } from '../log/logger.ts';
import { noMetrics, type Metrics } from '../observe/metrics.ts';
import { WEEK_MS, weeklyDue } from './frequency.ts';
import { planDelivery } from './plan-deliveries.ts';
import { ReaderRelevanceLoader } from './reader-relevance.ts';
import { TopicMatcher } from './topic-matcher.ts';
import { plural } from '../log/plural.ts';
import type { Paper } from '../model/paper.ts';
import type { SnapshotSummary } from '../model/snapshot.ts';
import type { DeliveryPlan } from '../model/delivery.ts';

export interface BuildDigestDeps {
  prisma: PrismaClient;
  /** the same pool for plain SQL (the snapshot diff's reads) */
  sql: Queryable;
  log: Logger;
  now: () => Date;
  batchSize?: number;
  metrics?: Metrics;
  /** the pool and the text model: readers' models and `like:` topics (absent: topics alone for everyone) */
  relevance?: { sql: Pick<Sql, 'query'>; textModels: TextModelCache };
  /**
   * run once a digest is to be built, before anything is planned: the reader-model job, so feedback
   * given before the build counts in it. A failure is logged and the digest built anyway.
   */
  beforeBuild?: () => Promise<unknown>;
}

export type BuildDigestResult =
  | { kind: 'no-snapshot' }
  | { kind: 'up-to-date'; digestId: number; snapshotId: number }
  | {
      kind: 'built' | 'dry-run';
      digest: DigestSummary | null;
      snapshot: SnapshotSummary;
      newPapers: Paper[];
      deliveries: number;
      subscribers: number;
      skippedSnapshots: number[];
      invalidTopics: string[];
      ms: number;
    };

export interface BuildDigestOptions {
  dryRun?: boolean;
  /** each planned delivery, as it is planned (dry runs print them) */
  onPlan?: (plan: DeliveryPlan & { email: string }, papers: ReadonlyMap<number, FrozenPaper>) => void;
}

const LONG_TX = { maxWait: 60_000, timeout: 30 * 60_000 };

export async function buildDigest(deps: BuildDigestDeps, options: BuildDigestOptions = {}): Promise<BuildDigestResult> {
  const { prisma, log } = deps;
  const started = performance.now();
  const snapshot = await latestSnapshot(prisma, { history: false });
  if (!snapshot) return { kind: 'no-snapshot' };
  const existing = await digestForSnapshot(prisma, snapshot.id);
  if (existing) return { kind: 'up-to-date', digestId: existing.id, snapshotId: snapshot.id };

  if (deps.beforeBuild && !options.dryRun) {
    try {
      await deps.beforeBuild();
    } catch (err) {
      log.error({ event: 'relevance.train_failed', snapshotId: snapshot.id, err }, `reader models not trained before the digest (built anyway, with the models as they were): ${(err as Error).message}`);
    }
  }
  const diff = await loadSnapshotDiff({ prisma, sql: deps.sql }, snapshot);
  const textModel = deps.relevance ? await deps.relevance.textModels.current(deps.relevance.sql) : null;
  /** one per build: each paper vectorised once, whichever readers need it */
  const relevance = deps.relevance && textModel ? new ReaderRelevanceLoader(deps.relevance.sql, textModel) : null;
  let matcherMs = 0;
  const fresh = new Set(diff.newPaperIds);
  const newPapers = diff.papers.filter((p) => fresh.has(p.id));
  const matcher = new TopicMatcher(newPapers);
  const byId = new Map<number, FrozenPaper>(newPapers.map((p) => [p.id, p]));
  const builtAt = deps.now();
  // Weekly readers: the week's papers (new in the digests built in the 7 days before this one, frozen
  // as they were then) besides this digest's; matched only if a weekly reader is due.
  const week = (await papersOfDigestsBuilt(prisma, new Date(builtAt.getTime() - WEEK_MS), builtAt)).filter((w) => !fresh.has(w.paper.id));
  const weekPapers = [...newPapers, ...week.map((w) => w.paper)];
  let weekMatcher: TopicMatcher | null = null;
  for (const w of week) byId.set(w.paper.id, w.paper);
  /** the carried papers some weekly delivery uses: frozen into this digest with them */
  const carried = new Set<number>();

  /** Plans every subscriber's delivery; writes them under `digestId` (null: a dry run writes nothing). */
  const plan = async (db: Db, digestId: number | null) => {
    let deliveries = 0;
    let subscribers = 0;
    const upTo = await maxSubscriberId(db);
    for (let after = 0; ; ) {
      const batch = await activeSubscriberBatch(db, after, upTo, deps.batchSize ?? 1000);
      if (batch.length === 0) break;
      after = batch[batch.length - 1]!.id;
      subscribers += batch.length;
      const weekly = batch.filter((s) => s.frequency === 'weekly');
      const last = await lastDeliveryDigestAt(db, weekly.map((s) => s.id));
      const due = new Set(weekly.filter((s) => weeklyDue(s.weeklyDay, builtAt, last.get(s.id) ?? s.since)).map((s) => s.id));
      const skip = await papersNotToRepeat(db, batch.map((s) => s.id), due.size > 0 ? weekPapers.map((p) => p.id) : diff.newPaperIds);
      const plans: DeliveryPlan[] = [];
      const matching = performance.now();
      const daily = relevance ? await relevance.load(batch.filter((s) => s.frequency !== 'weekly'), newPapers) : null;
      const weeklyRelevance = relevance && due.size > 0 ? await relevance.load(weekly.filter((s) => due.has(s.id)), weekPapers) : null;
      for (const subscriber of batch) {
        if (subscriber.frequency === 'weekly' && !due.has(subscriber.id)) continue;
        const weeklyNow = subscriber.frequency === 'weekly';
        const readerRelevance = (weeklyNow ? weeklyRelevance : daily)?.get(subscriber.id);
        const p = planDelivery(weeklyNow ? (weekMatcher ??= new TopicMatcher(weekPapers)) : matcher, subscriber, skip.get(subscriber.id), readerRelevance);
        if (!p) continue;
        if (weeklyNow) for (const paper of p.papers) if (!fresh.has(paper.paperId)) carried.add(paper.paperId);
        plans.push(p);
        options.onPlan?.({ ...p, email: subscriber.email }, byId);
      }
      matcherMs += performance.now() - matching;
      deliveries += digestId === null ? plans.length : await insertDeliveries(db, digestId, plans);
    }
    return { deliveries, subscribers };
  };

  const result = (digest: DigestSummary | null, counts: { deliveries: number; subscribers: number }, skippedSnapshots: number[]) => ({
    kind: options.dryRun ? ('dry-run' as const) : ('built' as const),
    digest,
    snapshot,
    newPapers,
    ...counts,
    skippedSnapshots,
    invalidTopics: [...matcher.invalidTopics.keys()],
    ms: Math.round(performance.now() - started),
  });

  if (options.dryRun) return result(null, await plan(prisma, null), []);

  let built;
  try {
    built = await prisma.$transaction(async (tx) => {
      // Checked again inside the transaction: another process may have built it meanwhile.
      const other = await digestForSnapshot(tx, snapshot.id);
      if (other) return { other };
      const digest = await tx.digest.create({ data: { snapshotId: snapshot.id, status: 'ready', newPaperCount: newPapers.length, createdAt: builtAt } });
      // frozen with it: every delivery renders from these, whatever is ingested later
      await freezeDigestPapers(tx, digest.id, newPapers);
      const skipped = await skipOlderSnapshots(tx, snapshot);
      const counts = await plan(tx, digest.id);
      // and the earlier papers of the week that weekly deliveries carry
      const kept = week.filter((w) => carried.has(w.paper.id));
      await freezeDigestPapers(tx, digest.id, kept.map((w) => w.paper), { from: newPapers.length, carriedFrom: new Map(kept.map((w) => [w.paper.id, w.digestId])) });
      const final = await tx.digest.update({ where: { id: digest.id }, data: { deliveryCount: counts.deliveries } });
      return { digest: final, counts, skipped };
    }, LONG_TX);
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      const other = await digestForSnapshot(prisma, snapshot.id);
      if (other) return { kind: 'up-to-date', digestId: other.id, snapshotId: snapshot.id };
    }
    throw err;
  }
  if ('other' in built) return { kind: 'up-to-date', digestId: built.other!.id, snapshotId: snapshot.id };

  const out = result(built.digest, built.counts, built.skipped);
  (deps.metrics ?? noMetrics).digestBuilt(out.ms / 1000, matcherMs / 1000);
  for (const topic of out.invalidTopics) log.warn({ event: 'digest.invalid_topic', digestId: built.digest.id, topic }, `a stored topic no longer parses: ${topic}`);
  log.info(
    {
      event: 'digest.built',
      digestId: built.digest.id,
      snapshotId: snapshot.id,
      newPapers: newPapers.length,
      subscribers: out.subscribers,
      deliveries: out.deliveries,
      skippedSnapshots: out.skippedSnapshots,
      ms: out.ms,
      matcherMs: Math.round(matcherMs),
    },
    `built digest ${built.digest.id} of snapshot ${snapshot.id}: ${plural(newPapers.length, 'new paper')}, ${plural(out.deliveries, 'delivery', 'deliveries')} queued`,
  );
  return out;
}
