// `job_run`: every run of a job, whoever ran it — the schedule (src/jobs/scheduler.ts, one run per
// tick), and by hand: the command line (`paperboy digest`, `ingest`, `send`, `run-once`), the admin
// API and the dashboard. The dashboard's "Recent jobs" and /healthz read it.
import type { Prisma, PrismaClient } from './generated/client.ts';

export type JobTrigger = 'schedule' | 'startup' | 'admin' | 'dashboard' | 'cli';

/** Runs `run` as a recorded job: a `running` row first, then ok (with its detail) or failed (with the error). */
export async function recordJob<T>(
  prisma: PrismaClient,
  job: string,
  trigger: JobTrigger,
  run: () => Promise<T>,
  detail: (value: T) => Record<string, unknown>,
): Promise<T> {
  const row = await prisma.jobRun.create({ data: { job, trigger, status: 'running' } });
  try {
    const value = await run();
    await prisma.jobRun.update({ where: { id: row.id }, data: { status: 'ok', detail: detail(value) as Prisma.InputJsonValue, finishedAt: new Date() } });
    return value;
  } catch (err) {
    await prisma.jobRun
      .update({ where: { id: row.id }, data: { status: 'failed', detail: { error: (err as Error).message }, finishedAt: new Date() } })
      .catch(() => undefined);
    throw err;
  }
}
