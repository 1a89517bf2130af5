// Which papers each subscriber gets in a digest: the snapshot's new papers their topics catch,
// minus any paper already mailed to them (or waiting in one of their unsent deliveries). Pure.
import { rankReaderPapers, type ReaderRelevance } from './rank-reader-papers.ts';
import type { TopicMatcher } from './topic-matcher.ts';

export { inTopicOrder, MAX_PAPERS_PER_EMAIL } from './rank-reader-papers.ts';

/** What a delivery row keeps of each paper: enough to render it again and to explain it. */
export interface DeliveryPaper {
  paperId: number;
  /** the subscriber's topics that caught it, best first */
  topics: string[];
  /** the best score of its topics on it (see src/match/README.md) */
  score?: number;
  /** the words that matched, as written in the paper (not stored by digest builds: derived from the topics when shown) */
  words?: string[];
  /**
   * where it goes after the topics' groups (absent: in its topic's group): under "Probably not for
   * you", or under "You may also like" (a paper no topic caught; `topics` is empty)
   */
  section?: 'not-for-you' | 'also-like';
  /** the paper a `like:` topic named, or the liked paper a suggestion most resembles: its reason ("Like <title>") */
  resembles?: { paperId: number; title: string };
  /** the reader model's standard score (absent: the reader has no model) */
  relevance?: number;
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
 * One subscriber's delivery (null: their topics caught nothing). `relevance` brings their reader model
 * and `like:` topics in (rank-reader-papers.ts); without it, or for a reader with neither, topics alone.
 */
export function planDelivery(
  matcher: TopicMatcher,
  subscriber: SubscriberForDigest,
  alreadyMailed: ReadonlySet<number> | undefined,
  relevance?: ReaderRelevance,
): DeliveryPlan | null {
  const papers = rankReaderPapers(matcher, subscriber.topics, alreadyMailed, relevance);
  return papers.length === 0 ? null : { subscriberId: subscriber.id, papers };
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
