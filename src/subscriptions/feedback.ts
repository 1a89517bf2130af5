// Feedback from a digest, through its page (the link opens a page whose buttons POST: a mail scanner
// following links changes nothing): per paper "more like this" / "not relevant", per topic "mute this
// topic" (it catches nothing in digests and the feed until restored on the preferences page), and
// restoring it. Every event is stored (reader, paper, kind, time): the training data of a relevance
// model per reader.
import { deliveryPapers, viewableDelivery, type ArchivedPaper } from '../db/archive.ts';
import { latestPaperFeedback, muteTopic, recordFeedback, restoreTopic, type FeedbackKind } from '../db/feedback.ts';
import { getSubscriber, type Subscriber } from '../db/subscribers.ts';
import type { SubscriptionDeps } from './deps.ts';
import { SubscriptionError } from './errors.ts';
import { readLink } from './read-link.ts';

export interface FeedbackPage {
  subscriber: Subscriber;
  deliveryId: number;
  papers: ArchivedPaper[];
  /** what the reader last said of each paper */
  said: Map<number, FeedbackKind>;
}

export type FeedbackInput = { kind: 'more_like_this' | 'not_relevant'; paperId: number } | { kind: 'mute_topic'; topic: string };

/** The papers of one of the reader's deliveries, to give feedback on; throws for any other link. */
export async function openFeedback(deps: SubscriptionDeps, token: string | undefined, deliveryId: number | null): Promise<FeedbackPage> {
  const { subscriber } = await readLink(deps, token, 'feedback');
  const delivery = deliveryId === null ? null : await viewableDelivery(deps.prisma, subscriber.id, deliveryId);
  if (!delivery) throw new SubscriptionError('LINK_NOT_FOUND', 'no such digest for this reader');
  const papers = (await deliveryPapers(deps.sql, [delivery.id])).get(delivery.id) ?? [];
  return {
    subscriber,
    deliveryId: delivery.id,
    papers,
    said: await latestPaperFeedback(
      deps.sql,
      subscriber.id,
      papers.map((p) => p.paperId),
    ),
  };
}

/** Stores one feedback event (a paper of that delivery, or a topic that caught one of its papers). */
export async function giveFeedback(
  deps: SubscriptionDeps,
  token: string | undefined,
  deliveryId: number | null,
  input: FeedbackInput,
): Promise<FeedbackPage & { changed: boolean }> {
  const page = await openFeedback(deps, token, deliveryId);
  const { subscriber } = page;
  if (subscriber.status !== 'active') throw new SubscriptionError('NOT_ACTIVE', `the subscription is ${subscriber.status}`);
  const now = deps.now();
  let changed = true;
  if (input.kind === 'mute_topic') {
    if (!page.papers.some((p) => p.topics.includes(input.topic)) || !subscriber.topics.includes(input.topic))
      throw new SubscriptionError('LINK_NOT_FOUND', 'not a topic of this digest');
    changed = await deps.prisma.$transaction(async (tx) => {
      if (!(await muteTopic(tx, subscriber.id, input.topic, now))) return false;
      await recordFeedback(tx, { subscriberId: subscriber.id, kind: 'mute_topic', topic: input.topic, deliveryId: page.deliveryId, at: now });
      return true;
    });
  } else {
    const paper = page.papers.find((p) => p.paperId === input.paperId);
    if (!paper) throw new SubscriptionError('LINK_NOT_FOUND', 'not a paper of this digest');
    await recordFeedback(deps.prisma, {
      subscriberId: subscriber.id,
      kind: input.kind,
      paperId: paper.paperId,
      topic: paper.topics[0] ?? null,
      deliveryId: page.deliveryId,
      at: now,
    });
    page.said.set(paper.paperId, input.kind);
  }
  deps.log.info(
    { event: 'feedback.recorded', subscriberId: subscriber.id, deliveryId: page.deliveryId, kind: input.kind, changed },
    `feedback ${input.kind} from subscriber ${subscriber.id}`,
  );
  return { ...page, subscriber: (await getSubscriber(deps.prisma, subscriber.id)) ?? subscriber, changed };
}

/** A muted topic restored from the preferences page (its own signed link). */
export async function restoreMutedTopic(
  deps: SubscriptionDeps,
  token: string | undefined,
  topic: string,
): Promise<{ subscriber: Subscriber; changed: boolean }> {
  const { subscriber } = await readLink(deps, token, 'preferences');
  if (subscriber.status !== 'active') throw new SubscriptionError('NOT_ACTIVE', `the subscription is ${subscriber.status}`);
  const now = deps.now();
  const changed = await deps.prisma.$transaction(async (tx) => {
    if (!(await restoreTopic(tx, subscriber.id, topic, now))) return false;
    await recordFeedback(tx, { subscriberId: subscriber.id, kind: 'restore_topic', topic, at: now });
    return true;
  });
  if (changed)
    deps.log.info({ event: 'feedback.recorded', subscriberId: subscriber.id, kind: 'restore_topic', changed }, `subscriber ${subscriber.id} restored a topic`);
  return { subscriber: (await getSubscriber(deps.prisma, subscriber.id)) ?? subscriber, changed };
}
