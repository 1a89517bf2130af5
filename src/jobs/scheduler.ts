// node-cron runs the jobs on their cron lines (CRON_TZ). A tick runs its job only if no other
// process is running it (job-lock.ts; the others log job.skipped) and never twice at once in this
// process (noOverlap): a job that overruns its next tick is not started again.
import cron, { type ScheduledTask } from 'node-cron';
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../observe/metrics.ts';
import type { JobLock } from './job-lock.ts';

/** A job definition: its name, its cron line and what it does (documenso keeps them together). */
export interface JobDefinition {
  name: string;
  cron: string;
  /** `stopping` is aborted when the scheduler stops: a long job may end early at a safe point */
  run: (stopping: AbortSignal) => Promise<Record<string, unknown>>;
}

export interface SchedulerDeps {
  prisma: PrismaClient;
  log: Logger;
  metrics: Metrics;
  lock: JobLock;
  workerId: string;
  timezone: string;
}

export type JobResult = { outcome: 'ran'; detail: Record<string, unknown> } | { outcome: 'skipped' } | { outcome: 'failed'; error: string };

export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Map<string, Promise<JobResult>>();
  private stopped = false;
  private readonly stopping = new AbortController();

  constructor(
    private readonly deps: SchedulerDeps,
    private readonly jobs: JobDefinition[],
  ) {}

  start(): void {
    for (const job of this.jobs) {
      const task = cron.schedule(job.cron, (context) => this.run(job.name, 'schedule', context.date).then(() => undefined), {
        name: `paperboy-${job.name}`,
        timezone: this.deps.timezone,
        noOverlap: true,
        // node-cron's own notices (an overlapping tick …) go to our log, at debug: job.skipped says it
        logger: {
          info: (message: string) => this.deps.log.debug({ event: 'cron.notice' }, message),
          warn: (message: string) => this.deps.log.debug({ event: 'cron.notice' }, message),
          error: (message: string | Error) => this.deps.log.error({ event: 'cron.error', err: message }, String(message)),
          debug: () => undefined,
        },
      });
      this.tasks.push(task);
    }
  }

  /** When each job runs next (for people). */
  nextRuns(): Record<string, string | null> {
    return Object.fromEntries(this.jobs.map((job, i) => [job.name, this.tasks[i]?.getNextRun()?.toISOString() ?? null]));
  }

  /**
   * Runs a job now (a cron tick, start-up, the admin API, a digest build left unfinished) under the job lock; a run already going
   * here is joined. A scheduled run names its tick: the first process to record the tick runs it,
   * every other process skips it — one run per tick across all processes.
   */
  run(name: string, trigger: 'schedule' | 'startup' | 'admin' | 'dashboard' | 'resume', tick?: Date): Promise<JobResult> {
    const job = this.jobs.find((j) => j.name === name);
    if (!job) throw new Error(`no job ${name}`);
    const current = this.running.get(name);
    if (current) {
      this.deps.log.info({ event: 'job.skipped', job: name, trigger, reason: 'still running here' }, `${name}: the previous run is still going`);
      this.deps.metrics.job(name, 'skipped');
      return current;
    }
    if (this.stopped) return Promise.resolve({ outcome: 'skipped' });
    const promise = this.execute(job, trigger, tick).finally(() => this.running.delete(name));
    this.running.set(name, promise);
    return promise;
  }

  private async execute(job: JobDefinition, trigger: string, tick: Date | undefined): Promise<JobResult> {
    const { prisma, log, metrics, lock, workerId } = this.deps;
    const started = performance.now();
    const at = tick ? new Date(Math.floor(tick.getTime() / 1000) * 1000) : null;
    try {
      const locked = await lock.tryRun(job.name, async () => {
        const rows = await prisma.$queryRaw<Array<{ id: number }>>`
          INSERT INTO job_run (job, trigger, tick, worker_id, status, started_at)
          VALUES (${job.name}, ${trigger}, ${at}, ${workerId}, 'running', now())
          ON CONFLICT (job, tick) DO NOTHING
          RETURNING id`;
        const row = rows[0];
        if (!row) return null; // another process already ran this tick
        try {
          const detail = await job.run(this.stopping.signal);
          await prisma.jobRun.update({ where: { id: row.id }, data: { status: 'ok', detail: detail as Prisma.InputJsonValue, finishedAt: new Date() } });
          return detail;
        } catch (err) {
          await prisma.jobRun
            .update({ where: { id: row.id }, data: { status: 'failed', detail: { error: (err as Error).message }, finishedAt: new Date() } })
            .catch(() => undefined);
          throw err;
        }
      });
      const seconds = (performance.now() - started) / 1000;
      if (!locked.ran || locked.value === null) {
        const reason = locked.ran ? 'another process ran this tick' : 'another process is running it';
        log.info({ event: 'job.skipped', job: job.name, trigger, tick: at, reason }, `${job.name}: ${reason}`);
        metrics.job(job.name, 'skipped');
        return { outcome: 'skipped' };
      }
      log.info({ event: 'job.finished', job: job.name, trigger, ms: Math.round(seconds * 1000), ...locked.value }, `${job.name} done`);
      metrics.job(job.name, 'ran', seconds);
      return { outcome: 'ran', detail: locked.value };
    } catch (err) {
      log.error({ event: 'job.failed', job: job.name, trigger, err }, `${job.name} failed: ${(err as Error).message}`);
      metrics.job(job.name, 'failed');
      return { outcome: 'failed', error: (err as Error).message };
    }
  }

  /** No new runs; tells the ones going to stop (those that can end early do) and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    for (const task of this.tasks) await task.stop();
    await Promise.allSettled(this.running.values());
  }
}

/** The last run of each job, for /healthz. */
export async function lastJobRuns(prisma: PrismaClient, jobs: string[]) {
  const out: Record<string, { status: string; startedAt: Date; finishedAt: Date | null } | null> = {};
  for (const job of jobs) {
    out[job] = await prisma.jobRun.findFirst({ where: { job }, orderBy: { startedAt: 'desc' }, select: { status: true, startedAt: true, finishedAt: true } });
  }
  return out;
}
