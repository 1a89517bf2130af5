// Which papers each subscriber gets in a digest: the snapshot's new papers their topics catch,
// minus any paper already mailed to them (or waiting in one of their unsent deliveries). Pure.
import type { TopicMatcher } from './topic-matcher.ts';

/** What a delivery row keeps of each paper: enough to render it again and to explain it. */
export interface DeliveryPaper {
  paperId: number;
  /** the subscriber's topics that caught it, best first */
  topics: string[];
  /** the best score of its topics on it (see src/match/README.md) */
  score?: number;
  /** the words that matched, as written in the paper (not stored by digest builds: derived from the topics when shown) */
  words?: string[];
}

export interface SubscriberForDigest {
  id: number;
  topics: string[];
}

export interface DeliveryPlan {
  subscriberId: number;
  papers: DeliveryPaper[];
}

/**
 * At most this many papers in one email (the best-scored): about 2.7 KiB of HTML each, and Gmail
 * clips messages over 102 KB. The rest are not mailed, so they stay eligible for a later digest.
 */
export const MAX_PAPERS_PER_EMAIL = 25;

export function planDelivery(matcher: TopicMatcher, subscriber: SubscriberForDigest, alreadyMailed: ReadonlySet<number> | undefined): DeliveryPlan | null {
  let papers: DeliveryPaper[] = matcher.scorePapers(subscriber.topics);
  if (alreadyMailed?.size) papers = papers.filter((p) => !alreadyMailed.has(p.paperId));
  if (papers.length > MAX_PAPERS_PER_EMAIL) papers = papers.slice(0, MAX_PAPERS_PER_EMAIL);
  return papers.length === 0 ? null : { subscriberId: subscriber.id, papers: inTopicOrder(papers, subscriber.topics) };
}

/**
 * The papers (best first) grouped by their best topic, groups in the subscriber's topic order, best
 * first inside each: the order the email shows them in (src/render/digest.ts groupByTopic keeps it),
 * stored with the delivery so a later change of topics does not reorder a frozen digest.
 */
export function inTopicOrder<P extends { topics: readonly string[] }>(papers: readonly P[], topics: readonly string[]): P[] {
  const rank = new Map(topics.map((t, i) => [t, i]));
  const place = (p: P): number => rank.get(p.topics[0] ?? '') ?? topics.length;
  return papers.map((p, i) => ({ p, i })).sort((a, b) => place(a.p) - place(b.p) || a.i - b.i).map((x) => x.p);
}

/** A subscriber with no such papers gets no delivery at all (and no email). */
export function planDeliveries(
  matcher: TopicMatcher,
  subscribers: readonly SubscriberForDigest[],
  alreadyMailed: ReadonlyMap<number, ReadonlySet<number>>,
): DeliveryPlan[] {
  const plans: DeliveryPlan[] = [];
  for (const subscriber of subscribers) {
    const plan = planDelivery(matcher, subscriber, alreadyMailed.get(subscriber.id));
    if (plan) plans.push(plan);
  }
  return plans;
}
