// A backfill started from the dashboard or the admin API runs inside `serve`, in the background: one
// at a time across all processes (the job lock `backfill`, as `paperboy ingest --since` takes), as a
// job (`job_run`: job backfill, its progress in `detail`, in "Recent jobs"), and stopped with the
// service (after the request in flight; the next backfill continues where it stopped).
import { isUrl } from '../ingest/read-input.ts';
import { backfill, type BackfillStart, type BackfillSummary } from '../jobs/backfill.ts';
import { AdvisoryJobLock } from '../jobs/job-lock.ts';
import type { AppContext } from './context.ts';
import { ingestDeps } from './deps.ts';

export class BackfillRunner {
  private current: { stop: AbortController; done: Promise<unknown> } | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly paceMs = 1000,
  ) {}

  get running(): boolean {
    return this.current !== null;
  }

  /** Starts the backfill of these days from SNAPSHOT_SOURCE; resolves once it holds the lock (or not). */
  async start(days: string[], trigger: string): Promise<BackfillStart> {
    const { ctx } = this;
    const api = ctx.config.SNAPSHOT_SOURCE;
    if (!isUrl(api)) return { kind: 'not-an-api', source: api };
    if (this.current) return { kind: 'busy', where: 'here' };
    const stop = new AbortController();
    let acquired!: (jobId: number | null) => void;
    const holding = new Promise<number | null>((resolve) => (acquired = resolve));
    const prisma = ctx.db.prisma;
    const done = new AdvisoryJobLock(ctx.db.pgConfig)
      .tryRun('backfill', async () => {
        const job = await prisma.jobRun.create({
          data: { job: 'backfill', trigger, status: 'running', detail: { from: days[0]!, to: days.at(-1)!, days: days.length, done: 0 } },
        });
        acquired(job.id);
        let summary: BackfillSummary | null = null;
        try {
          summary = await backfill(ingestDeps(ctx), {
            api,
            days,
            paceMs: this.paceMs,
            signal: stop.signal,
            onDay: (result, index) =>
              void prisma.jobRun
                .update({ where: { id: job.id }, data: { detail: { from: days[0]!, to: days.at(-1)!, days: days.length, done: index + 1, last: result.day } } })
                .catch(() => undefined),
          });
        } finally {
          const failed = !summary || summary.stopped !== null || summary.rejected.length > 0;
          const detail = summary
            ? { from: days[0]!, to: days.at(-1)!, ...summary, rejected: summary.rejected.map((r) => r.day) }
            : { error: 'the backfill failed (see the log)' };
          await prisma.jobRun
            .update({ where: { id: job.id }, data: { status: failed ? 'failed' : 'ok', detail, finishedAt: new Date() } })
            .catch(() => undefined);
        }
      })
      .then(
        (locked) => (locked.ran ? undefined : acquired(null)),
        (err: unknown) => {
          acquired(null);
          ctx.log.error({ event: 'job.failed', job: 'backfill', trigger, err }, `backfill failed: ${(err as Error).message}`);
        },
      )
      .finally(() => (this.current = null));
    this.current = { stop, done };
    const jobId = await holding;
    if (jobId === null) {
      await done;
      return { kind: 'busy', where: 'another process' };
    }
    return { kind: 'started', jobId, days: days.length };
  }

  /** Stops a running backfill after its request in flight; resolves when it has. */
  async stop(): Promise<void> {
    const current = this.current;
    if (!current) return;
    current.stop.abort();
    await current.done;
  }
}
