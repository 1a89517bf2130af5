// A backfill: the listing days from --since to yesterday, fetched from the daily papers API one day at
// a time (?date=, every page of it), each stored as a history snapshot — a snapshot like any other for
// the preview, the diff and the corpus, but never digested, so a new install mails nothing old. Polite:
// one request at a time, `paceMs` apart, the server's Retry-After obeyed on 429 and 503, other server
// and network errors tried again with backoff. Resumable: each day is recorded (backfill_day) once it
// is stored, and a day recorded is never fetched again — a backfill killed half-way continues where
// it stopped. A weekend is an empty listing: a quiet day, recorded as such.
import { doneDays, recordDay, type BackfillOutcome } from '../db/backfill-days.ts';
import { dayPageUrl, isWeekend, MAX_PAGES, mergePage, PAGE_SIZE, retryDelayMs } from '../ingest/backfill-plan.ts';
import { displaySource, ingestContent, type IngestDeps } from '../ingest/ingest-inputs.ts';
import { fetchCapped, InputError } from '../ingest/read-input.ts';
import { plural } from '../log/plural.ts';

export type BackfillDay =
  | { day: string; kind: BackfillOutcome; snapshotId: number | null; papers: number; newPapers: number }
  | { day: string; kind: 'already' }
  | { day: string; kind: 'rejected'; error: string };

/** What starting a backfill in the background said (src/app/backfill-runner.ts). */
export type BackfillStart =
  { kind: 'started'; jobId: number; days: number } | { kind: 'busy'; where: 'here' | 'another process' } | { kind: 'not-an-api'; source: string };

export interface BackfillSummary {
  /** the API as shown (redacted) */
  source: string;
  days: number;
  already: number;
  ingested: number;
  duplicate: number;
  quiet: number;
  rejected: BackfillDay[];
  requests: number;
  /** the day it stopped at and why (the API failed for good, or it was interrupted): run it again to continue */
  stopped: { day: string; error: string } | null;
}

export interface BackfillOptions {
  /** the daily papers API (SNAPSHOT_SOURCE or the one given), credentials and query kept for fetching */
  api: string;
  days: string[];
  /** the least time between two requests */
  paceMs: number;
  /** tries of one request on 429, 5xx and network errors (default 5) */
  tries?: number;
  /** the longest Retry-After obeyed; a longer one stops the backfill (default 5 minutes) */
  maxWaitMs?: number;
  signal?: AbortSignal;
  onDay?: (result: BackfillDay, index: number) => void;
  fetchImpl?: typeof fetch;
}

class Stop extends Error {}

/** The API asked one request at a time, `paceMs` apart, each tried again on what may pass. */
class PacedFetcher {
  private nextRequestAt = 0;
  requests = 0;

  constructor(
    private readonly deps: IngestDeps,
    private readonly options: BackfillOptions,
    private readonly source: string,
  ) {}

  private wait(ms: number): Promise<void> {
    const { signal } = this.options;
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new Stop('interrupted'));
      const timer = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), Math.max(0, ms));
      const onAbort = () => (clearTimeout(timer), reject(new Stop('interrupted')));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** One page, paced, tried again on 429, 5xx and network errors; Stop when it cannot go on. */
  async page(url: string): Promise<Buffer> {
    const { deps, options } = this;
    for (let attempt = 1; ; attempt++) {
      await this.wait(this.nextRequestAt - Date.now());
      this.nextRequestAt = Date.now() + options.paceMs;
      this.requests++;
      try {
        const result = await fetchCapped(url, {
          maxBytes: deps.maxBytes,
          timeoutMs: deps.timeoutMs,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}),
        });
        if (result.kind === 'body') return result.body;
        throw new InputError('FETCH_STATUS', 'HTTP 304 without a cached copy');
      } catch (err) {
        const delay = this.retryAfterFailure(err, attempt);
        deps.log.info(
          { event: 'source.retry', source: this.source, attempt, delayMs: delay, error: (err as Error).message },
          `backfill: ${(err as Error).message}; trying again in ${delay} ms`,
        );
        this.nextRequestAt = Math.max(this.nextRequestAt, Date.now() + delay);
      }
    }
  }

  /** How long to wait before trying a failed request again; throws Stop when it is not tried again. */
  private retryAfterFailure(err: unknown, attempt: number): number {
    const { options } = this;
    if (options.signal?.aborted) throw new Stop('interrupted');
    if (!(err instanceof InputError)) throw err;
    const status = err.status ?? 0;
    const retriable = err.code === 'FETCH_FAILED' || err.code === 'FETCH_TIMEOUT' || status === 429 || status >= 500;
    if (!retriable || attempt >= (options.tries ?? 5)) throw new Stop(err.message);
    const delay = retryDelayMs(status === 429 || status === 503 ? err.retryAfter : null, attempt, options.paceMs, this.deps.now());
    if (delay > (options.maxWaitMs ?? 300_000))
      throw new Stop(`${err.message}: the API asks to wait ${Math.round(delay / 1000)} s; run the backfill again later`);
    return delay;
  }
}

