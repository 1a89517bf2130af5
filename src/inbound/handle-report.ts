// The one handler of everything that comes back: DSN bounces, ARF complaints and mailto unsubscribes,
// whether from the built-in SMTP receiver or a provider's webhook. One transaction per report: the
// report is stored (once: report_key is unique, so a report delivered twice changes nothing the second
// time) with what it changed, and the changes are guarded updates.
//   hard bounce  → the delivery (this attempt, sent or unknown) becomes bounced; the subscriber bounced
//   soft bounce  → counted towards BOUNCE_LIMIT, as a 5xx at RCPT is
//   delayed      → nothing changes (stored for the history)
//   complaint    → the subscriber is unsubscribed at once
//   unsubscribe  → the subscriber is unsubscribed
// A report that says which addresses it is about (`about`: a provider's notification) changes
// something only when the subscriber named is one of them: otherwise it is refused and nothing is
// stored (a report about someone else's mail).
import { markBounced } from '../db/deliveries.ts';
import type { InboundKind, PrismaClient } from '../db/generated/client.ts';
import { emailKey } from '../db/subscribers.ts';
import { maskEmail, type Logger } from '../log/logger.ts';
import type { Metrics } from '../observe/metrics.ts';
import { isRowId } from '../model/row-id.ts';

type InboundVia = 'smtp' | 'ses';

export type InboundTarget = { deliveryId: number; attempt: number | null } | { subscriberId: number };

/** One recipient a report names, with what it says about that one. */
export interface ReportedRecipient {
  address: string;
  status: string | null;
  diagnostic: string | null;
}

export interface InboundEvent {
  via: InboundVia;
  kind: InboundKind;
  reportKey: string;
  target: InboundTarget;
  recipient?: string | null;
  status?: string | null;
  diagnostic?: string | null;
  /** when given: the recipients the report is about; the subscriber named must be one of them (their
   *  entry then gives recipient, status and diagnostic), else the report is refused */
  about?: ReportedRecipient[];
}

export interface InboundDeps {
  prisma: PrismaClient;
  log: Logger;
  metrics: Metrics;
  bounceLimit: number;
  now: () => Date;
}

export interface InboundResult {
  /** set when nothing was done: the delivery or subscriber named does not exist, or is not whom the report is about */
  refused?: 'unknown_delivery' | 'wrong_recipient' | 'erased';
  duplicate: boolean;
  /** null: the delivery or subscriber named does not exist (any more) */
  subscriberId: number | null;
  deliveryId: number | null;
  changes: string[];
}

