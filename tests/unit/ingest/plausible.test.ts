// Values no real listing has and the database cannot hold, refused at the parser with one line that
// says where (item and line, JSON path; entry and line) and why; free text that is merely long is
// cut with a warning; SOURCE_MAX_ENTRIES refuses a huge snapshot up front.
import { describe, expect, it } from 'vitest';
import { capText, cleanText } from '../../../src/ingest/clean-text.ts';
import { parseSnapshot } from '../../../src/ingest/parse-snapshot.ts';
import { LIMITS } from '../../../src/ingest/plausible.ts';
import { capture, NOW, parseError } from './builders.ts';

const options = { now: NOW }; // 2026-11-23T12:00:00Z
const paper = (fields: Record<string, unknown> = {}) => ({
  id: '2410.17243',
  title: 'Scaling Laws',
  summary: 'About scaling.',
  authors: [{ name: 'A. B.' }],
  upvotes: 3,
  publishedAt: '2024-10-22T17:59:30.000Z',
  ...fields,
});
/** A list whose second item (line 3 of the text) carries `fields`. */
const list = (fields: Record<string, unknown> = {}, top: Record<string, unknown> = {}) =>
  `[\n${JSON.stringify({ paper: paper({ id: '2410.00001', title: 'First' }), publishedAt: '2026-06-10T08:00:00.000Z' })},\n` +
  `${JSON.stringify({ paper: paper(fields), publishedAt: '2026-06-10T08:00:00.000Z', ...top })}\n]`;

describe('JSON values refused, with the item, its line and the JSON path', () => {
  it.each([
    [
      'a listing date in 2030',
      list({}, { publishedAt: '2030-01-01T00:00:00.000Z' }),
      'item 2 (line 3): $[1].publishedAt: "2030-01-01T00:00:00.000Z" is more than a day after the ingest clock (2026-11-23): a listing cannot ' +
        'come from the future',
    ],
    [
      'the last date JavaScript can hold (+275760)',
      list({}, { publishedAt: '+275760-09-13T00:00:00.000Z' }),
      'item 2 (line 3): $[1].publishedAt: "+275760-09-13T00:00:00.000Z" is more than a day after the ingest clock (2026-11-23): a listing ' +
        'cannot come from the future',
    ],
    [
      'a year past what JavaScript can hold',
      list({}, { publishedAt: '+275761-01-01T00:00:00.000Z' }),
      'JSON of another shape: item 2 (line 3): publishedAt: not a date',
    ],
    [
      'year 10000',
      list({ publishedAt: '+010000-01-01T00:00:00.000Z' }),
      'item 2 (line 3): $[1].paper.publishedAt: "+010000-01-01T00:00:00.000Z" is more than a day after the ingest clock (2026-11-23): a listing ' +
        'cannot come from the future',
    ],
    [
      'year −1000',
      list({ publishedAt: '-001000-01-01T00:00:00.000Z' }),
      'item 2 (line 3): $[1].paper.publishedAt: "-001000-01-01T00:00:00.000Z" is before 1991, when arXiv began',
    ],
    [
      'a listing date in 1970',
      list({}, { publishedAt: '1970-01-01T00:00:00.000Z' }),
      'item 2 (line 3): $[1].publishedAt: "1970-01-01T00:00:00.000Z" is before 1991, when arXiv began',
    ],
    [
      'a submission date in the future',
      list({ submittedOnDailyAt: '2027-01-01T00:00:00Z' }, { publishedAt: null }),
      'item 2 (line 3): $[1].paper.submittedOnDailyAt: "2027-01-01T00:00:00Z" is more than a day after the ingest clock (2026-11-23): a listing ' +
        'cannot come from the future',
    ],
    [
      '99999999999 upvotes',
      list({ upvotes: 99999999999 }),
      'item 2 (line 3): $[1].paper.upvotes: "99999999999" is more than 10,000,000 upvotes: not a plausible count',
    ],
    ['negative upvotes', list({ upvotes: -4 }), 'item 2 (line 3): $[1].paper.upvotes: "-4" is a negative number of upvotes'],
    ['fractional upvotes', list({ upvotes: 2.5 }), 'item 2 (line 3): $[1].paper.upvotes: "2.5" is not a whole number of upvotes'],
    [
      'a 1.6 MB title',
      list({ title: 'x'.repeat(1_600_000) }),
      `item 2 (line 3): $[1].paper.title: the title is 1,600,000 characters long (a title has at most 500): "${'x'.repeat(40)}…"`,
    ],
    [
      'a title that NFKC blows up past the index limit',
      list({ title: '\uFDFA'.repeat(200) }),
      'item 2 (line 3): $[1].paper.title: the title normalizes to 6,600 bytes (at most 2,000)',
    ],
  ])('%s', (_name, input, message) => {
    const error = parseError(() => parseSnapshot(input, options));
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.line).toBe(3);
  });

  it('an author count past what is plausible (100,001 authors)', () => {
    const authors = Array.from({ length: LIMITS.authorCount + 1 }, () => ({ name: 'A' }));
    expect(parseError(() => parseSnapshot(list({ authors }), options)).message).toBe(
      'item 2 (line 3): $[1].paper.authors: "100001" is more than 100,000 authors: not a plausible count',
    );
  });

  it("a listing date up to a day ahead of the ingest clock is accepted (the listing's own time zone)", () => {
    const parsed = parseSnapshot(list({}, { publishedAt: '2026-11-24T11:00:00.000Z' }), options);
    expect(parsed.capturedAt.toISOString()).toBe('2026-11-24T11:00:00.000Z');
  });
});

