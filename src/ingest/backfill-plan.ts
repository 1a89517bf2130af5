// What a backfill asks the daily papers API for, day by day (pure: no clock, no network). The API
// gives one listing day with `?date=YYYY-MM-DD`, a page of it with `p` (from 0) and `limit` (at most
// 100), in `sort=trending` order (the listing page's); a weekend day is `[]`. A backfill ends
// yesterday (UTC) at the latest: today's listing is still filling up, and the live source has it.
import { LIMITS } from './plausible.ts';

/** Items per page: the API's largest. */
export const PAGE_SIZE = 100;
/** A day of more pages than this is cut (a real day has about 50 papers). */
export const MAX_PAGES = 50;

const DAY_MS = 86_400_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export class BackfillRangeError extends Error {
  readonly code = 'BACKFILL_RANGE';
}

/** A real calendar day written YYYY-MM-DD, as a UTC midnight; null otherwise. */
export function parseDay(text: string): Date | null {
  const m = DAY.exec(text.trim());
  if (!m) return null;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === text.trim() ? date : null;
}

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The days from `since` to `until` (both YYYY-MM-DD, both included), checked against the clock. */
export function backfillDays(since: string, until: string | undefined, now: Date): string[] {
  const from = parseDay(since);
  if (!from) throw new BackfillRangeError(`--since ${JSON.stringify(since)}: must be a day written YYYY-MM-DD, such as 2026-11-01`);
  const yesterday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - DAY_MS);
  const to = until === undefined ? yesterday : parseDay(until);
  if (!to) throw new BackfillRangeError(`--until ${JSON.stringify(until)}: must be a day written YYYY-MM-DD`);
  if (to > yesterday)
    throw new BackfillRangeError(
      `--until ${dayOf(to)}: a backfill ends yesterday (${dayOf(yesterday)}) at the latest; today's listing is still filling up and comes from the live source`,
    );
  if (from < new Date(`${LIMITS.earliestDay}T00:00:00Z`)) throw new BackfillRangeError(`--since ${since}: before ${LIMITS.earliestDay} there is no listing`);
  if (from > to) throw new BackfillRangeError(`--since ${since} is after ${dayOf(to)}: nothing to backfill`);
  const days: string[] = [];
  for (let t = from.getTime(); t <= to.getTime(); t += DAY_MS) days.push(dayOf(new Date(t)));
  return days;
}

/** Saturday or Sunday (UTC): the API lists nothing then, a quiet day. */
export function isWeekend(day: string): boolean {
  const weekday = parseDay(day)?.getUTCDay();
  return weekday === 0 || weekday === 6;
}

/** The API's URL for one page of one listing day; whatever else the source's URL says is kept. */
export function dayPageUrl(api: string, day: string, page: number): string {
  const url = new URL(api);
  url.searchParams.set('date', day);
  url.searchParams.set('limit', String(PAGE_SIZE));
  url.searchParams.set('p', String(page));
  url.searchParams.set('sort', 'trending');
  return url.toString();
}

/** The key of an item of the API (its arXiv id), for merging pages; null when it has none. */
function itemKey(item: unknown): string | null {
  const id = (item as { paper?: { id?: unknown } } | null)?.paper?.id;
  return typeof id === 'string' ? id : null;
}

/**
 * Merges one more page into a day's items: items already there (by id) are not added twice (a page
 * may shift while upvotes change). `more` says whether to ask for the next page: a full page that
 * brought something new (an API that ignored `p` would repeat itself and stop here).
 */
export function mergePage(items: unknown[], page: unknown[]): { items: unknown[]; more: boolean } {
  const seen = new Set(items.map(itemKey).filter((k): k is string => k !== null));
  const fresh = page.filter((item) => {
    const key = itemKey(item);
    if (key === null) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { items: [...items, ...fresh], more: page.length >= PAGE_SIZE && fresh.length > 0 };
}

/**
 * How long to wait before trying a request again: the server's Retry-After (seconds or an HTTP date)
 * when it gives one, else doubling from the pace (at least a second).
 */
export function retryDelayMs(retryAfter: string | null, attempt: number, paceMs: number, now: Date): number {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now.getTime());
  }
  return Math.max(1000, paceMs) * 2 ** (attempt - 1);
}