export async function handleInbound(deps: InboundDeps, event: InboundEvent): Promise<InboundResult> {
  const now = deps.now();
  const result = await deps.prisma.$transaction(async (tx) => {
    let deliveryId: number | null = null;
    let subscriberId: number | null = null;
    let email: string | null = null;
    let erased = false;
    // an id past PostgreSQL's integer names nothing (and would make the query throw)
    if ('deliveryId' in event.target) {
      const d = isRowId(event.target.deliveryId)
        ? await tx.delivery.findUnique({
            where: { id: event.target.deliveryId },
            select: { id: true, subscriberId: true, subscriber: { select: { email: true, status: true } } },
          })
        : null;
      if (d) {
        deliveryId = d.id;
        subscriberId = d.subscriberId;
        email = d.subscriber.email;
        erased = d.subscriber.status === 'erased';
      }
    } else {
      const s = isRowId(event.target.subscriberId)
        ? await tx.subscriber.findUnique({ where: { id: event.target.subscriberId }, select: { id: true, email: true, status: true } })
        : null;
      if (s) {
        subscriberId = s.id;
        email = s.email;
        erased = s.status === 'erased';
      }
    }
    // their data was erased: a report about them (which names their address) is not stored, changes nothing
    if (erased) return { report: event, duplicate: false, deliveryId, subscriberId, email: null, changes: [] as string[], refused: 'erased' as const };
    let report = event;
    if (event.about) {
      const nothing = { report, duplicate: false, deliveryId, subscriberId, email, changes: [] as string[] };
      if (subscriberId === null || email === null) return { ...nothing, refused: 'unknown_delivery' as const };
      const mine = event.about.find((r) => emailKey(r.address) === emailKey(email));
      if (!mine) return { ...nothing, refused: 'wrong_recipient' as const };
      report = { ...event, recipient: mine.address, status: mine.status ?? event.status, diagnostic: mine.diagnostic ?? event.diagnostic };
    }
    const inserted = await tx.$queryRaw<Array<{ id: number }>>`
      INSERT INTO inbound_report (via, kind, report_key, delivery_id, subscriber_id, recipient, status, diagnostic, outcome, received_at)
      VALUES (${report.via}, ${report.kind}::"InboundKind", ${report.reportKey}, ${deliveryId}, ${subscriberId}, ${report.recipient ?? null},
              ${report.status ?? null}, ${report.diagnostic?.slice(0, 1000) ?? null}, 'nothing', ${now})
      ON CONFLICT (report_key) DO NOTHING
      RETURNING id`;
    if (inserted.length === 0) return { report, duplicate: true, deliveryId, subscriberId, email, changes: [] as string[] };
    const changes: string[] = [];
    if (subscriberId !== null) {
      switch (report.kind) {
        case 'hard_bounce': {
          if (deliveryId !== null && 'deliveryId' in report.target) {
            const attempt = report.target.attempt;
            const reason = `bounced: ${report.status ?? 'permanent failure'}${report.diagnostic ? ` ${report.diagnostic}` : ''}`.slice(0, 1000);
            const code = `bounce:${report.status ?? '5.0.0'}`;
            if (await markBounced(tx, { deliveryId, attempt, code, reason, at: now })) changes.push('delivery bounced');
          }
          const n = await tx.$executeRaw`
            UPDATE subscriber SET status = 'bounced', bounced_at = ${now}, bounce_count = bounce_count + 1, updated_at = ${now}
             WHERE id = ${subscriberId} AND status = 'active'`;
          if (n > 0) changes.push('subscriber bounced');
          break;
        }
        case 'soft_bounce': {
          const rows = await tx.$queryRaw<Array<{ status: string }>>`
            UPDATE subscriber
               SET bounce_count = bounce_count + 1,
                   status = CASE WHEN bounce_count + 1 >= ${deps.bounceLimit} THEN 'bounced'::"SubscriberStatus" ELSE status END,
                   bounced_at = CASE WHEN bounce_count + 1 >= ${deps.bounceLimit} THEN ${now} ELSE bounced_at END,
                   updated_at = ${now}
             WHERE id = ${subscriberId} AND status = 'active'
            RETURNING status::text AS status`;
          if (rows[0]) changes.push(rows[0].status === 'bounced' ? 'subscriber bounced' : 'bounce counted');
          break;
        }
        case 'complaint':
        case 'unsubscribe': {
          const n = await tx.$executeRaw`
            UPDATE subscriber SET status = 'unsubscribed', unsubscribed_at = ${now}, updated_at = ${now}
             WHERE id = ${subscriberId} AND status NOT IN ('unsubscribed', 'erased')`;
          if (n > 0) changes.push('subscriber unsubscribed');
          break;
        }
        case 'delayed':
          break;
      }
    }
    await tx.inboundReport.update({ where: { id: inserted[0]!.id }, data: { outcome: changes.join(', ') || 'nothing' } });
    return { report, duplicate: false, deliveryId, subscriberId, email, changes };
  });

  const { log } = deps;
  const report = result.report;
  if ('refused' in result && result.refused)
    return { refused: result.refused, duplicate: false, deliveryId: result.deliveryId, subscriberId: result.subscriberId, changes: [] };
  const context = {
    via: report.via,
    kind: report.kind,
    deliveryId: result.deliveryId,
    subscriberId: result.subscriberId,
    ...(result.email ? { to: maskEmail(result.email) } : {}),
    status: report.status ?? undefined,
  };
  if (result.duplicate) {
    log.info({ event: 'inbound.duplicate', ...context, reportKey: report.reportKey }, 'a report already handled came again: nothing changes');
    return { duplicate: true, deliveryId: result.deliveryId, subscriberId: result.subscriberId, changes: [] };
  }
  deps.metrics.inboundReport(report.kind, report.via);
  const name = report.kind === 'hard_bounce' || report.kind === 'soft_bounce' ? 'inbound.bounce' : `inbound.${report.kind}`;
  const level = report.kind === 'delayed' ? 'info' : 'warn';
  log[level](
    { event: name, ...context, changes: result.changes, diagnostic: report.diagnostic ?? undefined },
    `${report.kind.replace('_', ' ')} via ${report.via}: ${result.changes.join(', ') || 'nothing changes'}`,
  );
  if (result.changes.includes('delivery bounced'))
    log.warn({ event: 'delivery.bounced', ...context }, `delivery ${result.deliveryId} bounced (${report.status ?? 'permanent'})`);
  if (result.changes.includes('subscriber bounced')) log.warn({ event: 'subscriber.bounced', ...context }, `subscriber ${result.subscriberId} is now bounced`);
  if (result.changes.includes('subscriber unsubscribed')) {
    log.info(
      { event: 'subscriber.unsubscribed', ...context, via: report.kind === 'complaint' ? 'complaint' : 'mailto' },
      `subscriber ${result.subscriberId} unsubscribed (${report.kind})`,
    );
  }
  return { duplicate: false, deliveryId: result.deliveryId, subscriberId: result.subscriberId, changes: result.changes };
}
