// Dates as the Daily Papers page prints them: "Mar 8" (no year: a recent date), "Jun 4, 2025", and
// in an entry's meta block optionally followed by the upvote count ("Jun 4, 2025 2").

/** A day of the Gregorian calendar, with no time zone attached. */
export interface CalendarDate {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
}

/** A date line as written: the year may be missing; the upvote count is there when the page shows it. */
export interface ListingDate {
  month: number;
  day: number;
  year: number | null;
  upvotes: number | null;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const FULL_MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

// "Jun 4", "Jun 4, 2025", "Jun 4, 2025 2", "Jun 4 12"; counts may be grouped ("1,204") or short ("1.2k").
const DATE_LINE = /^([a-z]{3,9})\.? (\d{1,2})(?:, (\d{4}))?(?: (\d{1,3}(?:,\d{3})+|\d+|\d+(?:\.\d+)?k))?$/i;

/** Parses a date line; null when the line is not one (or names a day that does not exist). */
export function parseListingDate(line: string): ListingDate | null {
  const match = DATE_LINE.exec(line.trim());
  if (!match) return null;
  const [, name = '', dayText = '', yearText, countText] = match;
  const month = monthNumber(name);
  const day = Number(dayText);
  const year = yearText === undefined ? null : Number(yearText);
  if (month === null) return null;
  // Without a year, Feb 29 is a real day (of some leap year); with one, it must exist in that year.
  if (day < 1 || day > daysInMonth(year ?? 2000, month)) return null;
  return { month, day, year, upvotes: countText === undefined ? null : parseCount(countText) };
}

function monthNumber(name: string): number | null {
  const lower = name.toLowerCase();
  const index = lower.length === 3 ? MONTHS.indexOf(lower) : FULL_MONTHS.indexOf(lower);
  if (index >= 0) return index + 1;
  return lower === 'sept' ? 9 : null;
}

function parseCount(text: string): number {
  if (/k$/i.test(text)) return Math.round(Number(text.slice(0, -1)) * 1000);
  return Number(text.replace(/,/g, ''));
}

/**
 * Why a written date names a day no calendar has ("2026-02-30", "Feb 30, 2026", "30 Feb 2026"), or
 * null when its day exists or the text names no day this can read. JavaScript's Date rolls such a
 * day over into the next month (2026-02-30 → March 2) instead of refusing it.
 */
export function missingDay(written: string): string | null {
  const text = written.trim();
  const iso = /^([+-]\d{6}|\d{4})[-/](\d{1,2})[-/](\d{1,2})(?![\d])/.exec(text);
  if (iso) return dayProblem(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const monthFirst = /^(?:[a-z]{3,9},?\s+)?([a-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})\b/i.exec(text);
  const dayFirst = /^(?:[a-z]{3,9},?\s+)?(\d{1,2})\s+([a-z]{3,9})\.?,?\s+(\d{4})\b/i.exec(text);
  const named = monthFirst
    ? { name: monthFirst[1]!, day: monthFirst[2]!, year: monthFirst[3]! }
    : dayFirst
      ? { name: dayFirst[2]!, day: dayFirst[1]!, year: dayFirst[3]! }
      : null;
  const month = named ? monthNumber(named.name) : null;
  return named && month !== null ? dayProblem(Number(named.year), month, Number(named.day)) : null;
}

function dayProblem(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12) return `there is no month ${month}`;
  if (day < 1 || day > daysInMonth(year, month))
    return `${FULL_MONTHS[month - 1]![0]!.toUpperCase()}${FULL_MONTHS[month - 1]!.slice(1)} ${year} has no day ${day}`;
  return null;
}

function daysInMonth(year: number, month: number): number {
  return utcDate(year, month + 1, 0).getUTCDate();
}

/**
 * The UTC midnight of a day given as year, month (1–12) and day (which may overflow either way).
 * Date.UTC reads years 0–99 as 1900–1999; setUTCFullYear takes the year as written.
 */
function utcDate(year: number, month: number, day: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date;
}

/**
 * The latest date with this month and day that is not after `notAfter`. A listing written without
 * a year means "this year, unless that is still in the future" — and Feb 29 means the last leap year
 * in which it had passed, so the search may go back up to eight years (1896 → 1904 has no leap day).
 */
export function latestOnOrBefore(month: number, day: number, notAfter: CalendarDate): CalendarDate {
  for (let year = notAfter.year; year > notAfter.year - 9; year--) {
    const candidate = { year, month, day };
    if (day <= daysInMonth(year, month) && compareDates(candidate, notAfter) <= 0) return candidate;
  }
  // Unreachable for a day that parseListingDate accepted; kept total so callers need no branch.
  throw new RangeError(`no ${month}/${day} on or before ${toIsoDate(notAfter)}`);
}

/** The listing date with its year: as written, or inferred relative to `reference`. */
export function resolveYear(date: ListingDate, reference: CalendarDate): CalendarDate {
  if (date.year !== null) return { year: date.year, month: date.month, day: date.day };
  return latestOnOrBefore(date.month, date.day, reference);
}

function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** The UTC calendar day of an instant. */
export function utcCalendarDate(instant: Date): CalendarDate {
  return { year: instant.getUTCFullYear(), month: instant.getUTCMonth() + 1, day: instant.getUTCDate() };
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return utcCalendarDate(utcDate(date.year, date.month, date.day + days));
}

export function toUtcMidnight(date: CalendarDate): Date {
  return utcDate(date.year, date.month, date.day);
}

/** YYYY-MM-DD */
export function toIsoDate(date: CalendarDate): string {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}
