// Everything stored about one subscriber, as one JSON document (a reader's "give me my data"):
// the subscription, every delivery with its listing date, attempts and the papers it carried (with the
// topics that caught each), the papers recorded as mailed, their feedback, the bounces and complaints
// about them, the subscription emails and the reader model. The SMTP exchanges are left out: the
// relay's conversation, not the reader's data.
import { deliveryPapers } from './digests.ts';
import type { PrismaClient } from './generated/client.ts';

const EXPORT_FORMAT = 'paperboy.subscriber-export.v1';

export async function readSubscriberExport(prisma: PrismaClient, subscriberId: number, now: Date) {
  const s = await prisma.subscriber.findUnique({ where: { id: subscriberId } });
  if (!s) return null;
  const [deliveries, mailed, feedback, reports, mails, model, mailedBefore] = await Promise.all([
    prisma.delivery.findMany({
      where: { subscriberId },
      orderBy: { id: 'asc' },
      include: { digest: { select: { createdAt: true, snapshot: { select: { capturedAt: true } } } }, attempts: { orderBy: { id: 'asc' } } },
    }),
    prisma.mailedPaper.findMany({ where: { subscriberId }, orderBy: [{ mailedAt: 'asc' }, { paperId: 'asc' }] }),
    prisma.feedback.findMany({ where: { subscriberId }, orderBy: { id: 'asc' } }),
    prisma.inboundReport.findMany({ where: { subscriberId }, orderBy: { id: 'asc' } }),
    prisma.subscriptionMail.findMany({ where: { subscriberId }, orderBy: { id: 'asc' } }),
    prisma.readerModel.findUnique({ where: { subscriberId } }),
    prisma.readerMailed.findUnique({ where: { subscriberId } }),
  ]);
  const paperIds = new Set<number>([
    ...deliveries.flatMap((d) => deliveryPapers(d.papers).map((p) => p.paperId)),
    ...mailed.map((m) => m.paperId),
    ...(mailedBefore?.paperIds ?? []),
    ...feedback.flatMap((f) => (f.paperId ? [f.paperId] : [])),
  ]);
  const papers = new Map(
    (await prisma.paper.findMany({ where: { id: { in: [...paperIds] } }, select: { id: true, arxivId: true, title: true } })).map((p) => [
      p.id,
      { paperId: p.id, arxivId: p.arxivId, title: p.title },
    ]),
  );
  const paper = (id: number) => papers.get(id) ?? { paperId: id, arxivId: null, title: null };
  return {
    format: EXPORT_FORMAT,
    exportedAt: now,
    subscriber: {
      id: s.id,
      email: s.email,
      status: s.status,
      topics: s.topics,
      mutedTopics: s.mutedTopics,
      frequency: s.frequency,
      ...(s.frequency === 'weekly' ? { weeklyDay: s.weeklyDay } : {}),
      paused: s.paused,
      pausedUntil: s.pausedUntil,
      bounceCount: s.bounceCount,
      createdAt: s.createdAt,
      confirmedAt: s.confirmedAt,
      unsubscribedAt: s.unsubscribedAt,
      bouncedAt: s.bouncedAt,
    },
    deliveries: deliveries.map((d) => ({
      id: d.id,
      digestId: d.digestId,
      listingDate: d.digest.snapshot.capturedAt,
      builtAt: d.digest.createdAt,
      status: d.status,
      attempt: d.attempt,
      messageId: d.messageId,
      queuedAt: d.queuedAt,
      sentAt: d.sentAt,
      failedAt: d.failedAt,
      smtpResponse: d.smtpResponse,
      errorCode: d.errorCode,
      papers: deliveryPapers(d.papers).map((p) => ({ ...paper(p.paperId), topics: p.topics })),
      attempts: d.attempts.map((a) => ({
        attempt: a.attempt,
        status: a.status,
        messageId: a.messageId,
        smtpResponse: a.smtpResponse,
        errorCode: a.errorCode,
        reason: a.reason,
        at: a.at,
      })),
    })),
    mailedPapers: mailed.map((m) => ({ ...paper(m.paperId), deliveryId: m.deliveryId, mailedAt: m.mailedAt })),
    /** mailed in deliveries that expired (DELIVERY_RETENTION): kept so that none is mailed again */
    mailedBeforeRetention: mailedBefore ? { papers: mailedBefore.paperIds.map(paper), mailedThrough: mailedBefore.mailedThrough } : null,
    feedback: feedback.map((f) => ({ kind: f.kind, ...(f.paperId ? { paper: paper(f.paperId) } : {}), topic: f.topic, deliveryId: f.deliveryId, at: f.at })),
    inboundReports: reports.map((r) => ({
      kind: r.kind,
      via: r.via,
      deliveryId: r.deliveryId,
      recipient: r.recipient,
      status: r.status,
      diagnostic: r.diagnostic,
      outcome: r.outcome,
      receivedAt: r.receivedAt,
    })),
    subscriptionMails: mails.map((m) => ({ kind: m.kind, status: m.status, tries: m.tries, createdAt: m.createdAt, doneAt: m.doneAt, lastError: m.lastError })),
    readerModel: model
      ? {
          positives: model.positives,
          negatives: model.negatives,
          trainedAt: model.trainedAt,
          bytes: model.bytes,
          model: model.model ? (JSON.parse(model.model) as unknown) : null,
        }
      : null,
  };
}

export type SubscriberExport = NonNullable<Awaited<ReturnType<typeof readSubscriberExport>>>;
