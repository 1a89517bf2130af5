// How often a reader is mailed (CONTEXT.md: frequency). Pure: the clock comes in.
//   daily   — in every digest whose new papers their topics catch
//   weekly  — once a week: in the first digest built on or after their weekday (UTC) since their
//             last delivery (or since they subscribed), with the papers of the digests built in the 7 days before it that
//             their topics catch and that they were not yet sent
//   feed    — never mailed: the reader follows their feed (still active, not unsubscribed)

import type { Frequency } from '../model/reader.ts';

const FREQUENCIES: readonly Frequency[] = ['daily', 'weekly', 'feed'];

/** How far back a weekly digest gathers papers. */
export const WEEK_MS = 7 * 24 * 3600 * 1000;

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** The latest UTC midnight not after `now` that falls on `weekday` (0 Sunday … 6 Saturday). */
export function lastWeekday(weekday: number, now: Date): Date {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const back = (now.getUTCDay() - weekday + 7) % 7;
  return new Date(midnight - back * 24 * 3600 * 1000);
}

/**
 * Whether a weekly reader is due in a digest built at `now`: their weekday began after `since` — when
 * the digest of their latest delivery was built, or, never mailed, when they subscribed.
 */
export function weeklyDue(weekday: number, now: Date, since: Date): boolean {
  return since.getTime() < lastWeekday(weekday, now).getTime();
}

/** The form's fields: `frequency` and, for weekly, `weeklyDay` (0–6); null when either is unknown. */
export function readFrequency(frequency: string | undefined, weeklyDay: string | undefined): { frequency: Frequency; weeklyDay: number } | null {
  const f = frequency ?? 'daily';
  if (!(FREQUENCIES as readonly string[]).includes(f)) return null;
  if (f !== 'weekly') return { frequency: f as Frequency, weeklyDay: /^[0-6]$/.test(weeklyDay ?? '') ? Number(weeklyDay) : 1 };
  if (!/^[0-6]$/.test(weeklyDay ?? '')) return null;
  return { frequency: 'weekly', weeklyDay: Number(weeklyDay) };
}
