// The operator's actions, shared by the JSON admin API and the dashboard's forms: the same checks,
// the same recovery first, the same log events, the same errors (HttpError with a stable code).
import type { OperatorContext } from '../context.ts';
import { recover } from '../../deliver/worker-liveness.ts';
import { getDigest, resumeDigest, type DigestSummary } from '../../db/digests.ts';
import type { BuildDigestResult } from '../../digest/build-digest.ts';
import { reactivateSubscriber } from '../../db/subscribers.ts';
import { resendFailed, resendOne, resolveUnknown, type ResendOneOptions, type Resolution } from '../../deliver/resend.ts';
import { backfillDays, BackfillRangeError } from '../../ingest/backfill-plan.ts';
import { displaySource } from '../../ingest/ingest-inputs.ts';
import type { BackfillStart } from '../../jobs/backfill.ts';
import { HttpError, notFound } from '../http-errors.ts';
import { plural } from '../../log/plural.ts';

export interface ActionHooks {
  /** wake the sender after something was queued */
  onQueued?: () => void;
  /** starts a backfill in the background (serve's BackfillRunner) */
  backfill?: { start(days: string[], trigger: string): Promise<BackfillStart> };
  /** the scheduler's own ingest (with source health, under the job lock) when `serve` runs one */
  ingestSource?: (via: ActionVia) => Promise<unknown>;
}

/** Where an action came from, for the attempt records: "admin API" or "dashboard". */
export type ActionVia = 'admin API' | 'dashboard';

async function digestMustExist(ctx: OperatorContext, id: number): Promise<void> {
  if (!(await getDigest(ctx.db.prisma, id))) throw notFound(`digest ${id}`);
}

export async function resendFailedAction(ctx: OperatorContext, hooks: ActionHooks, digestId: number) {
  await digestMustExist(ctx, digestId);
  const { requeued, resumed } = await resendFailed(ctx.db.sql, ctx.db.prisma, digestId);
  ctx.log.info(
    { event: 'delivery.resend', digestId, deliveries: requeued.map((r) => r.deliveryId), resumed },
    `re-queued ${plural(requeued.length, 'failed delivery', 'failed deliveries')}`,
  );
  hooks.onQueued?.();
  return { digestId, queued: requeued, resumed };
}

export async function resendOneAction(ctx: OperatorContext, hooks: ActionHooks, digestId: number, email: string, options: ResendOneOptions = {}) {
  await digestMustExist(ctx, digestId);
  await recover(ctx.db.sql, ctx.log); // what a stopped process left is settled first, never guessed about
  const result = await resendOne(ctx.db.sql, digestId, email, options);
  switch (result.kind) {
    case 'queued':
      ctx.log.info({ event: 'delivery.resend', digestId, deliveries: [result.delivery.deliveryId] }, 're-queued one delivery');
      hooks.onQueued?.();
      return { digestId, queued: [result.delivery], resumed: false };
    case 'not-found':
      throw new HttpError(404, 'DELIVERY_NOT_FOUND', `digest ${digestId} has no delivery for that address`);
    case 'already-queued':
      return { digestId, queued: [], alreadyQueued: result.deliveryId, resumed: false };
    case 'already-resent':
      return { digestId, queued: [], alreadyResent: { deliveryId: result.deliveryId, attempt: result.attempt, queuedAt: result.queuedAt }, resumed: false };
    case 'in-flight':
      throw new HttpError(
        409,
        'DELIVERY_IN_FLIGHT',
        `delivery ${result.deliveryId} is ${result.status} by a running process right now; try again when it is done`,
      );
    case 'subscriber-inactive':
      throw new HttpError(409, 'SUBSCRIBER_INACTIVE', `the subscriber is ${result.status}`);
    case 'not-resendable':
      throw new HttpError(409, 'DELIVERY_NOT_RESENDABLE', `delivery ${result.deliveryId} is ${result.status}: nothing to resend`);
    case 'needs-confirmation':
      throw new ConfirmationRequired(result.deliveryId, result.attempt, result.sentAt);
  }
}

/** A sent delivery: resending mails the reader a second copy, so the operator says so first. */
export class ConfirmationRequired extends HttpError {
  constructor(
    readonly deliveryId: number,
    readonly attempt: number,
    readonly sentAt: Date | null,
  ) {
    super(
      409,
      'CONFIRMATION_REQUIRED',
      `delivery ${deliveryId} was sent${sentAt ? ` at ${sentAt.toISOString()}` : ''}: resending mails the reader a second copy (less what they got ` +
        'since in other digests); repeat the request with "confirm": true to do it',
      { deliveryId, attempt, sentAt },
    );
  }
}

export async function resumeAction(ctx: OperatorContext, hooks: ActionHooks, digestId: number) {
  await digestMustExist(ctx, digestId);
  if (!(await resumeDigest(ctx.db.prisma, digestId))) throw new HttpError(409, 'DIGEST_NOT_PAUSED', `digest ${digestId} is not paused`);
  ctx.log.info({ event: 'digest.resumed', digestId }, `resumed digest ${digestId}`);
  hooks.onQueued?.();
  return { digestId, status: 'ready' as const };
}

