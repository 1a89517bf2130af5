// What a report (a bounce, a complaint, a mailto unsubscribe) reads and changes in the database: the
// delivery or subscriber it names, the report stored once (report_key is unique), and the guarded
// updates of the subscriber. The sequence and its rules are inbound/handle-report.ts.
import type { Db } from './database.ts';
import type { InboundKind } from './generated/client.ts';
import { isRowId } from '../model/row-id.ts';

/** The subscriber a report is about, found through the delivery or the subscriber it names. */
export interface ReportSubject {
  deliveryId: number | null;
  subscriberId: number;
  email: string;
  erased: boolean;
}

/** The delivery named by a report (null: it does not exist, or an id past PostgreSQL's integer, which names nothing). */
export async function findDeliverySubject(tx: Db, deliveryId: number): Promise<ReportSubject | null> {
  if (!isRowId(deliveryId)) return null;
  // (findFirst: the key is (id, digest_id), the table being partitioned by digest; the id alone is one row)
  const d = await tx.delivery.findFirst({
    where: { id: deliveryId },
    select: { id: true, subscriberId: true, subscriber: { select: { email: true, status: true } } },
  });
  return d && { deliveryId: d.id, subscriberId: d.subscriberId, email: d.subscriber.email, erased: d.subscriber.status === 'erased' };
}

/** The subscriber named by a report (null: they do not exist). */
export async function findSubscriberSubject(tx: Db, subscriberId: number): Promise<ReportSubject | null> {
  if (!isRowId(subscriberId)) return null;
  const s = await tx.subscriber.findUnique({ where: { id: subscriberId }, select: { id: true, email: true, status: true } });
  return s && { deliveryId: null, subscriberId: s.id, email: s.email, erased: s.status === 'erased' };
}

export interface StoredReport {
  via: string;
  kind: InboundKind;
  reportKey: string;
  deliveryId: number | null;
  subscriberId: number | null;
  recipient: string | null;
  status: string | null;
  diagnostic: string | null;
  at: Date;
}

/** Stores a report once: the row's id, or null when a report with this key was stored before. */
export async function insertReport(tx: Db, r: StoredReport): Promise<number | null> {
  const inserted = await tx.$queryRaw<Array<{ id: number }>>`
    INSERT INTO inbound_report (via, kind, report_key, delivery_id, subscriber_id, recipient, status, diagnostic, outcome, received_at)
    VALUES (${r.via}, ${r.kind}::"InboundKind", ${r.reportKey}, ${r.deliveryId}, ${r.subscriberId}, ${r.recipient},
            ${r.status}, ${r.diagnostic?.slice(0, 1000) ?? null}, 'nothing', ${r.at})
    ON CONFLICT (report_key) DO NOTHING
    RETURNING id`;
  return inserted[0]?.id ?? null;
}

export async function setReportOutcome(tx: Db, reportId: number, outcome: string): Promise<void> {
  await tx.inboundReport.update({ where: { id: reportId }, data: { outcome } });
}

/** An active subscriber whose address was refused permanently becomes bounced. */
export async function bounceSubscriber(tx: Db, subscriberId: number, at: Date): Promise<boolean> {
  const n = await tx.$executeRaw`
    UPDATE subscriber SET status = 'bounced', bounced_at = ${at}, bounce_count = bounce_count + 1, updated_at = ${at}
     WHERE id = ${subscriberId} AND status = 'active'`;
  return n > 0;
}

/** Unsubscribes a subscriber after a complaint or a mailto unsubscribe (not one already unsubscribed or erased). */
export async function unsubscribeByReport(tx: Db, subscriberId: number, at: Date): Promise<boolean> {
  const n = await tx.$executeRaw`
    UPDATE subscriber SET status = 'unsubscribed', unsubscribed_at = ${at}, updated_at = ${at}
     WHERE id = ${subscriberId} AND status NOT IN ('unsubscribed', 'erased')`;
  return n > 0;
}
