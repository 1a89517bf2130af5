// The Hugging Face daily papers API JSON (`/api/daily_papers`): a JSON array of listing items.
// See parse-json-schema.ts for the fields read. Errors name the item and its line in the JSON text,
// so an operator can open the file at the offending place. A list is read one item at a time (the
// text is scanned for the items' bounds, each is parsed alone and dropped once read), so a 50,000-item
// snapshot never becomes one object graph; anything else, or text the scan cannot follow, goes
// through JSON.parse whole (which also gives syntax errors their exact place).
import { SnapshotParseError, type ParseOptions, type ParsedPaper, type ParsedSnapshot } from './types.ts';
import { lineAt } from './parse-encoding.ts';
import { dailyPaperItem, type DailyPaperItem } from './parse-json-schema.ts';
import { capAuthors, capField, countProblem, dateProblem, titleProblem } from './plausible.ts';
import { cleanText, quote } from './clean-text.ts';
import { parseArxivId, titleKey } from './paper-identity.ts';
import { readDetails, visibleAuthorNames } from './parse-details.ts';

/** Parses the API's JSON text (already decoded). Throws SnapshotParseError if it is not that list. */
export function parseDailyPapersJson(text: string, options: ParseOptions): ParsedSnapshot {
  const scan = scanList(text);
  if (scan) {
    const items = scan.map(
      ({ start, end }) =>
        () =>
          JSON.parse(text.slice(start, end)) as unknown,
    );
    try {
      return readItems(
        items,
        scan.map((i) => i.line),
        text,
        options,
      );
    } catch (err) {
      // An item the scan cut wrongly: let the whole text speak (a syntax error with its place).
      if (!(err instanceof SyntaxError)) throw err;
    }
  }
  return parseDailyPapersValue(parseJson(text), text, options);
}

/** The same, for JSON already parsed from `text` (which gives the lines). */
export function parseDailyPapersValue(value: unknown, text: string, options: ParseOptions): ParsedSnapshot {
  const list = Array.isArray(value) ? value : null;
  return readItems(list ? list.map((item) => () => item as unknown) : value, itemLines(text), text, options);
}

/** The items (each read when its turn comes) or, for anything but a list, the value itself. */
function readItems(items: unknown, lines: number[], text: string, options: ParseOptions): ParsedSnapshot {
  const reads = expectList(items, text, options.maxEntries);
  const warnings: string[] = [];
  const papers: ParsedPaper[] = [];
  const seen = new Map<string, number>();
  let capturedAt: Date | null = null;
  for (const [index, read] of reads.entries()) {
    const line = lines[index] ?? null;
    const place: Place = { label: `item ${index + 1} (line ${line ?? '?'})`, path: `$[${index}]`, line };
    const item = validate(read(), place);
    const paper = toPaper(item, place, options.now, warnings);
    const listedAt = listingTime(item, place, options.now);
    if (listedAt && (!capturedAt || listedAt > capturedAt)) capturedAt = listedAt;
    // A paper listed twice keeps its first place (ParsedSnapshot.papers).
    const key = paper.arxivId ?? `title:${titleKey(paper.title) || paper.title}`;
    const first = seen.get(key);
    if (first !== undefined) {
      warnings.push(`${place.label}: same paper as item ${first}; kept the first`);
      continue;
    }
    seen.set(key, index + 1);
    papers.push(paper);
  }
  return { format: 'json', capturedAt: capturedAt ?? options.now, papers, truncated: false, warnings };
}

/** Where an item is, for messages: "item 3 (line 41)", and its JSON path "$[2]". */
interface Place {
  label: string;
  path: string;
  line: number | null;
}

/** A value the database cannot hold or no real listing has: "item 3 (line 41): $[2].paper.upvotes: …". */
function implausible(place: Place, field: string, problem: string): SnapshotParseError {
  return new SnapshotParseError(`${place.label}: ${place.path}.${field}: ${problem}`, place.line);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const { line, column } = syntaxErrorPlace(text, reason);
    // The API sends one long line, so the column matters as much as the line.
    const place = column === null ? `line ${line}` : `line ${line}, column ${column}`;
    throw new SnapshotParseError(`invalid JSON at ${place}: ${reason.replace(/ in JSON at position \d+.*$/, '')}`, line);
  }
}

