// What an operator does with deliveries, from the CLI, the admin API or the dashboard: each one guarded
// statement (db/operator-deliveries.ts, its guard from the transition table in delivery-status.ts),
// with its attempt record where an attempt ends:
//   resend    sent | failed | unknown → queued as a NEW attempt (new Message-ID); the next send mails it,
//             leaving out what the reader got in other deliveries since (db/hand-over.ts). A sent one
//             only when confirmed (a second copy); the same request twice re-queues once.
//   resolve   unknown → sent (the relay's log shows it was taken: papers recorded as mailed)
//             unknown → queued as a new attempt (it was not)
// A delivery that is claimed or handed is in flight: refused, never guessed about. If its process
// is gone, a recovery (any `serve`, or `paperboy send`) settles it first: claimed → queued, handed → unknown.
import type { Db, Sql } from '../db/database.ts';
import { resumeDigest } from '../db/digests.ts';
import { deliveryStatuses, requeueDelivery, requeueFailed, resolveUnknownDeliveries, type Resolution } from '../db/operator-deliveries.ts';
import { emailKey } from '../db/subscribers.ts';
import { allows, IN_FLIGHT } from '../model/delivery-status.ts';

export type { Resolution } from '../db/operator-deliveries.ts';

export interface RequeuedDelivery {
  deliveryId: number;
  email: string;
  attempt: number;
  previousStatus: string;
}

export type ResendOneResult =
  | { kind: 'queued'; delivery: RequeuedDelivery }
  | { kind: 'not-found' }
  | { kind: 'already-queued'; deliveryId: number }
  | { kind: 'in-flight'; deliveryId: number; status: string }
  | { kind: 'subscriber-inactive'; deliveryId: number; status: string }
  | { kind: 'not-resendable'; deliveryId: number; status: string }
  /** sent: resending mails the reader a second copy; only when the operator confirms */
  | { kind: 'needs-confirmation'; deliveryId: number; attempt: number; sentAt: Date | null }
  /** the same request again: already re-queued (its attempt moved on, or seconds ago): nothing more */
  | { kind: 'already-resent'; deliveryId: number; attempt: number; queuedAt: Date };

export interface ResendOneOptions {
  /** a sent delivery is mailed again only when confirmed */
  confirmed?: boolean;
  /** the attempt the operator saw (a form): if the delivery moved on since, this request was already done */
  attempt?: number;
}

/** Without an attempt to compare, a resend this recent of the same delivery is the same click again. */
export const RESEND_REPEAT_SECONDS = 60;

/**
 * Re-queues one subscriber's delivery of a digest as a new attempt: one guarded statement, so the same
 * request twice (a double click, a client's retry) re-queues once. A sent one needs `confirmed`.
 */
export async function resendOne(sql: Sql, digestId: number, email: string, options: ResendOneOptions = {}): Promise<ResendOneResult> {
  const row = await requeueDelivery(sql, {
    digestId,
    emailKey: emailKey(email),
    confirmed: options.confirmed === true,
    attempt: options.attempt ?? null,
    repeatSeconds: RESEND_REPEAT_SECONDS,
  });
  if (!row) return { kind: 'not-found' };
  if (row.requeued) return { kind: 'queued', delivery: { deliveryId: row.id, email: row.email, attempt: row.attempt, previousStatus: row.status } };
  const again = { kind: 'already-resent' as const, deliveryId: row.id, attempt: row.attempt, queuedAt: row.queued_at };
  if (options.attempt !== undefined && row.attempt !== options.attempt) return again;
  if (row.status === 'queued') return { kind: 'already-queued', deliveryId: row.id };
  if ((IN_FLIGHT as readonly string[]).includes(row.status)) return { kind: 'in-flight', deliveryId: row.id, status: row.status };
  if (row.subscriber_status !== 'active') return { kind: 'subscriber-inactive', deliveryId: row.id, status: row.subscriber_status };
  if (!allows('resend', row.status)) return { kind: 'not-resendable', deliveryId: row.id, status: row.status };
  if (options.attempt === undefined && row.recent) return again;
  if (row.status === 'sent' && options.confirmed !== true) return { kind: 'needs-confirmation', deliveryId: row.id, attempt: row.attempt, sentAt: row.sent_at };
  return resendOne(sql, digestId, email, options); // it changed between the read and the update: look again
}

/**
 * Every failed delivery of a digest whose subscriber still gets digests. A digest paused for too
 * many failures is resumed: the failures being resent are the ones that paused it.
 */
export async function resendFailed(sql: Sql, db: Db, digestId: number): Promise<{ requeued: RequeuedDelivery[]; resumed: boolean }> {
  const rows = await requeueFailed(sql, digestId);
  const resumed = await resumeDigest(db, digestId);
  return {
    requeued: rows.map((r) => ({ deliveryId: r.id, email: r.email, attempt: r.attempt, previousStatus: 'failed' })).sort((a, b) => a.deliveryId - b.deliveryId),
    resumed,
  };
}

export interface ResolveTarget {
  /** these deliveries */
  ids?: number[];
  /** or every unknown delivery of this digest */
  digestId?: number;
}

export interface ResolveResult {
  resolved: Array<{ deliveryId: number; digestId: number; email: string; attempt: number }>;
  /** asked for by id but not unknown (already resolved, in flight, or no such delivery) */
  skipped: Array<{ deliveryId: number; status: string | null }>;
}

/**
 * Settles unknown deliveries as an operator decided, in one statement each way:
 *   sent   → status sent, papers recorded as mailed, the attempt recorded as sent
 *   resend → a new attempt queued (the unknown one stays in the attempt record)
 */
export async function resolveUnknown(sql: Sql, target: ResolveTarget, outcome: Resolution, note: string): Promise<ResolveResult> {
  const ids = target.ids ?? null;
  const digestId = target.digestId ?? null;
  if (ids === null && digestId === null) throw new Error('resolveUnknown needs ids or a digest');
  const rows = await resolveUnknownDeliveries(sql, ids, digestId, outcome, note);
  const resolved = rows.map((r) => ({ deliveryId: r.id, digestId: r.digest_id, email: r.email, attempt: r.attempt }));
  const done = new Set(resolved.map((r) => r.deliveryId));
  const missing = (ids ?? []).filter((id) => !done.has(id));
  let skipped: ResolveResult['skipped'] = [];
  if (missing.length > 0) {
    const status = await deliveryStatuses(sql, missing);
    skipped = missing.map((id) => ({ deliveryId: id, status: status.get(id) ?? null }));
  }
  return { resolved, skipped };
}
