// Builds the digest of the newest snapshot that has none, in committed chunks: first the digest row
// (status building) with its new papers as they are now (frozen: db/digest-papers.ts), then the
// deliveries (status queued, with the matched papers and why) a chunk of readers at a time, each chunk
// one statement that also moves the build's progress on (db/digests.ts writeChunk), then the digest
// becomes ready in one statement: nothing of it is claimable before (the claim takes ready digests
// only), so a build that dies half-way has sent nothing. Readers are read in keyset chunks below a fixed
// upper id (listmonk's next-campaign-subscribers), never all at once. One build at a time across every
// process (BUILD_LOCK): a `building` digest whose lock nobody holds was left by a dead process, and
// the next build of it (any process: serve looks every few seconds) goes on after its last chunk.
// Older undigested snapshots are marked skipped (and a dead build of one is dropped: no backlog).
// History snapshots (the bundled seeds, backfilled days) are never digested nor skipped: only diffed against.
import { loadSnapshotDiff } from '../diff/load-new-papers.ts';
import { digestPapers, freezeDigestPapers, papersOfDigestsBuilt, type FrozenPaper } from '../db/digest-papers.ts';
import {
  activeSubscriberBatch,
  BUILD_LOCK,
  digestForSnapshot,
  dropSupersededBuilds,
  finishBuilding,
  lastDeliveryDigestAt,
  maxSubscriberId,
  papersNotToRepeat,
  skipOlderSnapshots,
  startBuilding,
  writeChunk,
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
import type { SnapshotSummary } from '../model/snapshot.ts';
import type { DeliveryPlan } from '../model/delivery.ts';

export interface BuildDigestDeps {
  prisma: PrismaClient;
  /** the same pool for plain SQL (the snapshot diff's reads, the chunks' writes) */
  sql: Queryable;
  log: Logger;
  now: () => Date;
  /** takes the build lock (BUILD_LOCK) for `fn`, or says another process holds it (jobs/job-lock.ts) */
  lock: { tryRun<T>(key: readonly [number, number], fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> };
  /** readers per committed chunk (DIGEST_BATCH_SIZE) */
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
  /** another process holds the build lock (its digest, if it has written it yet) */
  | { kind: 'building-elsewhere'; digestId: number | null; snapshotId: number }
  | {
      kind: 'built' | 'dry-run';
      digest: DigestSummary | null;
      snapshot: SnapshotSummary;
      newPapers: readonly FrozenPaper[];
      deliveries: number;
      subscribers: number;
      skippedSnapshots: number[];
      invalidTopics: string[];
      ms: number;
      /** the build went on from where a dead or failed one left it (its readers planned before) */
      resumedAfter?: number;
    };

export interface BuildDigestOptions {
  dryRun?: boolean;
  /** each planned delivery, as it is planned (dry runs print them) */
  onPlan?: (plan: DeliveryPlan & { email: string }, papers: ReadonlyMap<number, FrozenPaper>) => void;
}

const DEFAULT_BATCH = 1000;

export async function buildDigest(deps: BuildDigestDeps, options: BuildDigestOptions = {}): Promise<BuildDigestResult> {
  const { prisma } = deps;
  const started = performance.now();
  const snapshot = await latestSnapshot(prisma, { history: false });
  if (!snapshot) return { kind: 'no-snapshot' };
  const existing = await digestForSnapshot(prisma, snapshot.id);
  if (existing && existing.status !== 'building') return { kind: 'up-to-date', digestId: existing.id, snapshotId: snapshot.id };
  if (options.dryRun) return dryRun(deps, options, snapshot, started);

  const locked = await deps.lock.tryRun(BUILD_LOCK, () => buildLocked(deps, snapshot, started));
  if (locked.ran) return locked.value;
  const other = await digestForSnapshot(prisma, snapshot.id);
  return { kind: 'building-elsewhere', digestId: other?.id ?? null, snapshotId: snapshot.id };
}

/** What a build plans from: its time, its papers (this digest's and the week's) and the readers' models. */
interface BuildInputs {
  builtAt: Date;
  papers: BuildPapers;
  relevance: ReaderRelevanceLoader | null;
  /** the week's earlier papers, each with the digest it was new in */
  week: ReadonlyArray<{ paper: FrozenPaper; digestId: number }>;
}

async function buildInputs(deps: BuildDigestDeps, newPapers: readonly FrozenPaper[], builtAt: Date): Promise<BuildInputs> {
  const textModel = deps.relevance ? await deps.relevance.textModels.current(deps.relevance.sql) : null;
  /** one per build: each paper vectorised once, whichever readers need it */
  const relevance = deps.relevance && textModel ? new ReaderRelevanceLoader(deps.relevance.sql, textModel) : null;
  const fresh = new Set(newPapers.map((p) => p.id));
  // Weekly readers: the week's papers (new in the digests built in the 7 days before this one, frozen
  // as they were then) besides this digest's; matched only if a weekly reader is due.
  const week = (await papersOfDigestsBuilt(deps.prisma, new Date(builtAt.getTime() - WEEK_MS), builtAt)).filter((w) => !fresh.has(w.paper.id));
  const papers = new BuildPapers(
    newPapers,
    week.map((w) => w.paper),
  );
  return { builtAt, papers, relevance, week };
}

/** The new papers of the newest snapshot, now (the reader-model job first, unless a dry run). */
async function newPapersNow(deps: BuildDigestDeps, snapshot: SnapshotSummary, train: boolean): Promise<FrozenPaper[]> {
  if (deps.beforeBuild && train) {
    try {
      await deps.beforeBuild();
    } catch (err) {
      deps.log.error(
        { event: 'relevance.train_failed', snapshotId: snapshot.id, err },
        `reader models not trained before the digest (built anyway, with the models as they were): ${(err as Error).message}`,
      );
    }
  }
  const diff = await loadSnapshotDiff({ prisma: deps.prisma, sql: deps.sql }, snapshot);
  const fresh = new Set(diff.newPaperIds);
  return diff.papers.filter((p) => fresh.has(p.id));
}

/** Plans one keyset batch of readers (ids in (after, upTo]); null when none is left. */
async function planNext(deps: BuildDigestDeps, inputs: BuildInputs, after: number, upTo: number) {
  const batch = await activeSubscriberBatch(deps.prisma, after, upTo, deps.batchSize ?? DEFAULT_BATCH);
  if (batch.length === 0) return null;
  const read = await readBatchInputs(deps.prisma, batch, inputs.papers, inputs.builtAt, inputs.relevance);
  const matching = performance.now();
  const planned = planBatch(batch, inputs.papers, read);
  return { batch, last: batch[batch.length - 1]!.id, ...planned, matcherMs: performance.now() - matching };
}

/** A dry run: every reader planned as the build would, nothing written. */
async function dryRun(deps: BuildDigestDeps, options: BuildDigestOptions, snapshot: SnapshotSummary, started: number): Promise<BuildDigestResult> {
  const newPapers = await newPapersNow(deps, snapshot, false);
  const inputs = await buildInputs(deps, newPapers, deps.now());
  const upTo = await maxSubscriberId(deps.prisma);
  let deliveries = 0;
  let subscribers = 0;
  for (let after = 0; ;) {
    const next = await planNext(deps, inputs, after, upTo);
    if (!next) break;
    after = next.last;
    subscribers += next.batch.length;
    deliveries += next.plans.length;
    if (options.onPlan) {
      const emails = new Map(next.batch.map((s) => [s.id, s.email]));
      for (const p of next.plans) options.onPlan({ ...p, email: emails.get(p.subscriberId)! }, inputs.papers.byId);
    }
  }
  return {
    kind: 'dry-run',
    digest: null,
    snapshot,
    newPapers,
    deliveries,
    subscribers,
    skippedSnapshots: [],
    invalidTopics: [...inputs.papers.matcher.invalidTopics.keys()],
    ms: Math.round(performance.now() - started),
  };
}

/** The build, under the build lock: started here, or gone on with from where a dead one left it. */
async function buildLocked(deps: BuildDigestDeps, snapshot: SnapshotSummary, started: number): Promise<BuildDigestResult> {
  const { prisma, log } = deps;
  // Read again under the lock: another process may have built it (or started it and died) meanwhile.
  let digest = await digestForSnapshot(prisma, snapshot.id);
  if (digest && digest.status !== 'building') return { kind: 'up-to-date', digestId: digest.id, snapshotId: snapshot.id };
  for (const dropped of await dropSupersededBuilds(prisma, snapshot.id))
    log.warn(
      { event: 'digest.build_dropped', digestId: dropped.id, snapshotId: dropped.snapshotId, newestSnapshotId: snapshot.id },
      `dropped the unfinished build of digest ${dropped.id}: its snapshot ${dropped.snapshotId} is no longer the newest (nothing of it was sent)`,
    );

  let newPapers: FrozenPaper[];
  let skipped: number[] = [];
  let resumedAfter: number | undefined;
  if (digest) {
    // frozen when it was started: the same papers for every chunk, whatever was ingested since
    newPapers = await digestPapers(prisma, digest.id, { newOnly: true });
    resumedAfter = digest.buildReaders;
    log.warn(
      { event: 'digest.build_resumed', digestId: digest.id, snapshotId: snapshot.id, readers: digest.buildReaders, of: digest.buildReadersTotal },
      `going on with the build of digest ${digest.id} left unfinished: ${digest.buildReaders} of ${plural(digest.buildReadersTotal ?? 0, 'reader')} were planned`,
    );
  } else {
    newPapers = await newPapersNow(deps, snapshot, true);
    const builtAt = deps.now();
    try {
      ({ digest, skipped } = await prisma.$transaction(async (tx) => {
        const created = await startBuilding(tx, { snapshotId: snapshot.id, newPaperCount: newPapers.length, createdAt: builtAt });
        // frozen with it: every delivery renders from these, whatever is ingested later
        await freezeDigestPapers(tx, created.id, newPapers);
        return { digest: created, skipped: await skipOlderSnapshots(tx, snapshot) };
      }));
    } catch (err) {
      // a process without the lock (an older paperboy) created it meanwhile
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        const other = await digestForSnapshot(prisma, snapshot.id);
        if (other) return { kind: 'up-to-date', digestId: other.id, snapshotId: snapshot.id };
      }
      throw err;
    }
    log.info(
      { event: 'digest.building', digestId: digest.id, snapshotId: snapshot.id, readers: digest.buildReadersTotal },
      `building digest ${digest.id} of snapshot ${snapshot.id} for ${plural(digest.buildReadersTotal ?? 0, 'reader')}`,
    );
  }

  const inputs = await buildInputs(deps, newPapers, digest.createdAt);
  const weekDigest = new Map(inputs.week.map((w) => [w.paper.id, w.digestId]));
  const upTo = digest.buildUpTo ?? (await maxSubscriberId(prisma));
  let at = await progressOf(prisma, digest);
  let matcherMs = 0;
  // The next chunk is read and planned while this one is written (other readers: nothing in common).
  for (let next = await planNext(deps, inputs, at.after, upTo); next;) {
    matcherMs += next.matcherMs;
    const first = next.carried.filter((id) => !at.carried.has(id)).map((id) => inputs.papers.byId.get(id)!);
    const writing = writeChunk(deps.sql, {
      digestId: digest.id,
      after: at.after,
      upTo: next.last,
      readers: next.batch.length,
      plans: next.plans,
      carried: { papers: first, from: at.carried.size, carriedFrom: weekDigest },
    });
    const following = planNext(deps, inputs, next.last, upTo);
    following.catch(() => undefined); // (awaited below, or dropped with the chunk's error)
    const written = await writing;
    if (written === null) {
      // Its progress moved under us: a statement of a dead build that was still waiting in PostgreSQL
      // when its process died, committed since. Nothing of this chunk was written: read where it is.
      const now = await digestForSnapshot(prisma, snapshot.id);
      if (now?.status !== 'building' || now.buildAfter === at.after)
        throw new Error(`digest ${digest.id} is no longer building from ${at.after}: this build stops`);
      at = await progressOf(prisma, now);
      next = await planNext(deps, inputs, at.after, upTo);
      continue;
    }
    for (const p of first) at.carried.add(p.id);
    at = { ...at, after: next.last, readers: at.readers + next.batch.length };
    log.debug(
      { event: 'digest.build_progress', digestId: digest.id, readers: at.readers, of: digest.buildReadersTotal },
      `digest ${digest.id}: ${plural(at.readers, 'reader')} planned`,
    );
    next = await following;
  }
  const ready = await finishBuilding(prisma, digest.id);
  if (!ready) throw new Error(`digest ${digest.id} was no longer building when its build ended`);

  const out = {
    kind: 'built' as const,
    digest: ready,
    snapshot,
    newPapers,
    deliveries: ready.deliveryCount,
    subscribers: at.readers,
    skippedSnapshots: skipped,
    invalidTopics: [...inputs.papers.matcher.invalidTopics.keys()],
    ms: Math.round(performance.now() - started),
    ...(resumedAfter !== undefined ? { resumedAfter } : {}),
  };
  reportBuilt(deps, out, ready.id, matcherMs);
  return out;
}

/** Where a build is: the last reader planned, how many, and the papers frozen into it so far (in position order). */
async function progressOf(db: Db, digest: DigestSummary): Promise<{ after: number; readers: number; carried: Set<number> }> {
  const frozen = await digestPapers(db, digest.id);
  return { after: digest.buildAfter, readers: digest.buildReaders, carried: new Set(frozen.map((p) => p.id)) };
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
  readonly weekPapers: readonly FrozenPaper[];
  readonly byId: ReadonlyMap<number, FrozenPaper>;
  private weekly: TopicMatcher | null = null;

  constructor(
    readonly newPapers: readonly FrozenPaper[],
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