describe('JSON free text: cut with a warning, never refused', () => {
  it('cuts an abstract, an organization and author names, and keeps the first 1,000 names', () => {
    const authors = Array.from({ length: 1500 }, (_, i) => ({ name: i === 0 ? 'N'.repeat(5000) : `Author ${i}` }));
    const parsed = parseSnapshot(list({ summary: 'word '.repeat(5000), authors }, { organization: { fullname: 'O'.repeat(400) } }), options);
    const p = parsed.papers[1]!;
    expect(p.abstract.length).toBeLessThanOrEqual(LIMITS.abstractChars);
    expect(p.abstract.endsWith('…')).toBe(true);
    expect(p.organization!.length).toBe(LIMITS.nameChars);
    expect(p.authors).toHaveLength(1000);
    expect(p.authors[0]!.length).toBe(LIMITS.nameChars);
    expect(p.authorCount).toBe(1500);
    expect(parsed.warnings).toEqual([
      'item 2 (line 3): abstract of 24,999 characters cut to 10,000',
      'item 2 (line 3): 1,500 author names: kept the first 1,000',
      'item 2 (line 3): 1 author name cut to 300 characters',
      'item 2 (line 3): organization of 400 characters cut to 300',
    ]);
  });

  it('quotes a bad id on one line, shortened', () => {
    const parsed = parseSnapshot(list({ id: `not-an-id\n${'z'.repeat(500)}` }), options);
    expect(parsed.warnings[0]).toMatch(/^item 2 \(line 3\): id "not-an-id\\nz+…" is not an arXiv id; the title identifies the paper$/);
    expect(parsed.warnings[0]!.length).toBeLessThan(140);
  });
});

