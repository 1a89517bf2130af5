// Dates, counts and the paper's meta line as readers see them. No clock: dates come in the views.
import { plural } from '../log/plural.ts';
import type { PaperView } from './types.ts';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A YYYY-MM-DD date: short "Jun 10", medium "Jun 10, 2025", long "June 10, 2025"; anything else as given. */
export function formatDay(isoDate: string, style: 'short' | 'medium' | 'long'): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  const month = m ? MONTHS[Number(m[2]) - 1] : undefined;
  if (!m || !month) return isoDate;
  const day = Number(m[3]);
  if (style === 'long') return `${month} ${day}, ${m[1]}`;
  const short = `${month.slice(0, 3)} ${day}`;
  return style === 'short' ? short : `${short}, ${m[1]}`;
}

/** "June 12, 2025 at 14:30 UTC" */
export function formatUtc(when: Date): string {
  const day = `${when.getUTCFullYear()}-${pad(when.getUTCMonth() + 1)}-${pad(when.getUTCDate())}`;
  return `${formatDay(day, 'long')} at ${pad(when.getUTCHours())}:${pad(when.getUTCMinutes())} UTC`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * "Ada Lovelace, Alan Turing, Grace Hopper et al.", "Ada Lovelace and Alan Turing", "8 authors", or
 * null when unknown. The names are the visible ones (ingest leaves hidden authors out); the count
 * counts every author, so hidden ones still make it "et al.".
 */
export function authorsLine(paper: PaperView): string | null {
  const names = paper.authors.map((a) => a.trim()).filter((a) => a !== '');
  const total = Math.max(names.length, paper.authorCount ?? 0);
  if (names.length === 0) return total > 0 ? plural(total, 'author') : null;
  const shown = names.slice(0, 3);
  if (total > shown.length) return `${shown.join(', ')} et al.`;
  return shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}

/** 1234 → "1.2k", 999 → "999", 25000 → "25k" */
export function compactCount(n: number): string {
  if (n < 1000) return String(n);
  const k = n / 1000;
  if (k < 1000) return `${k < 10 ? Math.floor(k * 10) / 10 : Math.floor(k)}k`;
  const m = n / 1_000_000;
  return `${m < 10 ? Math.floor(m * 10) / 10 : Math.floor(m)}M`;
}

/** A date with its label, the year only when it is not the digest's: "published Mar 8", "published Jun 4, 2024". */
function labelledDay(label: string, isoDate: string, digestYear: string): string {
  return `${label} ${formatDay(isoDate, isoDate.startsWith(`${digestYear}-`) ? 'short' : 'medium')}`;
}

/**
 * The pieces of the line under a paper's title: authors, organization, upvotes, comments, the
 * publication date (labelled). `digestYear` (YYYY) leaves the year out of dates of that year.
 */
export function metaParts(paper: PaperView, digestYear = ''): string[] {
  const parts: string[] = [];
  const authors = authorsLine(paper);
  if (authors) parts.push(authors);
  if (paper.organization?.trim()) parts.push(paper.organization.trim());
  if (paper.upvotes !== null) parts.push(`▲ ${compactCount(paper.upvotes)}`);
  if (paper.comments != null && paper.comments > 0) parts.push(plural(paper.comments, 'comment'));
  if (paper.publishedOn) parts.push(labelledDay('published', paper.publishedOn, digestYear));
  return parts;
}
