// The jobs run by hand — from the command line, the admin API or the dashboard — recorded in
// `job_run` as the schedule's are (src/db/job-runs.ts), so "Recent jobs" shows every run, whoever ran it.
import { recordJob, type JobTrigger } from '../db/job-runs.ts';
import { buildDigest, type BuildDigestOptions, type BuildDigestResult, type BuildStopped } from '../digest/build-digest.ts';
import { ingestInputs, type IngestOutcome } from '../ingest/ingest-inputs.ts';
import type { SendSummary } from '../deliver/send-deliveries.ts';
import type { WebJobs } from '../web/context.ts';
import type { AppParts } from './parts.ts';
import { createJobLock, type LockedRun } from '../jobs/job-lock.ts';
import { runRetention, type RetentionRun } from '../jobs/retention.ts';
import { digestDeps, ingestDeps, retentionDeps } from './deps.ts';

/** What a digest run says in `job_run.detail` (the schedule's run says the same). */
export function digestDetail(result: BuildDigestResult | BuildStopped): Record<string, unknown> {
  if (result.kind === 'built') return { digestId: result.digest!.id, snapshotId: result.snapshot.id, deliveries: result.deliveries };
  if (result.kind === 'stopped') return { result: 'stopped', digestId: result.digestId, readers: result.readers };
  return { result: result.kind };
}

/**
 * Builds the digest of the newest snapshot; a dry run writes nothing, not even its job. Given a
 * `signal` (the command line's Ctrl-C), the build stops between chunks once it is aborted.
 */
export function digestByHand(ctx: AppParts, trigger: JobTrigger, options?: BuildDigestOptions): Promise<BuildDigestResult>;
export function digestByHand(
  ctx: AppParts,
  trigger: JobTrigger,
  options: BuildDigestOptions & { signal: AbortSignal },
): Promise<BuildDigestResult | BuildStopped>;
export function digestByHand(
  ctx: AppParts,
  trigger: JobTrigger,
  options: BuildDigestOptions & { signal?: AbortSignal } = {},
): Promise<BuildDigestResult | BuildStopped> {
  const { signal } = options;
  const build = () => (signal ? buildDigest(digestDeps(ctx), { ...options, signal }) : buildDigest(digestDeps(ctx), options));
  if (options.dryRun) return build();
  return recordJob(ctx.db.prisma, 'digest', trigger, build, digestDetail);
}

export function ingestByHand(ctx: AppParts, trigger: JobTrigger, inputs: string[], onOutcome?: (o: IngestOutcome) => void): Promise<IngestOutcome[]> {
  return recordJob(
    ctx.db.prisma,
    'ingest',
    trigger,
    () => ingestInputs(ingestDeps(ctx), inputs, onOutcome),
    (outcomes) => {
      const count = (kind: IngestOutcome['kind']) => outcomes.filter((o) => o.kind === kind).length;
      return { ingested: count('ingested'), duplicate: count('duplicate'), quiet: count('quiet'), rejected: count('rejected') };
    },
  );
}

/** A `paperboy send` run: recorded as the job `send`. */
export function sendByHand<T extends { summary: SendSummary }>(ctx: AppParts, trigger: JobTrigger, run: () => Promise<T>): Promise<T> {
  return recordJob(ctx.db.prisma, 'send', trigger, run, ({ summary: s }) => ({
    sent: s.sent,
    failed: s.failed,
    retried: s.retried,
    unknown: s.unknown,
    bounced: s.bounced,
  }));
}

/** The jobs the admin API and the dashboard run by hand, bound to one context. */
export function jobsByHand(ctx: AppParts): WebJobs {
  return {
    ingest: (trigger, inputs) => ingestByHand(ctx, trigger, inputs),
    digest: (trigger, options) => digestByHand(ctx, trigger, options),
    retention: async (trigger) => {
      const locked = await retentionByHand(ctx, trigger);
      return locked.ran ? { ran: true, detail: retentionDetail(locked.value) } : { ran: false };
    },
  };
}

/** What a retention run says in `job_run.detail` (the schedule's run says the same). */
export function retentionDetail(run: RetentionRun): Record<string, unknown> {
  return { ...run, cutoff: run.cutoff.toISOString() };
}

/**
 * A retention run by hand (`paperboy retention`, the admin API), under the job lock the schedule
 * takes: while another process runs it, nothing runs here (ran: false).
 */
export function retentionByHand(ctx: AppParts, trigger: JobTrigger): Promise<LockedRun<RetentionRun>> {
  return createJobLock(ctx.db.pgConfig).tryRun('retention', () =>
    recordJob(ctx.db.prisma, 'retention', trigger, () => runRetention(retentionDeps(ctx)), retentionDetail),
  );
}
