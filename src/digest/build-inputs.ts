// What the digest build reads to plan from (its pure decisions: plan-digest.ts): once per build, the
// new papers of the snapshot, the week's earlier papers and the readers' relevance loader; per keyset
// batch of readers, who they are, which weekly ones are due, what each already got, their models.
import { loadSnapshotDiff } from '../diff/load-new-papers.ts';
import { papersOfDigestsBuilt, type FrozenPaper } from '../db/digest-papers.ts';
import { activeSubscriberBatch, lastDeliveryDigestAt, papersNotToRepeat, type SubscriberInBatch } from '../db/digests.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import type { Db, Queryable, Sql } from '../db/database.ts';
import type { TextModelCache } from '../db/text-model.ts';
import type { Logger } from '../log/logger.ts';
import type { SnapshotSummary } from '../model/snapshot.ts';
import { WEEK_MS } from './frequency.ts';
import { BuildPapers, dueWeekly, earlierThisWeek, papersToPlan, planBatch, type BatchInputs } from './plan-digest.ts';
import type { ReaderRelevance } from './rank-reader-papers.ts';
import { ReaderRelevanceLoader } from './reader-relevance.ts';

/** What the reads need: the database, and the readers' relevance (absent: topics alone for everyone). */
export interface BuildReadDeps {
  prisma: PrismaClient;
  /** the same pool for plain SQL (the snapshot diff's reads) */
  sql: Queryable;
  log: Logger;
  /** readers per committed chunk (DIGEST_BATCH_SIZE) */
  batchSize?: number;
  /** the pool and the text model: readers' models and `like:` topics */
  relevance?: { sql: Pick<Sql, 'query'>; textModels: TextModelCache };
  /**
   * run once a digest is to be built, before anything is planned: the reader-model job, so feedback
   * given before the build counts in it. A failure is logged and the digest built anyway.
   */
  beforeBuild?: () => Promise<unknown>;
}

/** What a build plans from: its time, its papers (this digest's and the week's) and the readers' models. */
export interface BuildInputs {
  builtAt: Date;
  papers: BuildPapers;
  relevance: ReaderRelevanceLoader | null;
  /** the week's earlier papers, each with the digest it was new in */
  week: ReadonlyArray<{ paper: FrozenPaper; digestId: number }>;
}

const DEFAULT_BATCH = 1000;

export async function buildInputs(deps: BuildReadDeps, newPapers: readonly FrozenPaper[], builtAt: Date): Promise<BuildInputs> {
  const textModel = deps.relevance ? await deps.relevance.textModels.current(deps.relevance.sql) : null;
  /** one per build: each paper vectorised once, whichever readers need it */
  const relevance = deps.relevance && textModel ? new ReaderRelevanceLoader(deps.relevance.sql, textModel) : null;
  // Weekly readers: the week's papers (new in the digests built in the 7 days before this one, frozen
  // as they were then) besides this digest's; matched only if a weekly reader is due.
  const week = earlierThisWeek(await papersOfDigestsBuilt(deps.prisma, new Date(builtAt.getTime() - WEEK_MS), builtAt), newPapers);
  const papers = new BuildPapers(
    newPapers,
    week.map((w) => w.paper),
  );
  return { builtAt, papers, relevance, week };
}

/** The new papers of the newest snapshot, now (the reader-model job first, unless a dry run). */
export async function newPapersNow(deps: BuildReadDeps, snapshot: SnapshotSummary, train: boolean): Promise<FrozenPaper[]> {
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

/** One keyset batch of readers planned (ids in (after, upTo]); null when none is left. */
export interface PlannedBatch {
  batch: SubscriberInBatch[];
  /** its last subscriber id: the build goes on after it */
  last: number;
  plans: ReturnType<typeof planBatch>['plans'];
  carried: number[];
  matcherMs: number;
}

export async function planNext(deps: BuildReadDeps, inputs: BuildInputs, after: number, upTo: number): Promise<PlannedBatch | null> {
  const batch = await activeSubscriberBatch(deps.prisma, after, upTo, deps.batchSize ?? DEFAULT_BATCH);
  if (batch.length === 0) return null;
  const read = await readBatchInputs(deps.prisma, batch, inputs.papers, inputs.builtAt, inputs.relevance);
  const matching = performance.now();
  const planned = planBatch(batch, inputs.papers, read);
  return { batch, last: batch[batch.length - 1]!.id, ...planned, matcherMs: performance.now() - matching };
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
  const due = dueWeekly(
    weekly,
    await lastDeliveryDigestAt(
      db,
      weekly.map((s) => s.id),
    ),
    builtAt,
  );
  const skip = await papersNotToRepeat(
    db,
    batch.map((s) => s.id),
    papersToPlan(papers, due.size > 0).map((p) => p.id),
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
