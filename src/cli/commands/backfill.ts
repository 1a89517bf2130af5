// `paperboy ingest --since YYYY-MM-DD`: the backfill (jobs/backfill.ts) on the command line — one line
// per day on a pipe, a progress bar on a terminal, one backfill at a time across processes, and on
// Ctrl-C (or SIGTERM) it stops after the request in flight: the same command continues it.
import type { AppContext } from '../../app/context.ts';
import { ingestDeps } from '../../app/deps.ts';
import { parseDuration } from '../../config/parsers.ts';
import { backfillDays, BackfillRangeError } from '../../ingest/backfill-plan.ts';
import { displaySource } from '../../ingest/ingest-inputs.ts';
import { isUrl } from '../../ingest/read-input.ts';
import { backfill, describeBackfillDay } from '../../jobs/backfill.ts';
import { AdvisoryJobLock } from '../../jobs/job-lock.ts';
import { plural } from '../../log/plural.ts';
import { progressBar } from '../progress.ts';
import { untilInterrupted } from '../interrupt.ts';
import { CliError, withContext } from '../run.ts';

export async function backfillCommand(inputs: string[], options: { since: string; until: string | undefined; pace: string }): Promise<void> {
  const paceMs = parseDuration(options.pace);
  if (paceMs === null) throw new CliError(`ingest: --pace ${JSON.stringify(options.pace)}: must be a duration such as 1s or 500ms`, 2);
  if (inputs.length > 1 || (inputs[0] !== undefined && !isUrl(inputs[0])))
    throw new CliError('ingest: --since backfills from the daily papers API: give at most one http(s) URL (default: SNAPSHOT_SOURCE)', 2);

  await withContext(async (ctx) => {
    const api = inputs[0] ?? ctx.config.SNAPSHOT_SOURCE;
    if (!isUrl(api))
      throw new CliError(
        `ingest: SNAPSHOT_SOURCE is ${api}, not the daily papers API: name it, e.g. paperboy ingest --since ${options.since} https://huggingface.co/api/daily_papers`,
        2,
      );
    let days: string[];
    try {
      days = backfillDays(options.since, options.until, ctx.now());
    } catch (err) {
      if (err instanceof BackfillRangeError) throw new CliError(`ingest: ${err.message}`, 2);
      throw err;
    }
    const stopping = { event: 'backfill.stopping', msg: 'stopping the backfill after the request in flight (again to stop at once)' };
    return untilInterrupted(ctx.log, stopping, (signal) => backfillRun(ctx, api, days, paceMs, signal));
  });
}

async function backfillRun(ctx: AppContext, api: string, days: string[], paceMs: number, signal: AbortSignal): Promise<number> {
  const shown = displaySource(api);
  const terminal = Boolean(process.stderr.isTTY);
  process.stdout.write(
    `backfill of ${plural(days.length, 'day')} (${days[0]} to ${days.at(-1)}) from ${shown}, one request every ${paceMs} ms at most; stored ` +
      `as history: no digest is built from them\n`,
  );
  const bar = progressBar(days.length, 'backfill');
  try {
    const locked = await new AdvisoryJobLock(ctx.db.pgConfig).tryRun('backfill', () =>
      backfill(ingestDeps(ctx), {
        api,
        days,
        paceMs,
        signal,
        onDay: (result, index) => {
          bar.update(index + 1, describeBackfillDay(result));
          if (!terminal) process.stdout.write(`${describeBackfillDay(result)}\n`);
        },
      }),
    );
    bar.stop();
    if (!locked.ran) throw new CliError('ingest: a backfill is already running (another process): wait for it, or stop it first');
    const s = locked.value;
    process.stdout.write(
      `backfill: ${plural(s.ingested, 'day')} stored, ${s.quiet} quiet, ${s.duplicate} unchanged, ${s.already} already ` +
        `done, ${s.rejected.length} rejected (${plural(s.requests, 'request')})\n`,
    );
    if (s.stopped) {
      process.stderr.write(`paperboy: backfill stopped at ${s.stopped.day} (${s.stopped.error}): run the same command again to continue from there\n`);
      return signal.aborted ? 130 : 1;
    }
    if (s.rejected.length > 0) {
      process.stderr.write(
        `paperboy: ${plural(s.rejected.length, 'day')} rejected (${s.rejected.map((r) => r.day).join(', ')}): run the same command again to try them again\n`,
      );
      return 1;
    }
    return 0;
  } finally {
    bar.stop();
  }
}
