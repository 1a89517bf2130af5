// Builds the digest of the newest snapshot that has none: the digest row, its new papers as they are
// now (frozen: db/digest-papers.ts) and ALL its delivery rows (status queued, with the matched papers
// and why) are written in one transaction before anything is sent. Subscribers are read in keyset batches below a fixed upper id (listmonk's
// next-campaign-subscribers), never all at once. Older undigested snapshots are marked skipped.
// History snapshots (the bundled seeds, backfilled days) are never digested nor skipped: only diffed against.
import { loadSnapshotDiff } from '../diff/load-new-papers.ts';
import { freezeDigestPapers, papersOfDigestsBuilt, type FrozenPaper } from '../db/digest-papers.ts';
import {
  activeSubscriberBatch,
  digestForSnapshot,
  insertDeliveries,
  lastDeliveryDigestAt,
  maxSubscriberId,
  papersNotToRepeat,
  skipOlderSnapshots,
  type DigestSummary,
  type SubscriberInBatch,
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
import type { ReaderRelevance } from './rank-reader-papers.ts';
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
      log.error(
        { event: 'relevance.train_failed', snapshotId: snapshot.id, err },
        `reader models not trained before the digest (built anyway, with the models as they were): ${(err as Error).message}`,
      );
    }
  }
  const diff = await loadSnapshotDiff({ prisma, sql: deps.sql }, snapshot);
  const textModel = deps.relevance ? await deps.relevance.textModels.current(deps.relevance.sql) : null;
  /** one per build: each paper vectorised once, whichever readers need it */
  const relevance = deps.relevance && textModel ? new ReaderRelevanceLoader(deps.relevance.sql, textModel) : null;
  let matcherMs = 0;
  const fresh = new Set(diff.newPaperIds);
  const newPapers = diff.papers.filter((p) => fresh.has(p.id));
  const builtAt = deps.now();
  // Weekly readers: the week's papers (new in the digests built in the 7 days before this one, frozen
  // as they were then) besides this digest's; matched only if a weekly reader is due.
  const week = (await papersOfDigestsBuilt(prisma, new Date(builtAt.getTime() - WEEK_MS), builtAt)).filter((w) => !fresh.has(w.paper.id));
  const papers = new BuildPapers(
    newPapers,
    week.map((w) => w.paper),
  );
  /** the carried papers some weekly delivery uses: frozen into this digest with them */
  const carried = new Set<number>();

  /** Plans every subscriber's delivery; writes them under `digestId` (null: a dry run writes nothing). */
  const plan = async (db: Db, digestId: number | null) => {
    let deliveries = 0;
    let subscribers = 0;
    const upTo = await maxSubscriberId(db);
    for (let after = 0; ;) {
      const batch = await activeSubscriberBatch(db, after, upTo, deps.batchSize ?? 1000);
      if (batch.length === 0) break;
      after = batch[batch.length - 1]!.id;
      subscribers += batch.length;
      const inputs = await readBatchInputs(db, batch, papers, builtAt, relevance);
      const matching = performance.now();
      const planned = planBatch(batch, papers, inputs);
      matcherMs += performance.now() - matching;
      for (const id of planned.carried) carried.add(id);
      if (options.onPlan) {
        const emails = new Map(batch.map((s) => [s.id, s.email]));
        for (const p of planned.plans) options.onPlan({ ...p, email: emails.get(p.subscriberId)! }, papers.byId);
      }
      deliveries += digestId === null ? planned.plans.length : await insertDeliveries(db, digestId, planned.plans);
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
    invalidTopics: [...papers.matcher.invalidTopics.keys()],
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
      await freezeDigestPapers(
        tx,
        digest.id,
        kept.map((w) => w.paper),
        { from: newPapers.length, carriedFrom: new Map(kept.map((w) => [w.paper.id, w.digestId])) },
      );
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
  reportBuilt(deps, out, built.digest.id, matcherMs);
  return out;
}

/** The digest.built log line and metrics (and a warning per stored topic that no longer parses). */
function reportBuilt(deps: BuildDigestDeps, out: Extract<BuildDigestResult, { kind: 'built' | 'dry-run' }>, digestId: number, matcherMs: number): void {
  (deps.metrics ?? noMetrics).digestBuilt(out.ms / 1000, matcherMs / 1000);
  for (const topic of out.invalidTopics) deps.log.warn({ event: 'digest.invalid_topic', digestId, topic }, `a stored topic no longer parses: ${topic}`);
  const { snapshot, newPapers } = out;
  deps.log.info(
    {
      event: 'digest.built',
      digestId,
      snapshotId: snapshot.id,
      newPapers: newPapers.length,
      subscribers: out.subscribers,
      deliveries: out.deliveries,
      skippedSnapshots: out.skippedSnapshots,
      ms: out.ms,
      matcherMs: Math.round(matcherMs),
    },
    `built digest ${digestId} of snapshot ${snapshot.id}: ${plural(newPapers.length, 'new paper')}, ${plural(out.deliveries, 'delivery', 'deliveries')} queued`,
  );
}

/** The papers a build plans from, and their matchers (the week's made only if a weekly reader is due). */
export class BuildPapers {
  readonly fresh: ReadonlySet<number>;
  readonly matcher: TopicMatcher;
  /** this digest's new papers, then the week's earlier ones (as frozen then) */
  readonly weekPapers: ReadonlyArray<Paper | FrozenPaper>;
  readonly byId: ReadonlyMap<number, FrozenPaper>;
  private weekly: TopicMatcher | null = null;

  constructor(
    readonly newPapers: readonly Paper[],
    earlierThisWeek: readonly FrozenPaper[],
  ) {
    this.fresh = new Set(newPapers.map((p) => p.id));
    this.matcher = new TopicMatcher(newPapers);
    this.weekPapers = [...newPapers, ...earlierThisWeek];
    this.byId = new Map<number, FrozenPaper>(this.weekPapers.map((p) => [p.id, p]));
  }

  get weekMatcher(): TopicMatcher {
    return (this.weekly ??= new TopicMatcher(this.weekPapers));
  }
}

/** What planning a batch of readers needs from the database. */
export interface BatchInputs {
  /** the weekly readers whose week is up (the other weekly readers get nothing now) */
  due: ReadonlySet<number>;
  /** per reader, the papers they already got: never planned again */
  skip: ReadonlyMap<number, ReadonlySet<number>>;
  /** per reader with a model or `like:` topics: their relevance, over the papers they are planned from */
  relevance: ReadonlyMap<number, ReaderRelevance>;
}

/** Reads what planBatch needs: which weekly readers are due, what each reader got, their models. */
async function readBatchInputs(
  db: Db,
  batch: readonly SubscriberInBatch[],
  papers: BuildPapers,
  builtAt: Date,
  relevance: ReaderRelevanceLoader | null,
): Promise<BatchInputs> {
  const weekly = batch.filter((s) => s.frequency === 'weekly');
  const last = await lastDeliveryDigestAt(
    db,
    weekly.map((s) => s.id),
  );
  const due = new Set(weekly.filter((s) => weeklyDue(s.weeklyDay, builtAt, last.get(s.id) ?? s.since)).map((s) => s.id));
  const skip = await papersNotToRepeat(
    db,
    batch.map((s) => s.id),
    due.size > 0 ? papers.weekPapers.map((p) => p.id) : [...papers.fresh],
  );
  const models = new Map<number, ReaderRelevance>();
  if (relevance) {
    for (const [id, r] of await relevance.load(
      batch.filter((s) => s.frequency !== 'weekly'),
      papers.newPapers,
    ))
      models.set(id, r);
    if (due.size > 0)
      for (const [id, r] of await relevance.load(
        weekly.filter((s) => due.has(s.id)),
        papers.weekPapers,
      ))
        models.set(id, r);
  }
  return { due, skip, relevance: models };
}

/**
 * Pure: the deliveries of a batch of readers. A daily reader is matched against this digest's new
 * papers; a weekly reader only when due, against the week's; `carried` names the week's earlier papers
 * some delivery uses (frozen into this digest with it).
 */
export function planBatch(batch: readonly SubscriberInBatch[], papers: BuildPapers, inputs: BatchInputs): { plans: DeliveryPlan[]; carried: number[] } {
  const plans: DeliveryPlan[] = [];
  const carried = new Set<number>();
  for (const subscriber of batch) {
    const weeklyNow = subscriber.frequency === 'weekly';
    if (weeklyNow && !inputs.due.has(subscriber.id)) continue;
    const p = planDelivery(weeklyNow ? papers.weekMatcher : papers.matcher, subscriber, inputs.skip.get(subscriber.id), inputs.relevance.get(subscriber.id));
    if (!p) continue;
    if (weeklyNow) for (const paper of p.papers) if (!papers.fresh.has(paper.paperId)) carried.add(paper.paperId);
    plans.push(p);
  }
  return { plans, carried: [...carried] };
}
