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
import type { Db } from '../db/database.ts';
import type { InboundKind, PrismaClient } from '../db/generated/client.ts';
import {
  bounceSubscriber,
  findDeliverySubject,
  findSubscriberSubject,
  insertReport,
  setReportOutcome,
  unsubscribeByReport,
  type ReportSubject,
} from '../db/inbound-reports.ts';
import { countBounce, emailKey } from '../db/subscribers.ts';
import { maskEmail, type Logger } from '../log/logger.ts';
import type { Metrics } from '../observe/metrics.ts';

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

type Refusal = NonNullable<InboundResult['refused']>;

/**
 * What a report found in the database is taken as (pure): refused, or the report to store with the
 * recipient's own status and diagnostic when it names several recipients.
 */
export function readReport(event: InboundEvent, subject: ReportSubject | null): { refused: Refusal } | { report: InboundEvent } {
  // their data was erased: a report about them (which names their address) is not stored, changes nothing
  if (subject?.erased) return { refused: 'erased' };
  if (!event.about) return { report: event };
  if (!subject) return { refused: 'unknown_delivery' };
  const mine = event.about.find((r) => emailKey(r.address) === emailKey(subject.email));
  if (!mine) return { refused: 'wrong_recipient' };
  return { report: { ...event, recipient: mine.address, status: mine.status ?? event.status, diagnostic: mine.diagnostic ?? event.diagnostic } };
}

interface Applied {
  tx: Db;
  report: InboundEvent;
  deliveryId: number | null;
  subscriberId: number;
  bounceLimit: number;
  at: Date;
}

/** What each kind of report changes; each returns the changes made (guarded: none when already done). */
const APPLY: Record<InboundKind, (a: Applied) => Promise<string[]>> = {
  async hard_bounce({ tx, report, deliveryId, subscriberId, at }) {
    const changes: string[] = [];
    if (deliveryId !== null && 'deliveryId' in report.target) {
      const reason = `bounced: ${report.status ?? 'permanent failure'}${report.diagnostic ? ` ${report.diagnostic}` : ''}`.slice(0, 1000);
      const code = `bounce:${report.status ?? '5.0.0'}`;
      if (await markBounced(tx, { deliveryId, attempt: report.target.attempt, code, reason, at })) changes.push('delivery bounced');
    }
    if (await bounceSubscriber(tx, subscriberId, at)) changes.push('subscriber bounced');
    return changes;
  },
  async soft_bounce({ tx, subscriberId, bounceLimit, at }) {
    const counted = await countBounce(tx, subscriberId, bounceLimit, at);
    return counted === null ? [] : [counted === 'bounced' ? 'subscriber bounced' : 'bounce counted'];
  },
  complaint: unsubscribe,
  unsubscribe,
  delayed: () => Promise.resolve([]),
};

async function unsubscribe({ tx, subscriberId, at }: Applied): Promise<string[]> {
  return (await unsubscribeByReport(tx, subscriberId, at)) ? ['subscriber unsubscribed'] : [];
}

type Handled = { subject: ReportSubject | null } & ({ refused: Refusal } | { report: InboundEvent; duplicate: boolean; changes: string[] });

async function handleInTransaction(tx: Db, deps: InboundDeps, event: InboundEvent, at: Date): Promise<Handled> {
  const subject =
    'deliveryId' in event.target ? await findDeliverySubject(tx, event.target.deliveryId) : await findSubscriberSubject(tx, event.target.subscriberId);
  const read = readReport(event, subject);
  if ('refused' in read) return { subject, refused: read.refused };
  const { report } = read;
  const reportId = await insertReport(tx, {
    via: report.via,
    kind: report.kind,
    reportKey: report.reportKey,
    deliveryId: subject?.deliveryId ?? null,
    subscriberId: subject?.subscriberId ?? null,
    recipient: report.recipient ?? null,
    status: report.status ?? null,
    diagnostic: report.diagnostic ?? null,
    at,
  });
  if (reportId === null) return { subject, report, duplicate: true, changes: [] };
  const changes = subject
    ? await APPLY[report.kind]({ tx, report, deliveryId: subject.deliveryId, subscriberId: subject.subscriberId, bounceLimit: deps.bounceLimit, at })
    : [];
  await setReportOutcome(tx, reportId, changes.join(', ') || 'nothing');
  return { subject, report, duplicate: false, changes };
}

export async function handleInbound(deps: InboundDeps, event: InboundEvent): Promise<InboundResult> {
  const handled = await deps.prisma.$transaction((tx) => handleInTransaction(tx, deps, event, deps.now()));
  const ids = { deliveryId: handled.subject?.deliveryId ?? null, subscriberId: handled.subject?.subscriberId ?? null };
  if ('refused' in handled) return { refused: handled.refused, duplicate: false, ...ids, changes: [] };
  const outcome = { duplicate: handled.duplicate, ...ids, changes: handled.changes };
  logReport(deps, handled.report, outcome, handled.subject?.email ?? null);
  return outcome;
}

interface Outcome {
  duplicate: boolean;
  deliveryId: number | null;
  subscriberId: number | null;
  changes: string[];
}

/** The report's log lines and metric: one line for the report, one per change an operator looks for. */
function logReport(deps: InboundDeps, report: InboundEvent, outcome: Outcome, email: string | null): void {
  const { log } = deps;
  const { deliveryId, subscriberId, changes } = outcome;
  const context = {
    via: report.via,
    kind: report.kind,
    deliveryId,
    subscriberId,
    ...(email ? { to: maskEmail(email) } : {}),
    status: report.status ?? undefined,
  };
  if (outcome.duplicate) {
    log.info({ event: 'inbound.duplicate', ...context, reportKey: report.reportKey }, 'a report already handled came again: nothing changes');
    return;
  }
  deps.metrics.inboundReport(report.kind, report.via);
  const name = report.kind === 'hard_bounce' || report.kind === 'soft_bounce' ? 'inbound.bounce' : `inbound.${report.kind}`;
  const level = report.kind === 'delayed' ? 'info' : 'warn';
  log[level](
    { event: name, ...context, changes, diagnostic: report.diagnostic ?? undefined },
    `${report.kind.replace('_', ' ')} via ${report.via}: ${changes.join(', ') || 'nothing changes'}`,
  );
  if (changes.includes('delivery bounced'))
    log.warn({ event: 'delivery.bounced', ...context }, `delivery ${deliveryId} bounced (${report.status ?? 'permanent'})`);
  if (changes.includes('subscriber bounced')) log.warn({ event: 'subscriber.bounced', ...context }, `subscriber ${subscriberId} is now bounced`);
  if (changes.includes('subscriber unsubscribed')) {
    log.info(
      { event: 'subscriber.unsubscribed', ...context, via: report.kind === 'complaint' ? 'complaint' : 'mailto' },
      `subscriber ${subscriberId} unsubscribed (${report.kind})`,
    );
  }
}