/**
 * Where a JSON syntax error is. V8 says "at position N" (0-based, UTF-16 units); input that just
 * stops ("Unexpected end of JSON input") has its error after the last character.
 */
function syntaxErrorPlace(text: string, reason: string): { line: number; column: number | null } {
  const position = /at position (\d+)/.exec(reason);
  if (!position) return { line: lineAt(text, text.length), column: null };
  const offset = Number(position[1]);
  return { line: lineAt(text, offset), column: offset - text.lastIndexOf('\n', offset - 1) };
}

function expectList(value: unknown, text: string, maxEntries: number | undefined): Array<() => unknown> {
  const line = lineAt(text, Math.max(0, text.search(/\S/)));
  if (!Array.isArray(value)) {
    throw new SnapshotParseError(`JSON of another shape: ${describeNonList(value)} (line ${line})`, line);
  }
  if (value.length === 0) {
    throw new SnapshotParseError(`the daily papers list is empty: no paper to ingest (line ${line})`, line, 'empty');
  }
  if (maxEntries !== undefined && value.length > maxEntries) {
    throw new SnapshotParseError(
      `the list has ${value.length.toLocaleString('en')} items, more than SOURCE_MAX_ENTRIES (${maxEntries.toLocaleString('en')}) (line ${line})`,
      line,
    );
  }
  return value as Array<() => unknown>;
}

/** Says what the top-level value is instead of the list, quoting an API error message if it is one. */
function describeNonList(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- not null and not an object here: a JSON number or boolean
    const what = value === null ? 'null' : typeof value === 'string' ? `a string ${quote(value, 40)}` : `a ${typeof value} (${String(value).slice(0, 40)})`;
    return `${what}, expected the daily papers list (a JSON array)`;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.error === 'string') return `an error response ("${record.error.slice(0, 200)}")`;
  const keys = Object.keys(record)
    .slice(0, 5)
    .map((k) => `"${k}"`)
    .join(', ');
  return `an object (${keys || 'no keys'}), expected the daily papers list (a JSON array)`;
}

function validate(raw: unknown, place: Place): DailyPaperItem {
  const result = dailyPaperItem.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    const message = (issue?.message ?? 'unreadable item').replace(/^Invalid input: /, '');
    throw new SnapshotParseError(`JSON of another shape: ${place.label}: ${path}${message}`, place.line);
  }
  return result.data;
}

function toPaper(item: DailyPaperItem, place: Place, now: Date, warnings: string[]): ParsedPaper {
  const paper = item.paper;
  const warn = (message: string) => warnings.push(`${place.label}: ${message}`);
  // The listing repeats the paper's title and summary at the top; either copy will do.
  const title = cleanText(paper?.title ?? item.title);
  const titleField = paper?.title ? 'paper.title' : 'title';
  if (!title) throw new SnapshotParseError(`JSON of another shape: ${place.label} has no title`, place.line);
  const badTitle = titleProblem(title);
  if (badTitle) throw implausible(place, titleField, badTitle);
  const abstract = capField(cleanText(paper?.summary ?? item.summary), 'abstract', warn);
  if (!abstract) warn('no summary');
  const arxiv = paper?.id ? parseArxivId(paper.id) : null;
  if (paper?.id && !arxiv) warn(`id ${quote(paper.id)} is not an arXiv id; the title identifies the paper`);
  const upvotes = paper?.upvotes ?? null;
  const badUpvotes = upvotes === null ? null : countProblem(upvotes, 'upvotes');
  if (badUpvotes) throw implausible(place, 'paper.upvotes', badUpvotes);
  const authorCount = paper?.authors ? paper.authors.length : null;
  const badCount = authorCount === null ? null : countProblem(authorCount, 'authors');
  if (badCount) throw implausible(place, 'paper.authors', badCount);
  // hidden authors count, but their names are not shown
  const authors = capAuthors(visibleAuthorNames(paper?.authors ?? []), warn);
  const submitted = paper?.submittedOnDailyAt;
  const listedOn = submitted ? checkedDate(submitted, place, 'paper.submittedOnDailyAt', now).toISOString().slice(0, 10) : null;
  return {
    arxivId: arxiv?.id ?? null,
    arxivVersion: arxiv?.version ?? null,
    title,
    abstract,
    authorCount,
    authors,
    organization: organizationOf(item, warn),
    publishedOn: paper?.publishedAt ? checkedDate(paper.publishedAt, place, 'paper.publishedAt', now).toISOString().slice(0, 10) : null,
    upvotes,
    ...readDetails(item, listedOn, {
      warn,
      refuse: (field, problem) => {
        throw implausible(place, field, problem);
      },
    }),
  };
}

