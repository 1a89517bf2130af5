// The Hugging Face daily papers API JSON (`/api/daily_papers`): a JSON array of listing items.
// See parse-json-schema.ts for the fields read. Errors name the item and its line in the JSON text,
// so an operator can open the file at the offending place.
import { SnapshotParseError, type ParseOptions, type ParsedPaper, type ParsedSnapshot } from './types.ts';
import { lineAt } from './parse-encoding.ts';
import { dailyPaperItem, type DailyPaperItem } from './parse-json-schema.ts';
import { normalizeArxivId, titleKey } from './paper-identity.ts';

/** Parses the API's JSON text (already decoded). Throws SnapshotParseError if it is not that list. */
export function parseDailyPapersJson(text: string, options: ParseOptions): ParsedSnapshot {
  const items = expectList(parseJson(text), text);
  const lines = itemLines(text);
  const warnings: string[] = [];
  const papers: ParsedPaper[] = [];
  const seen = new Map<string, number>();
  let capturedAt: Date | null = null;
  for (const [index, raw] of items.entries()) {
    const line = lines[index] ?? null;
    const place: Place = { label: `item ${index + 1} (line ${line ?? '?'})`, line };
    const item = validate(raw, place);
    const paper = toPaper(item, place, warnings);
    const listedAt = listingTime(item);
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

/** Where an item is, for messages: "item 3 (line 41)". */
interface Place {
  label: string;
  line: number | null;
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

function expectList(value: unknown, text: string): unknown[] {
  const line = lineAt(text, Math.max(0, text.search(/\S/)));
  if (!Array.isArray(value)) {
    throw new SnapshotParseError(`JSON of another shape: ${describeNonList(value)} (line ${line})`, line);
  }
  if (value.length === 0) {
    throw new SnapshotParseError(`the daily papers list is empty: no paper to ingest (line ${line})`, line, 'empty');
  }
  return value;
}

/** Says what the top-level value is instead of the list, quoting an API error message if it is one. */
function describeNonList(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return `a ${value === null ? 'null' : typeof value}, expected the daily papers list (a JSON array)`;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.error === 'string') return `an error response ("${record.error.slice(0, 200)}")`;
  const keys = Object.keys(record).slice(0, 5).map((k) => `"${k}"`).join(', ');
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

function toPaper(item: DailyPaperItem, place: Place, warnings: string[]): ParsedPaper {
  const paper = item.paper;
  // The listing repeats the paper's title and summary at the top; either copy will do.
  const title = oneLine(paper?.title ?? item.title);
  if (!title) throw new SnapshotParseError(`JSON of another shape: ${place.label} has no title`, place.line);
  const abstract = oneLine(paper?.summary ?? item.summary);
  if (!abstract) warnings.push(`${place.label}: no summary`);
  const arxivId = paper?.id ? normalizeArxivId(paper.id) : null;
  if (paper?.id && !arxivId) {
    warnings.push(`${place.label}: id "${paper.id}" is not an arXiv id; the title identifies the paper`);
  }
  const authors = (paper?.authors ?? []).map((a) => oneLine(a.name)).filter((name) => name !== '');
  return {
    arxivId,
    title,
    abstract,
    authorCount: paper?.authors ? paper.authors.length : null,
    authors,
    organization: organizationOf(item),
    publishedOn: paper?.publishedAt ? new Date(paper.publishedAt).toISOString().slice(0, 10) : null,
    upvotes: paper?.upvotes ?? null,
  };
}

/** The listing's organization (what the page shows), else the paper's; the full name before the slug. */
function organizationOf(item: DailyPaperItem): string | null {
  for (const org of [item.organization, item.paper?.organization]) {
    const name = oneLine(org?.fullname) || oneLine(org?.name);
    if (name) return name;
  }
  return null;
}

/** When the item was listed: the top-level publishedAt, else the paper's submittedOnDailyAt. */
function listingTime(item: DailyPaperItem): Date | null {
  const stamp = item.publishedAt ?? item.paper?.submittedOnDailyAt;
  return stamp ? new Date(stamp) : null;
}

/** arXiv titles and abstracts keep the source's hard line breaks; a paper's text is one line here. */
function oneLine(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * The line on which each element of the top-level array starts. JSON.parse keeps no positions, so
 * this walks the (already valid) text once, skipping strings and counting nesting.
 */
export function itemLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let awaitingItem = false;
  for (const char of text) {
    if (char === '\n') line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    if (/\s/.test(char)) continue;
    if (depth === 1 && awaitingItem && char !== ']') {
      lines.push(line);
      awaitingItem = false;
    }
    if (char === '"') inString = true;
    else if (char === '[' || char === '{') awaitingItem = ++depth === 1;
    else if (char === ']' || char === '}') depth--;
    else if (char === ',' && depth === 1) awaitingItem = true;
  }
  return lines;
}