/** A day's bytes: its one page as the API gave it, or its pages merged into one list. */
async function fetchDay(fetcher: PacedFetcher, api: string, day: string): Promise<Buffer> {
  let items: unknown[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = await fetcher.page(dayPageUrl(api, day, page));
    let list: unknown;
    try {
      list = JSON.parse(body.toString('utf8'));
    } catch {
      list = null;
    }
    // not a list: handed to ingest as it is, which names what is wrong with it
    if (!Array.isArray(list)) return body;
    if (page === 0 && list.length < PAGE_SIZE) return body;
    const merged = mergePage(items, list);
    items = merged.items;
    if (!merged.more) break;
  }
  return Buffer.from(JSON.stringify(items));
}

/** A day fetched: ingested as history and recorded, or rejected and not recorded (the next run asks for it again). */
async function storeDay(deps: IngestDeps, source: string, day: string, bytes: Buffer): Promise<BackfillDay> {
  const outcome = await ingestContent(deps, `${day} from ${source}`, bytes, { history: true });
  if (outcome.kind === 'rejected') return { day, kind: 'rejected', error: outcome.message };
  const record =
    outcome.kind === 'ingested'
      ? { outcome: 'ingested' as const, snapshotId: outcome.snapshot.id, papers: outcome.papers, newPapers: outcome.newPapers }
      : outcome.kind === 'duplicate'
        ? { outcome: 'duplicate' as const, snapshotId: outcome.snapshotId, papers: 0, newPapers: 0 }
        : { outcome: 'quiet' as const, snapshotId: null, papers: 0, newPapers: 0 };
  await recordDay(deps.sql, source, { day, outcome: record.outcome, snapshotId: record.snapshotId, papers: record.papers });
  return { day, kind: record.outcome, snapshotId: record.snapshotId, papers: record.papers, newPapers: record.newPapers };
}

export async function backfill(deps: IngestDeps, options: BackfillOptions): Promise<BackfillSummary> {
  const source = displaySource(options.api);
  const summary: BackfillSummary = {
    source,
    days: options.days.length,
    already: 0,
    ingested: 0,
    duplicate: 0,
    quiet: 0,
    rejected: [],
    requests: 0,
    stopped: null,
  };
  const done = await doneDays(deps.sql, source, options.days);
  const fetcher = new PacedFetcher(deps, options, source);
  for (const [index, day] of options.days.entries()) {
    if (done.has(day)) {
      summary.already++;
      options.onDay?.({ day, kind: 'already' }, index);
      continue;
    }
    let bytes: Buffer;
    try {
      if (options.signal?.aborted) throw new Stop('interrupted');
      bytes = await fetchDay(fetcher, options.api, day);
    } catch (err) {
      if (!(err instanceof Stop)) throw err;
      summary.stopped = { day, error: err.message };
      break;
    }
    const result = await storeDay(deps, source, day, bytes);
    if (result.kind === 'rejected') summary.rejected.push(result);
    else if (result.kind !== 'already') summary[result.kind]++;
    options.onDay?.(result, index);
  }
  summary.requests = fetcher.requests;
  deps.log.info(
    { event: 'backfill.finished', ...summary, rejected: summary.rejected.length },
    `backfill of ${plural(summary.days, 'day')} from ${source}: ${summary.ingested} stored, ${summary.quiet} quiet, ${summary.already} already ` +
      `done${summary.stopped ? `; stopped at ${summary.stopped.day}: ${summary.stopped.error}` : ''}`,
  );
  return summary;
}

/** "2026-11-07: quiet (an empty listing: a weekend)" — one line per day for people. */
export function describeBackfillDay(result: BackfillDay): string {
  switch (result.kind) {
    case 'already':
      return `${result.day}: already backfilled`;
    case 'quiet':
      return `${result.day}: an empty listing${isWeekend(result.day) ? ' (a weekend)' : ''}: a quiet day`;
    case 'duplicate':
      return `${result.day}: the same listing as snapshot ${result.snapshotId}, nothing new`;
    case 'ingested':
      return (
        `${result.day}: snapshot ${result.snapshotId}, ${result.papers} ${result.papers === 1 ? 'paper' : 'papers'} (${result.newPapers} new), ` +
        `kept as history (never mailed)`
      );
    case 'rejected':
      return `${result.day}: rejected, nothing stored — ${result.error}`;
  }
}
