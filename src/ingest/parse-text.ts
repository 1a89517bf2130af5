// The text capture of the Daily Papers listing page (see seeds/): a header ending in the capture
// date, then one entry per paper — title, abstract, and usually a meta block ("• N authors" or an
// organization, "·", a date with an optional upvote count). Captures are cut at a byte limit, so
// the last entry may stop anywhere: whatever is whole is kept, the rest is dropped and reported.
import { SnapshotParseError, type ParseOptions, type ParsedPaper, type ParsedSnapshot } from './types.ts';
import { addDays, parseListingDate, resolveYear, toIsoDate, toUtcMidnight, utcCalendarDate, type CalendarDate } from './parse-dates.ts';
import { readMetaBlock, type Line } from './parse-text-meta.ts';
import { titleKey } from './paper-identity.ts';
import { cleanText } from './clean-text.ts';
import { capField, countProblem, dateProblem, titleProblem } from './plausible.ts';

// The header is a few short lines (more when the copy includes the site's navigation bar);
// "Daily Papers" further down, or after a long line such as an abstract, is not a header.
const HEADER_SEARCH_LINES = 30;
const HEADER_LINE_MAX_CHARS = 200;
// Lines allowed between "Daily Papers" and the capture date ("byAK and the research community").
const HEADER_TAGLINES = 2;

/** Parses a text capture (already decoded, "\n" line endings). Throws SnapshotParseError if it is not one. */
export function parseTextCapture(text: string, options: ParseOptions): ParsedSnapshot {
  const lines = nonBlankLines(text);
  const header = readHeader(lines, options.now);
  const listing = readEntries(lines, header.firstEntry, header.capturedOn, options);
  if (listing.papers.length === 0) {
    const line = lines[header.firstEntry]?.no ?? header.dateLine;
    throw new SnapshotParseError(`text capture has a Daily Papers header but no whole entry after line ${header.dateLine}`, line, 'empty');
  }
  return {
    format: 'text',
    capturedAt: toUtcMidnight(header.capturedOn),
    papers: listing.papers,
    truncated: listing.truncated,
    warnings: listing.warnings,
  };
}

/**
 * The non-blank lines, cleaned (clean-text.ts: invisible characters and controls gone, whitespace
 * collapsed), with their 1-based line numbers. A line is whole when a line break follows it; only
 * the last line can be otherwise, and that is where a cut shows.
 */
function nonBlankLines(text: string): Line[] {
  const raw = text.split('\n');
  const lines: Line[] = [];
  raw.forEach((content, index) => {
    const trimmed = cleanText(content);
    if (trimmed !== '') lines.push({ text: trimmed, no: index + 1, whole: index < raw.length - 1 });
  });
  return lines;
}

interface Header {
  capturedOn: CalendarDate;
  dateLine: number;
  /** index into the non-blank lines */
  firstEntry: number;
}

function readHeader(lines: Line[], now: Date): Header {
  const top = lines.slice(0, HEADER_SEARCH_LINES);
  const longLine = top.findIndex((l) => l.text.length > HEADER_LINE_MAX_CHARS);
  const header = longLine < 0 ? top : top.slice(0, longLine);
  const title = header.findIndex((l) => l.text.toLowerCase() === 'daily papers');
  if (title < 0) {
    throw new SnapshotParseError('not a snapshot: neither JSON nor a Daily Papers text capture (no "Daily Papers" header at the top)', lines[0]?.no ?? 1);
  }
  for (let i = title + 1; i <= title + 1 + HEADER_TAGLINES && i < lines.length; i++) {
    const line = lines[i] as Line;
    const date = parseListingDate(line.text);
    if (date && date.upvotes === null) {
      const capturedOn = resolveYear(date, captureReference(now));
      const problem = dateProblem(toUtcMidnight(capturedOn), line.text, now);
      if (problem) throw new SnapshotParseError(`capture date at line ${line.no}: ${problem}`, line.no);
      return { capturedOn, dateLine: line.no, firstEntry: i + 1 };
    }
  }
  const at = lines[title]?.no ?? 1;
  throw new SnapshotParseError(`text capture has no capture date (such as "Jun 10") after "Daily Papers" at line ${at}`, at);
}

