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
// What to plan is decided in plan-digest.ts (pure) from what build-inputs.ts reads; begin-build.ts starts
// or takes up a build; this file is the rest of its IO: the lock, the chunks written, the log. A build asked to stop (`signal`:
// serve stopping) stops between chunks: the chunk in flight is committed, the lock released, and
// the digest stays `building` for another process (or this one restarted) to go on with.
import { digestPapers, type FrozenPaper } from '../db/digest-papers.ts';
import { BUILD_LOCK, digestForSnapshot, dropSupersededBuilds, finishBuilding, maxSubscriberId, writeChunk, type DigestSummary } from '../db/digests.ts';
import { latestSnapshot } from '../db/snapshots.ts';
import type { Db } from '../db/database.ts';
import type { Logger } from '../log/logger.ts';
import { noMetrics, type Metrics } from '../observe/metrics.ts';
import { plural } from '../log/plural.ts';
import type { SnapshotSummary } from '../model/snapshot.ts';
import type { DeliveryPlan } from '../model/delivery.ts';
import { begin, goOnWith } from './begin-build.ts';
import { buildInputs, newPapersNow, planNext, type BuildInputs, type BuildReadDeps } from './build-inputs.ts';
import { firstCarried } from './plan-digest.ts';

export interface BuildDigestDeps extends BuildReadDeps {
  log: Logger;
  now: () => Date;
  /** takes the build lock (BUILD_LOCK) for `fn`, or says another process holds it (jobs/job-lock.ts) */
  lock: { tryRun<T>(key: readonly [number, number], fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> };
  metrics?: Metrics;
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

/** A build asked to stop (its signal aborted): stopped between chunks, the digest left building (null: not begun). */
export interface BuildStopped {
  kind: 'stopped';
  digestId: number | null;
  snapshotId: number;
  readers: number;
}

/**
 * Builds the digest of the newest snapshot that has none. Given a `signal` (serve stopping), the build
 * stops between chunks once it is aborted — the chunk in flight committed, the lock released — and
 * says so (`stopped`); another process, or this one started again, goes on from there.
 */
export function buildDigest(deps: BuildDigestDeps, options?: BuildDigestOptions): Promise<BuildDigestResult>;
export function buildDigest(deps: BuildDigestDeps, options: BuildDigestOptions & { signal: AbortSignal }): Promise<BuildDigestResult | BuildStopped>;

export async function buildDigest(
  deps: BuildDigestDeps,
  options: BuildDigestOptions & { signal?: AbortSignal } = {},
): Promise<BuildDigestResult | BuildStopped> {
  const { prisma } = deps;
  const started = performance.now();
  const snapshot = await latestSnapshot(prisma, { history: false });
  if (!snapshot) return { kind: 'no-snapshot' };
  const existing = await digestForSnapshot(prisma, snapshot.id);
  if (existing && existing.status !== 'building') return { kind: 'up-to-date', digestId: existing.id, snapshotId: snapshot.id };
  if (options.dryRun) return dryRun(deps, options, snapshot, started);

  const locked = await deps.lock.tryRun(BUILD_LOCK, () => buildLocked(deps, snapshot, started, options.signal));
  if (locked.ran) return locked.value;
  const other = await digestForSnapshot(prisma, snapshot.id);
  return { kind: 'building-elsewhere', digestId: other?.id ?? null, snapshotId: snapshot.id };
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

/** The build, under the build lock: started here, or gone on with from where a dead or stopped one left it. */
async function buildLocked(
  deps: BuildDigestDeps,
  snapshot: SnapshotSummary,
  started: number,
  signal: AbortSignal | undefined,
): Promise<BuildDigestResult | BuildStopped> {
  const { prisma, log } = deps;
  // Read again under the lock: another process may have built it (or started it and died) meanwhile.
  const found = await digestForSnapshot(prisma, snapshot.id);
  if (found && found.status !== 'building') return { kind: 'up-to-date', digestId: found.id, snapshotId: snapshot.id };
  if (signal?.aborted) return { kind: 'stopped', digestId: found?.id ?? null, snapshotId: snapshot.id, readers: found?.buildReaders ?? 0 };
  for (const dropped of await dropSupersededBuilds(prisma, snapshot.id))
    log.warn(
      { event: 'digest.build_dropped', digestId: dropped.id, snapshotId: dropped.snapshotId, newestSnapshotId: snapshot.id },
      `dropped the unfinished build of digest ${dropped.id}: its snapshot ${dropped.snapshotId} is no longer the newest (nothing of it was sent)`,
    );

  const begun = found ? await goOnWith(deps, found) : await begin(deps, snapshot);
  if ('kind' in begun) return begun;
  const { digest, newPapers, skipped, resumedAfter } = begun;
  const inputs = await buildInputs(deps, newPapers, digest.createdAt);
  const chunks = await writeChunks(deps, digest, inputs, signal);
  if (chunks.stopped) {
    log.warn(
      { event: 'digest.build_stopped', digestId: digest.id, snapshotId: snapshot.id, readers: chunks.readers, of: digest.buildReadersTotal },
      `stopped the build of digest ${digest.id} between chunks: ${chunks.readers} of ${plural(digest.buildReadersTotal ?? 0, 'reader')} planned; ` +
        'another process, or this one started again, goes on from there',
    );
    return { kind: 'stopped', digestId: digest.id, snapshotId: snapshot.id, readers: chunks.readers };
  }
  const ready = await finishBuilding(prisma, digest.id);
  if (!ready) throw new Error(`digest ${digest.id} was no longer building when its build ended`);

  const out = {
    kind: 'built' as const,
    digest: ready,
    snapshot,
    newPapers,
    deliveries: ready.deliveryCount,
    subscribers: chunks.readers,
    skippedSnapshots: skipped,
    invalidTopics: [...inputs.papers.matcher.invalidTopics.keys()],
    ms: Math.round(performance.now() - started),
    ...(resumedAfter !== undefined ? { resumedAfter } : {}),
  };
  reportBuilt(deps, out, ready.id, chunks.matcherMs);
  return out;
}

/**
 * The build's chunks, from where it is to its fixed upper id, each committed as one statement; the
 * next chunk is read and planned while this one is written (other readers: nothing in common). With
 * `signal` aborted it stops after the chunk in flight is committed.
 */
async function writeChunks(
  deps: BuildDigestDeps,
  digest: DigestSummary,
  inputs: BuildInputs,
  signal?: AbortSignal,
): Promise<{ readers: number; matcherMs: number; stopped: boolean }> {
  const weekDigest = new Map(inputs.week.map((w) => [w.paper.id, w.digestId]));
  const upTo = digest.buildUpTo ?? (await maxSubscriberId(deps.prisma));
  let at = await progressOf(deps.prisma, digest);
  let matcherMs = 0;
  for (let next = await planNext(deps, inputs, at.after, upTo); next;) {
    if (signal?.aborted) return { readers: at.readers, matcherMs, stopped: true };
    matcherMs += next.matcherMs;
    const first = firstCarried(next.carried, at.carried, inputs.papers);
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
      const now = await digestForSnapshot(deps.prisma, digest.snapshotId);
      if (now?.status !== 'building' || now.buildAfter === at.after)
        throw new Error(`digest ${digest.id} is no longer building from ${at.after}: this build stops`);
      at = await progressOf(deps.prisma, now);
      next = await planNext(deps, inputs, at.after, upTo);
      continue;
    }
    for (const p of first) at.carried.add(p.id);
    at = { ...at, after: next.last, readers: at.readers + next.batch.length };
    deps.log.debug(
      { event: 'digest.build_progress', digestId: digest.id, readers: at.readers, of: digest.buildReadersTotal },
      `digest ${digest.id}: ${plural(at.readers, 'reader')} planned`,
    );
    next = await following;
  }
  return { readers: at.readers, matcherMs, stopped: false };
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
