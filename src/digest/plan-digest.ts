// The digest build's decisions, pure (no database, no clock: build-digest.ts reads the inputs and
// writes what is decided here). Which readers of a batch get a delivery now and with which papers: a
// daily reader is matched against this digest's new papers; a weekly reader only when their week is up
// (frequency.ts), against the week's papers; nobody is planned a paper they got or have on its way.
// Which of the week's earlier papers a chunk is the first to carry (frozen into this digest with it).
import type { FrozenPaper } from '../db/digest-papers.ts';
import type { SubscriberInBatch } from '../db/digests.ts';
import type { DeliveryPlan } from '../model/delivery.ts';
import { weeklyDue } from './frequency.ts';
import { planDelivery } from './plan-deliveries.ts';
import type { ReaderRelevance } from './rank-reader-papers.ts';
import { TopicMatcher } from './topic-matcher.ts';

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

/**
 * The papers of the digests built in the week before this one (each with the digest it was new in),
 * but this digest's own: what a weekly reader's digest gathers besides this digest's new papers.
 */
export function earlierThisWeek<T extends { paper: FrozenPaper }>(week: readonly T[], newPapers: readonly FrozenPaper[]): T[] {
  const fresh = new Set(newPapers.map((p) => p.id));
  return week.filter((w) => !fresh.has(w.paper.id));
}

/** The weekly readers of a batch whose week is up in a digest built at `builtAt` (`last`: when their latest delivery's digest was built). */
export function dueWeekly(batch: readonly SubscriberInBatch[], last: ReadonlyMap<number, Date>, builtAt: Date): Set<number> {
  return new Set(batch.filter((s) => s.frequency === 'weekly' && weeklyDue(s.weeklyDay, builtAt, last.get(s.id) ?? s.since)).map((s) => s.id));
}

/** The papers a batch may be planned: the week's when a weekly reader is due in it, else this digest's new ones. */
export function papersToPlan(papers: BuildPapers, anyWeeklyDue: boolean): readonly FrozenPaper[] {
  return anyWeeklyDue ? papers.weekPapers : papers.newPapers;
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

/**
 * The deliveries of a batch of readers. A daily reader is matched against this digest's new papers; a
 * weekly reader only when due, against the week's; `carried` names the week's earlier papers some
 * delivery uses (frozen into this digest with it).
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

/** Of the earlier papers a chunk carries, those no earlier chunk of the build carried (in order): frozen with this chunk. */
export function firstCarried(carried: readonly number[], frozen: ReadonlySet<number>, papers: BuildPapers): FrozenPaper[] {
  return carried.filter((id) => !frozen.has(id)).map((id) => papers.byId.get(id)!);
}