/** The listing's organization (what the page shows), else the paper's; the full name before the slug. */
function organizationOf(item: DailyPaperItem, warn: (message: string) => void): string | null {
  for (const org of [item.organization, item.paper?.organization]) {
    const name = cleanText(org?.fullname) || cleanText(org?.name);
    if (name) return capField(name, 'organization', warn);
  }
  return null;
}

/** When the item was listed: the top-level publishedAt, else the paper's submittedOnDailyAt. */
function listingTime(item: DailyPaperItem, place: Place, now: Date): Date | null {
  if (item.publishedAt) return checkedDate(item.publishedAt, place, 'publishedAt', now);
  const submitted = item.paper?.submittedOnDailyAt;
  return submitted ? checkedDate(submitted, place, 'paper.submittedOnDailyAt', now) : null;
}

/** A timestamp inside the plausible window (plausible.ts), or the item is refused. */
function checkedDate(written: string, place: Place, field: string, now: Date): Date {
  const date = new Date(written);
  const problem = dateProblem(date, written, now);
  if (problem) throw implausible(place, field, problem);
  return date;
}

/** The line on which each element of the top-level array starts (JSON.parse keeps no positions). */
export function itemLines(text: string): number[] {
  return scanItems(text).items.map((i) => i.line);
}

interface ItemBounds {
  /** offsets of the item's first character and just after its last */
  start: number;
  end: number;
  /** 1-based line of its first character */
  line: number;
}

/** The items of a text that is one top-level array, or null when the scan cannot vouch for that. */
function scanList(text: string): ItemBounds[] | null {
  const scan = scanItems(text);
  return scan.closed && /^[ \t\n\r]*$/.test(text.slice(scan.after)) && /^[ \t\n\r]*\[/.test(text) ? scan.items : null;
}

/**
 * Walks the text once, skipping strings and counting nesting, and notes where each element of the
 * top-level array starts and ends. `closed`: the array's "]" was found, at offset `after - 1`.
 */
function scanItems(text: string): { items: ItemBounds[]; closed: boolean; after: number } {
  const items: ItemBounds[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let awaitingItem = false;
  let lastSignificant = -1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a) line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (code === 0x5c)
        escaped = true; // backslash
      else if (code === 0x22) {
        inString = false; // quote
        lastSignificant = i;
      }
      continue;
    }
    // JSON whitespace: space, tab, line feed, carriage return
    if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) continue;
    const closesList = depth === 1 && (code === 0x2c || code === 0x5d); // , or ] at the top level
    if (closesList && items.length > 0 && items[items.length - 1]!.end < 0) items[items.length - 1]!.end = lastSignificant + 1;
    // "[1,]": a comma with no item after it is not JSON, whatever each item says.
    if (code === 0x5d && depth === 1 && awaitingItem && items.length > 0) return { items, closed: false, after: i + 1 };
    if (depth === 1 && awaitingItem && code !== 0x5d) {
      items.push({ start: i, end: -1, line });
      awaitingItem = false;
    }
    if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b)
      awaitingItem = ++depth === 1; // [ {
    else if (code === 0x5d || code === 0x7d) {
      depth--; // ] }
      if (depth === 0) return { items, closed: items.every((item) => item.end >= 0), after: i + 1 };
    } else if (code === 0x2c && depth === 1) awaitingItem = true; // ,
    lastSignificant = i;
  }
  return { items, closed: false, after: text.length };
}
