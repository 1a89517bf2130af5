// Which papers each subscriber gets in a digest: the snapshot's new papers their topics catch,
// minus any paper already mailed to them (or waiting in one of their unsent deliveries). Pure.
import { rankReaderPapers, type ReaderRelevance } from './rank-reader-papers.ts';
import type { TopicMatcher } from './topic-matcher.ts';
import type { DeliveryPlan, SubscriberForDigest } from '../model/delivery.ts';

export { inTopicOrder, MAX_PAPERS_PER_EMAIL } from './rank-reader-papers.ts';

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
