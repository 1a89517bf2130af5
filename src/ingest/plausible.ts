// What a snapshot's values may be: what the database can hold and what a real listing could say.
// Both parsers check every value here, so a hostile or broken file is refused with one line that
// says where and why, before anything reaches the database. Pure: the ingest clock comes in.
//
// Refused (the whole file is rejected): counts that are not whole numbers, negative or implausibly
// large; dates outside the window below; titles too long to be a title (a paper's identity cannot
// be cut). Capped with a warning (the file is ingested): abstracts, organization and author names,
// and the number of author names kept — free text that a digest shows shortened anyway. The newer
// optional details of the API (parse-details.ts) follow the same rules: their counts (stars,
// comments) are refused when implausible, their text (TL;DR, keywords) is cut; a link that is not
// an http(s) URL of plausible length is left out with a warning (a link is never cut).
import { FUTURE_DAYS } from '../model/snapshot.ts';
import { capText, quote } from './clean-text.ts';
import { titleKey } from './paper-identity.ts';

export const LIMITS = {
  /** refused above: the longest arXiv titles are about 300 characters */
  titleChars: 500,
  /** refused above: the normalized title is indexed, and a PostgreSQL index row holds ~2,700 bytes */
  titleKeyBytes: 2000,
  /** cut above: arXiv abstracts are at most 1,920 characters */
  abstractChars: 10_000,
  /** cut above: one author's name, one organization */
  nameChars: 300,
  /** names kept per paper (the author count stays exact) */
  authorsKept: 1000,
  /** refused above: the largest collaborations sign with a few thousand names */
  authorCount: 100_000,
  /** refused above: the most upvoted papers have a few thousand */
  upvotes: 10_000_000,
  /** refused above (GitHub stars, comments): the most starred repositories have a few hundred thousand */
  stars: 10_000_000,
  comments: 10_000_000,
  /** cut above: the API's TL;DR is one sentence of 100–300 characters */
  summaryChars: 1_000,
  /** keywords kept per paper, and cut above this length each */
  keywordsKept: 50,
  keywordChars: 100,
  /** left out above: a link to code or a project page */
  urlChars: 2_000,
  /** refused before: arXiv began in August 1991 */
  earliestDay: '1991-01-01',
  /** refused after: the ingest clock plus this many days (a listing is dated in its own time zone) */
  futureDays: FUTURE_DAYS,
} as const;

const DAY_MS = 86_400_000;

/** The plausible window of dates for an ingest clock: [1991-01-01, now + 1 day]. */
function dateWindow(now: Date): { earliest: Date; latest: Date } {
  return { earliest: new Date(`${LIMITS.earliestDay}T00:00:00Z`), latest: new Date(now.getTime() + LIMITS.futureDays * DAY_MS) };
}

/**
 * Why a date (a listing or publication date) cannot be right, or null when it can. `written` is
 * how the source wrote it, for the message.
 */
export function dateProblem(date: Date, written: string, now: Date): string | null {
  const { earliest, latest } = dateWindow(now);
  if (Number.isNaN(date.getTime())) return `${quote(written)} is not a date`;
  if (date > latest) {
    return `${quote(written)} is more than a day after the ingest clock (${now.toISOString().slice(0, 10)}): a listing cannot come from the future`;
  }
  if (date < earliest) return `${quote(written)} is before ${LIMITS.earliestDay.slice(0, 4)}, when arXiv began`;
  return null;
}

/** Why a count (upvotes, authors) cannot be right, or null. `written` is the source's text for it. */
export function countProblem(value: number, what: 'upvotes' | 'authors' | 'stars' | 'comments', written = String(value)): string | null {
  const max = what === 'authors' ? LIMITS.authorCount : LIMITS[what];
  if (!Number.isFinite(value) || !Number.isInteger(value)) return `${quote(written)} is not a whole number of ${what}`;
  if (value < 0) return `${quote(written)} is a negative number of ${what}`;
  if (value > max) return `${quote(written)} is more than ${max.toLocaleString('en')} ${what}: not a plausible count`;
  return null;
}

/** Why a (clean, one-line) title cannot identify a paper, or null. */
export function titleProblem(title: string): string | null {
  if (title.length > LIMITS.titleChars) {
    return (
      `the title is ${title.length.toLocaleString('en')} characters long (a title has at ` +
      `most ${LIMITS.titleChars.toLocaleString('en')}): ${quote(title, 40)}`
    );
  }
  // ASCII cannot grow under NFKC: its key is at most as long as the title.
  if (/^\p{ASCII}*$/u.test(title)) return null;
  const bytes = Buffer.byteLength(titleKey(title));
  if (bytes > LIMITS.titleKeyBytes) {
    return `the title normalizes to ${bytes.toLocaleString('en')} bytes (at most ${LIMITS.titleKeyBytes.toLocaleString('en')}): ${quote(title, 40)}`;
  }
  return null;
}

/** A free-text field cut to its limit; `warn` hears about it when it was. */
export function capField(text: string, field: 'abstract' | 'organization' | 'author name' | 'TL;DR' | 'keyword', warn: (message: string) => void): string {
  const max =
    field === 'abstract' ? LIMITS.abstractChars : field === 'TL;DR' ? LIMITS.summaryChars : field === 'keyword' ? LIMITS.keywordChars : LIMITS.nameChars;
  if (text.length <= max) return text;
  warn(`${field} of ${text.length.toLocaleString('en')} characters cut to ${max.toLocaleString('en')}`);
  return capText(text, max);
}

/** At most LIMITS.authorsKept names, each capped. */
export function capAuthors(names: string[], warn: (message: string) => void): string[] {
  const kept = names.slice(0, LIMITS.authorsKept);
  if (names.length > kept.length) warn(`${names.length.toLocaleString('en')} author names: kept the first ${LIMITS.authorsKept.toLocaleString('en')}`);
  let cut = 0;
  const capped = kept.map((name) => capField(name, 'author name', () => cut++));
  if (cut > 0) warn(`${cut} author name${cut === 1 ? '' : 's'} cut to ${LIMITS.nameChars} characters`);
  return capped;
}

/** Why a link (code, project page) cannot be shown, or null: an absolute http(s) URL, not too long. */
export function urlProblem(url: string): string | null {
  if (url.length > LIMITS.urlChars) return `a link of ${url.length.toLocaleString('en')} characters (at most ${LIMITS.urlChars.toLocaleString('en')})`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${quote(url, 60)} is not a URL`;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `${quote(url, 60)} is not an http(s) link`;
  if (parsed.username || parsed.password) return `${quote(url, 60)} carries credentials`;
  return null;
}
