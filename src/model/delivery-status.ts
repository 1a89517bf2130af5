// The delivery state machine, in one place: the statuses, every transition a statement may make
// (from, to, who makes it), and the SQL guards generated from them. Pure: no IO. Every guarded
// `UPDATE delivery … SET status` lives in src/db/ and takes its `WHERE status IN (…)` and its new
// status from here (`guard`, `target`), so the diagram in CONTEXT.md ("delivery states"), the
// comment at the top of db/deliveries.ts and the SQL cannot drift apart: tests/unit/deliver/
// delivery-status.test.ts holds this table against both diagrams and prisma/schema.prisma's enum,
// tests/integration/delivery/transitions.test.ts runs every statement from every status.

/** Every status a delivery can have, in the order a delivery goes through them (Prisma's DeliveryStatus). */
export const DELIVERY_STATUSES = ['queued', 'claimed', 'handed', 'sent', 'failed', 'unknown', 'bounced', 'skipped'] as const;

export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Who may make a transition. */
type Actor =
  /** the sender (send-deliveries.ts), as the worker holding the claim: same worker, same attempt */
  | 'sender'
  /** recovery (db/workers.ts): what a worker that lost its advisory lock left behind */
  | 'recovery'
  /** an operator: resend, resolve (CLI, admin API, dashboard) */
  | 'operator'
  /** an inbound report (a hard bounce, by DSN or SES) */
  | 'inbound'
  /** erasing the subscriber (an operator, or the reader from the preferences page) */
  | 'erase';

export interface Transition {
  from: readonly DeliveryStatus[];
  to: DeliveryStatus;
  by: Actor;
  /** what the statement is for */
  why: string;
}

/**
 * Every transition, one per guarded statement (its name in the diagrams). A statement may change a
 * delivery only from its `from` statuses, and only to `to`.
 */
export const TRANSITIONS = {
  claim: { from: ['queued'], to: 'claimed', by: 'sender', why: 'claimDeliveries: due, its digest ready' },
  hand: { from: ['claimed'], to: 'handed', by: 'sender', why: 'markHanded: committed before its message data goes to the relay' },
  skip: { from: ['claimed'], to: 'skipped', by: 'sender', why: 'markSkipped: every paper reached the reader in another delivery' },
  release: { from: ['claimed', 'handed'], to: 'queued', by: 'sender', why: 'releaseClaims: stopped or paused before the message data ended' },
  retry: { from: ['claimed', 'handed', 'unknown'], to: 'queued', by: 'sender', why: 'scheduleRetry: a temporary error, one more try later' },
  fail: { from: ['claimed', 'handed', 'unknown'], to: 'failed', by: 'sender', why: 'markFailed: refused for good, out of tries, or the reader left' },
  sent: { from: ['handed', 'unknown'], to: 'sent', by: 'sender', why: 'markSent: the relay accepted it (unknown: its reply came late)' },
  'no-reply': { from: ['handed'], to: 'unknown', by: 'sender', why: 'markUnknown: the message data ended, the final reply never came' },
  'release-gone': { from: ['claimed'], to: 'queued', by: 'recovery', why: 'recoverOrphans: a claim of a gone worker' },
  'worker-gone': { from: ['handed'], to: 'unknown', by: 'recovery', why: 'recoverOrphans: a handed delivery of a gone worker' },
  resend: { from: ['sent', 'failed', 'unknown'], to: 'queued', by: 'operator', why: 'requeueDelivery: a new attempt (a sent one only when confirmed)' },
  'resend-failed': { from: ['failed'], to: 'queued', by: 'operator', why: 'requeueFailed: every failed delivery of a digest, as new attempts' },
  'resolve-sent': { from: ['unknown'], to: 'sent', by: 'operator', why: "resolveUnknownDeliveries: the relay's log shows it was accepted" },
  'resolve-resend': { from: ['unknown'], to: 'queued', by: 'operator', why: 'resolveUnknownDeliveries: it was not, a new attempt' },
  bounce: { from: ['sent', 'unknown'], to: 'bounced', by: 'inbound', why: 'markBounced: a hard bounce for that attempt' },
  erase: { from: ['queued', 'claimed'], to: 'failed', by: 'erase', why: 'eraseSubscriber: not sent (a handed one makes the erase refuse)' },
} as const satisfies Record<string, Transition>;

export type TransitionName = keyof typeof TRANSITIONS;

/** Held by a worker, on its way: resend and resolve refuse it; stuck when old. */
export const IN_FLIGHT = ['claimed', 'handed'] as const satisfies readonly DeliveryStatus[];
/** Its message may be reaching the reader (never twice: its papers are taken). */
export const MAY_BE_REACHING = ['handed', 'unknown'] as const satisfies readonly DeliveryStatus[];
/** Went to the relay: the email may be in the reader's inbox (its web view opens). */
export const WENT_TO_RELAY = ['handed', 'sent', 'unknown'] as const satisfies readonly DeliveryStatus[];
/** Not yet mailed but will be, or may be reaching the reader: its papers are not planned again. */
export const ON_ITS_WAY = ['queued', 'claimed', 'handed', 'unknown'] as const satisfies readonly DeliveryStatus[];
/** Not yet settled by the relay's reply: the live preview shows its frozen papers. */
export const NOT_YET_SENT = ['queued', 'claimed', 'handed'] as const satisfies readonly DeliveryStatus[];

/** Whether a delivery in `status` may make the transition (what its statement's guard says). */
export function allows(name: TransitionName, status: string): boolean {
  return (TRANSITIONS[name].from as readonly string[]).includes(status);
}

/** SQL: a status literal (every status is a plain word: nothing to escape). */
function literal(status: DeliveryStatus): string {
  if (!(DELIVERY_STATUSES as readonly string[]).includes(status)) throw new Error(`not a delivery status: ${status}`);
  return `'${status}'`;
}

/** SQL: `<column> IN ('a', 'b')` for a list of statuses (`<column> = 'a'` for one). */
export function statusIn(column: string, statuses: readonly DeliveryStatus[]): string {
  if (statuses.length === 0) throw new Error('an empty list of statuses');
  return statuses.length === 1 ? `${column} = ${literal(statuses[0]!)}` : `${column} IN (${statuses.map(literal).join(', ')})`;
}

/** SQL: the guard of a transition's statement, `<column> IN (<its from statuses>)`. */
export function guard(name: TransitionName, column = 'status'): string {
  return statusIn(column, TRANSITIONS[name].from);
}

/** SQL: the status a transition's statement sets (`SET status = ${target('claim')}`). */
export function target(name: TransitionName): string {
  return literal(TRANSITIONS[name].to);
}