/**
 * The latest day a capture date without a year may fall on: the UTC day of `now`, plus one. The
 * page is dated in the listing's own time zone, which can be a day ahead of UTC; without the extra
 * day a capture taken in that hour would be put a whole year in the past.
 */
function captureReference(now: Date): CalendarDate {
  return addDays(utcCalendarDate(now), 1);
}

interface Listing {
  papers: ParsedPaper[];
  truncated: boolean;
  warnings: string[];
}

function readEntries(lines: Line[], start: number, capturedOn: CalendarDate, options: ParseOptions): Listing {
  const listing: Listing = { papers: [], truncated: false, warnings: [] };
  const seen = new Map<string, number>();
  let entry = 1;
  for (let i = start; i < lines.length; entry++) {
    if (options.maxEntries !== undefined && entry > options.maxEntries) {
      const at = (lines[i] as Line).no;
      throw new SnapshotParseError(
        `the capture has more than SOURCE_MAX_ENTRIES (${options.maxEntries.toLocaleString('en')}) entries: entry ${entry.toLocaleString('en')} ` +
          `starts at line ${at}`,
        at,
      );
    }
    const read = readEntry(lines, i, entry, capturedOn, options.now);
    listing.warnings.push(...read.warnings);
    if (read.paper) addOnce(listing, seen, read.paper, entry, lines[i] as Line);
    if (read.cut) {
      listing.truncated = true;
      break;
    }
    i = read.next;
  }
  return listing;
}

/** A paper listed twice keeps its first place (ParsedSnapshot.papers). */
function addOnce(listing: Listing, seen: Map<string, number>, paper: ParsedPaper, entry: number, at: Line) {
  const key = titleKey(paper.title) || paper.title;
  const first = seen.get(key);
  if (first !== undefined) {
    listing.warnings.push(`entry ${entry} (line ${at.no}): same title as entry ${first}; kept the first`);
    return;
  }
  seen.set(key, entry);
  listing.papers.push(paper);
}

interface EntryRead {
  /** null when the entry was cut before its abstract ended */
  paper: ParsedPaper | null;
  /** index of the next entry's title */
  next: number;
  /** the input ended inside this entry */
  cut: boolean;
  warnings: string[];
}

function readEntry(lines: Line[], i: number, entry: number, capturedOn: CalendarDate, now: Date): EntryRead {
  const title = lines[i] as Line;
  const abstract = lines[i + 1];
  // A title or abstract without a line break after it may have been cut mid-sentence: drop the entry.
  if (!title.whole || !abstract?.whole) return { paper: null, next: lines.length, cut: true, warnings: [] };
  const meta = readMetaBlock(lines, i + 2);
  const label = `entry ${entry} (line ${title.no})`;
  const warnings = meta.warnings.map((w) => `${label}: ${w}`);
  const warn = (message: string) => warnings.push(`${label}: ${message}`);
  const refuse = (problem: string, line = title.no) => new SnapshotParseError(`${label}: ${problem}`, line);
  const badTitle = titleProblem(title.text);
  if (badTitle) throw refuse(badTitle);
  const badCount = meta.authorCount === null ? null : countProblem(meta.authorCount, 'authors');
  if (badCount) throw refuse(badCount, lines[i + 2]?.no);
  let publishedOn: string | null = null;
  if (meta.date) {
    const day = resolveYear(meta.date, capturedOn);
    // the date line is the block's last: the one before the next entry
    const written = lines[meta.next - 1] as Line;
    const dateLine = meta.dateLine ?? written.no;
    const badDate = dateProblem(toUtcMidnight(day), written.text, now);
    if (badDate) throw refuse(`date ${badDate}`, dateLine);
    const badUpvotes = meta.date.upvotes === null ? null : countProblem(meta.date.upvotes, 'upvotes');
    if (badUpvotes) throw refuse(badUpvotes, dateLine);
    publishedOn = toIsoDate(day);
  }
  const paper: ParsedPaper = {
    arxivId: null,
    arxivVersion: null,
    title: title.text,
    abstract: capField(abstract.text, 'abstract', warn),
    authorCount: meta.authorCount,
    authors: [],
    organization: meta.organization === null ? null : capField(meta.organization, 'organization', warn),
    publishedOn,
    upvotes: meta.date?.upvotes ?? null,
  };
  return { paper, next: meta.next, cut: meta.cut, warnings };
}