export async function resolveAction(
  ctx: OperatorContext,
  hooks: ActionHooks,
  target: { ids: number[] } | { digestId: number },
  outcome: Resolution,
  via: ActionVia,
) {
  if ('digestId' in target) await digestMustExist(ctx, target.digestId);
  await recover(ctx.db.sql, ctx.log);
  const note = outcome === 'sent' ? `resolved by an operator: the relay had it (${via})` : `resolved by an operator: resent as a new attempt (${via})`;
  const result = await resolveUnknown(ctx.db.sql, target, outcome, note);
  ctx.log.info(
    { event: 'delivery.resolved', outcome, deliveryIds: result.resolved.map((r) => r.deliveryId) },
    `${plural(result.resolved.length, 'unknown delivery', 'unknown deliveries')} resolved as ${outcome}`,
  );
  if (outcome === 'resend' && result.resolved.length > 0) hooks.onQueued?.();
  if ('ids' in target && target.ids.length === 1) {
    const skipped = result.skipped[0];
    if (skipped && skipped.status === null) throw notFound(`delivery ${target.ids[0]}`);
    if (skipped) throw new HttpError(409, 'DELIVERY_NOT_UNKNOWN', `delivery ${target.ids[0]} is ${skipped.status}, not unknown: nothing to resolve`);
  }
  return result;
}

export async function reactivateAction(ctx: OperatorContext, subscriberId: number) {
  if (!(await reactivateSubscriber(ctx.db.prisma, subscriberId, ctx.now())))
    throw new HttpError(409, 'SUBSCRIBER_NOT_BOUNCED', `subscriber ${subscriberId} is not bounced`);
  ctx.log.info({ event: 'subscriber.reactivated', subscriberId }, `reactivated subscriber ${subscriberId}`);
  return { subscriberId, status: 'active' as const };
}

/** The days a backfill from `since` (to `until`, else yesterday) would fetch: 400 with the reason when it cannot. */
export function backfillRange(ctx: OperatorContext, since: string, until?: string): string[] {
  try {
    return backfillDays(since, until, ctx.now());
  } catch (err) {
    if (err instanceof BackfillRangeError) throw new HttpError(400, 'BACKFILL_RANGE', err.message.replace(/^--(since|until) /, '$1 '));
    throw err;
  }
}

/** Starts a backfill of SNAPSHOT_SOURCE in the background (the dashboard's button, the admin API). */
export async function backfillAction(ctx: OperatorContext, hooks: ActionHooks, since: string, until: string | undefined, via: ActionVia) {
  const days = backfillRange(ctx, since, until);
  if (!hooks.backfill)
    throw new HttpError(409, 'BACKFILL_UNAVAILABLE', 'backfills run inside `paperboy serve`; on the command line: paperboy ingest --since YYYY-MM-DD');
  const started = await hooks.backfill.start(days, via === 'dashboard' ? 'dashboard' : 'admin');
  if (started.kind === 'busy') throw new HttpError(409, 'BACKFILL_RUNNING', `a backfill is already running (${started.where}): wait for it to finish`);
  if (started.kind === 'not-an-api')
    throw new HttpError(409, 'SOURCE_NOT_AN_API', `SNAPSHOT_SOURCE is ${started.source}, not the daily papers API: nothing to backfill from`);
  ctx.log.info(
    { event: 'backfill.started', jobId: started.jobId, from: days[0], to: days.at(-1), days: days.length, via },
    `backfill of ${plural(days.length, 'day')} started (${via})`,
  );
  return { jobId: started.jobId, from: days[0]!, to: days.at(-1)!, days: days.length, source: displaySource(ctx.config.SNAPSHOT_SOURCE) };
}

/** Ingests SNAPSHOT_SOURCE now (or `url`): through serve's scheduler when there is one, else directly; recorded as a job. */
export async function ingestAction(ctx: OperatorContext, hooks: ActionHooks, url: string | undefined, via: ActionVia) {
  if (!url && hooks.ingestSource) return { kind: 'scheduled' as const, result: await hooks.ingestSource(via) };
  const outcomes = await ctx.jobs.ingest(via === 'dashboard' ? 'dashboard' : 'admin', [url ?? ctx.config.SNAPSHOT_SOURCE]);
  return { kind: 'direct' as const, outcomes };
}

export type DigestActionResult =
  | Extract<BuildDigestResult, { kind: 'no-snapshot' | 'up-to-date' | 'building-elsewhere' }>
  | {
      kind: 'built' | 'dry-run';
      digest: DigestSummary | null;
      snapshotId: number;
      capturedAt: Date;
      newPapers: number;
      subscribers: number;
      deliveries: number;
      skippedSnapshots: number[];
    };

/** Builds the digest of the newest snapshot now (a dry run writes nothing); recorded as a job. */
export async function digestAction(ctx: OperatorContext, hooks: ActionHooks, dryRun: boolean, via: ActionVia): Promise<DigestActionResult> {
  const result = await ctx.jobs.digest(via === 'dashboard' ? 'dashboard' : 'admin', { dryRun });
  if (result.kind === 'no-snapshot' || result.kind === 'up-to-date' || result.kind === 'building-elsewhere') return result;
  if (result.kind === 'built') hooks.onQueued?.();
  const { snapshot } = result;
  return {
    kind: result.kind,
    digest: result.digest,
    snapshotId: snapshot.id,
    capturedAt: snapshot.capturedAt,
    newPapers: result.newPapers.length,
    subscribers: result.subscribers,
    deliveries: result.deliveries,
    skippedSnapshots: result.skippedSnapshots,
  };
}
