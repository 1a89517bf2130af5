// A subscriber's next digest, rendered but not sent: their queued delivery in the newest digest if
// there is one, else what the newest snapshot's new papers would give them now.
import type { PrismaClient } from '../db/generated/client.ts';
import { digestForSnapshot, deliveryPapers, papersNotToRepeat } from '../db/digests.ts';
import { latestSnapshot } from '../db/snapshots.ts';
import { findSubscriberByEmail, type Subscriber } from '../db/subscribers.ts';
import { loadSnapshotDiff } from '../diff/load-new-papers.ts';
import { prepareDigest, renderDelivery, type RenderSettings } from './digest-renderers.ts';
import { NOT_YET_SENT } from '../model/delivery-status.ts';
import type { SubscriberLinks } from './links.ts';
import type { RenderedEmail } from '../render/types.ts';
import type { Queryable, Sql } from '../db/database.ts';
import type { TextModelCache } from '../db/text-model.ts';
import { planDelivery } from '../digest/plan-deliveries.ts';
import { ReaderRelevanceLoader } from '../digest/reader-relevance.ts';

export type PreviewResult =
  | { kind: 'no-subscriber' }
  | { kind: 'no-snapshot' }
  | { kind: 'nothing'; subscriber: Subscriber; snapshotId: number; newPapers: number }
  | { kind: 'preview'; subscriber: Subscriber; snapshotId: number; source: 'queued delivery' | 'newest snapshot'; papers: number; email: RenderedEmail };

export async function previewSubscriberDigest(
  /** the Prisma client and the pool it runs on */
  db: { prisma: PrismaClient; sql: Queryable },
  email: string,
  settings: RenderSettings,
  links: (subscriberId: number) => SubscriberLinks,
  /** the reader's model and `like:` topics, as the digest ranks with them (absent: topics alone) */
  relevance?: { sql: Pick<Sql, 'query'>; textModels: TextModelCache },
): Promise<PreviewResult> {
  const { prisma } = db;
  const subscriber = await findSubscriberByEmail(prisma, email);
  if (!subscriber) return { kind: 'no-subscriber' };
  const snapshot = await latestSnapshot(prisma);
  if (!snapshot) return { kind: 'no-snapshot' };
  const diff = await loadSnapshotDiff(db, snapshot);
  const fresh = new Set(diff.newPaperIds);
  const prepared = await prepareDigest(
    0,
    snapshot,
    diff.papers.filter((p) => fresh.has(p.id)),
    settings,
  );

  const digest = await digestForSnapshot(prisma, snapshot.id);
  const queued = digest
    ? await prisma.delivery.findFirst({ where: { digestId: digest.id, subscriberId: subscriber.id, status: { in: [...NOT_YET_SENT] } } })
    : null;
  let papers = queued ? deliveryPapers(queued.papers) : null;
  if (!papers) {
    const skip = await papersNotToRepeat(prisma, [subscriber.id], diff.newPaperIds);
    const textModel = relevance ? await relevance.textModels.current(relevance.sql) : null;
    const ranking = textModel ? (await new ReaderRelevanceLoader(relevance!.sql, textModel).load([subscriber], prepared.papers)).get(subscriber.id) : undefined;
    papers = planDelivery(prepared.matcher, subscriber, skip.get(subscriber.id), ranking)?.papers ?? [];
  }
  if (papers.length === 0) return { kind: 'nothing', subscriber, snapshotId: snapshot.id, newPapers: diff.newPaperIds.length };
  return {
    kind: 'preview',
    subscriber,
    snapshotId: snapshot.id,
    source: queued ? 'queued delivery' : 'newest snapshot',
    papers: papers.length,
    email: renderDelivery(prepared, subscriber.email, papers, links(subscriber.id), undefined, {
      frequency: subscriber.frequency,
      weeklyDay: subscriber.weeklyDay,
    }),
  };
}
