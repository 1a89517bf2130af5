// Dates, counts and the paper's meta line as readers see them. No clock: dates come in the views.
import type { PaperView } from './types.ts';

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

/** "1 paper", "3 papers" */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

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

/** "Ada Lovelace, Alan Turing, Grace Hopper and 5 more", "8 authors", or null when unknown. */
export function authorsLine(paper: PaperView): string | null {
  const names = paper.authors.map((a) => a.trim()).filter((a) => a !== '');
  const total = Math.max(names.length, paper.authorCount ?? 0);
  if (names.length === 0) return total > 0 ? plural(total, 'author') : null;
  const shown = names.slice(0, 3);
  const rest = total - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`;
  return shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}

/** The pieces of the line under a paper's title: authors, organization, upvotes, publication date. */
export function metaParts(paper: PaperView): string[] {
  const parts: string[] = [];
  const authors = authorsLine(paper);
  if (authors) parts.push(authors);
  if (paper.organization?.trim()) parts.push(paper.organization.trim());
  if (paper.upvotes !== null) parts.push(`▲ ${paper.upvotes}`);
  if (paper.publishedOn) parts.push(formatDay(paper.publishedOn, 'medium'));
  return parts;
}