describe('text capture values refused, with the entry and the line', () => {
  it.each([
    [
      '99999999999 authors',
      { title: 'T', byline: '  • 99999999999 authors' },
      'entry 1 (line 13): "99999999999" is more than 100,000 authors: not a plausible count',
      17,
    ],
    [
      '99999999999 upvotes',
      { title: 'T', date: 'Jun 4, 2025 99999999999' },
      'entry 1 (line 13): "99999999999" is more than 10,000,000 upvotes: not a plausible count',
      19,
    ],
    ['a publication date in 1800', { title: 'T', date: 'Jun 4, 1800' }, 'entry 1 (line 13): date "Jun 4, 1800" is before 1991, when arXiv began', 19],
    [
      'year 0099 (JavaScript reads it as 1999 unless told)',
      { title: 'T', date: 'Jun 4, 0099' },
      'entry 1 (line 13): date "Jun 4, 0099" is before 1991, when arXiv began',
      19,
    ],
    [
      'a publication date in 2030',
      { title: 'T', date: 'Jun 4, 2030' },
      'entry 1 (line 13): date "Jun 4, 2030" is more than a day after the ingest clock (2026-11-23): a listing cannot come from the future',
      19,
    ],
    ['a 2,000-character title', { title: 'T'.repeat(2000) }, 'entry 1 (line 13): the title is 2,000 characters long (a title has at most 500)', 13],
  ])('%s', (_name, entry, message, line) => {
    const error = parseError(() => parseSnapshot(capture('Jun 10', [entry]), options));
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.line).toBe(line);
  });

  it('a capture date written with a year in the future', () => {
    const error = parseError(() => parseSnapshot(capture('Jun 10, 2030', [{ title: 'T' }]), options));
    expect(error.message).toBe(
      'capture date at line 11: "Jun 10, 2030" is more than a day after the ingest clock (2026-11-23): a listing cannot come from the future',
    );
  });

  it('cuts a long abstract and organization with a warning', () => {
    const parsed = parseSnapshot(capture('Jun 10', [{ title: 'T', abstract: 'a '.repeat(6000), byline: 'O'.repeat(400) }]), options);
    expect(parsed.papers[0]!.abstract.length).toBeLessThanOrEqual(LIMITS.abstractChars);
    expect(parsed.warnings).toEqual([
      'entry 1 (line 13): abstract of 11,999 characters cut to 10,000',
      'entry 1 (line 13): organization of 400 characters cut to 300',
    ]);
  });

  it('cleans invisible characters and controls out of what it stores', () => {
    const parsed = parseSnapshot(capture('Jun 10', [{ title: 'Scal\u00ADing\u200B Laws\u202E for\u0007 You', abstract: 'A\u00A0b\u2009c.' }]), options);
    expect(parsed.papers[0]).toMatchObject({ title: 'Scaling Laws for You', abstract: 'A b c.' });
  });
});

describe('SOURCE_MAX_ENTRIES refuses a large snapshot up front', () => {
  it('JSON: by the number of items, before reading any', () => {
    const items = Array.from({ length: 11 }, (_, i) => ({ paper: { id: `2410.${String(10000 + i)}`, title: `P${i}` } }));
    const error = parseError(() => parseSnapshot(JSON.stringify(items), { ...options, maxEntries: 10 }));
    expect(error.message).toBe('the list has 11 items, more than SOURCE_MAX_ENTRIES (10) (line 1)');
    expect(parseSnapshot(JSON.stringify(items.slice(0, 10)), { ...options, maxEntries: 10 }).papers).toHaveLength(10);
  });

  it('text: at the first entry past the limit', () => {
    const entries = Array.from({ length: 4 }, (_, i) => ({ title: `Paper ${i}` }));
    const error = parseError(() => parseSnapshot(capture('Jun 10', entries), { ...options, maxEntries: 3 }));
    expect(error.message).toBe('the capture has more than SOURCE_MAX_ENTRIES (3) entries: entry 4 starts at line 37');
    expect(error.line).toBe(37);
  });
});

describe('clean text helpers', () => {
  it('cleanText keeps joiners that spell words and drops what hides text', () => {
    expect(cleanText('\uFEFFmi\u200Cخواهم \u202Eevil\u202C  x\n')).toBe('mi\u200Cخواهم evil x');
  });

  it('capText cuts at a word near the limit, never inside a surrogate pair', () => {
    expect(capText(`${'word '.repeat(30)}end`, 100)).toBe(`${'word '.repeat(18)}word…`);
    expect(capText('aaaa bbbb cccc', 12)).toBe('aaaa bbbb c…'); // no space in the last tenth: cut where it falls
    expect(capText(`${'a'.repeat(9)}😀😀`, 11)).toBe(`${'a'.repeat(9)}…`);
    expect(capText('short', 10)).toBe('short');
  });
});
