// The fixture daily-papers-api.json follows the item shape of GET /api/daily_papers (the API's
// OpenAPI spec and published examples): listing fields at the top, the paper under "paper", many
// fields paperboy does not read. Names, ids and links in it are made up.
import { describe, it, expect } from 'vitest';
import { parseSnapshot } from '../../../src/ingest/parse-snapshot.ts';
import { itemLines, parseDailyPapersJson } from '../../../src/ingest/parse-json.ts';
import { titleKey } from '../../../src/ingest/paper-identity.ts';
import { fixture, NOW, parseError } from './builders.ts';

const options = { now: NOW };
const json = (value: unknown) => JSON.stringify(value, null, 2);
const item = (paper: Record<string, unknown>, top: Record<string, unknown> = {}) => ({ paper, ...top });

describe('the daily papers API fixture', () => {
  const text = fixture('daily-papers-api.json');
  const parsed = parseSnapshot(text, options);

  it('reads every item, in listing order', () => {
    expect(parsed.format).toBe('json');
    expect(parsed.truncated).toBe(false);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.papers.map((p) => p.arxivId)).toEqual(['2410.11840', '2410.10629', '2410.09994']);
  });

  it('takes the newest listing time as the capture time', () => {
    expect(parsed.capturedAt.toISOString()).toBe('2024-10-16T05:51:09.113Z');
  });

  it('reads the paper fields, with the text on one line', () => {
    expect(parsed.papers[0]).toEqual({
      arxivId: '2410.11840',
      arxivVersion: null,
      title: 'A Hitchhiker’s Guide to Scaling Law Estimation',
      abstract:
        'Scaling laws predict the loss of a target machine learning model by extrapolating from easier-to-train models with fewer parameters or ' +
        'smaller training sets.',
      authorCount: 3,
      authors: ['Maya Lindqvist', 'Yusuf Okafor', 'Hannah Berger'],
      organization: 'Example Research Lab',
      publishedOn: '2024-10-15',
      upvotes: 12,
      comments: 2,
      aiSummary: 'A large dataset of pretrained models is used to study how to estimate scaling laws.',
      aiKeywords: ['scaling laws', 'extrapolation', 'pretraining'],
      githubRepo: 'https://github.com/example/scaling-laws-guide',
      githubStars: 41,
      projectPage: null,
      listedOn: '2024-10-16',
    });
  });

  it('keeps zero upvotes and a paper without organization; counts hidden authors but leaves out their names', () => {
    expect(parsed.papers[1]).toMatchObject({
      title: 'Sparse Mixtures of Experts — Scaling Without the Cost',
      authorCount: 4,
      authors: ['Rui Wang', 'Élodie Durand', 'Priya Natarajan'],
      organization: null,
      upvotes: 0,
      publishedOn: '2024-10-14',
    });
    expect(parsed.papers[2]).toMatchObject({ organization: 'UC Berkeley', upvotes: 5, authorCount: 2 });
  });

  it('gives the same title key as the text capture of the same paper', () => {
    expect(titleKey(parsed.papers[0]?.title ?? '')).toBe(titleKey("A Hitchhiker's Guide to Scaling Law Estimation"));
  });

  it('parses the same minified, with a BOM, or with CRLF line endings', () => {
    const minified = JSON.stringify(JSON.parse(text));
    expect(parseSnapshot(minified, options)).toEqual(parsed);
    expect(parseSnapshot(`\uFEFF${text}`, options)).toEqual(parsed);
    expect(parseSnapshot(Buffer.from(text.replace(/\n/g, '\r\n')), options)).toEqual(parsed);
  });

  it('can be called on decoded text directly', () => {
    expect(parseDailyPapersJson(text, options)).toEqual(parsed);
  });

  it('locates each item on its line', () => {
    expect(itemLines(text)).toEqual([2, 74, 107]);
    expect(itemLines('[{"a": "[{,"}, [1, {"b": "\\"]"}], 3]')).toEqual([1, 1, 1]);
    expect(itemLines('[\n  1,\n\n  "x",\n  {}\n]')).toEqual([2, 4, 5]);
  });
});

describe('daily papers JSON variants', () => {
  it('takes the top-level title and summary when the paper has none', () => {
    const parsed = parseSnapshot(json([item({ id: '2406.12345' }, { title: 'Top Title', summary: 'Top summary.' })]), options);
    expect(parsed.papers[0]).toMatchObject({ arxivId: '2406.12345', title: 'Top Title', abstract: 'Top summary.' });
  });

  it('tolerates missing and null optional fields', () => {
    const parsed = parseSnapshot(
      json([
        item({ title: 'Bare', summary: 'S.' }),
        item({ id: null, title: 'Nulls', summary: 'S.', authors: null, upvotes: null, publishedAt: null, organization: null }),
        { title: 'No paper object', summary: 'S.' },
      ]),
      options,
    );
    for (const paper of parsed.papers) {
      expect(paper).toMatchObject({ arxivId: null, authorCount: null, authors: [], organization: null, publishedOn: null, upvotes: null });
    }
    expect(parsed.papers).toHaveLength(3);
    // No listing time anywhere: the capture time is the ingest clock.
    expect(parsed.capturedAt).toEqual(NOW);
  });

  it('falls back to submittedOnDailyAt for the listing time, and to the paper organization', () => {
    const parsed = parseSnapshot(
      json([
        item({ title: 'A', summary: 'S.', submittedOnDailyAt: '2024-06-18T08:00:00.000Z', organization: { name: 'mit' } }),
        item({ title: 'B', summary: 'S.' }, { publishedAt: '2024-06-17T08:00:00.000Z' }),
      ]),
      options,
    );
    expect(parsed.capturedAt.toISOString()).toBe('2024-06-18T08:00:00.000Z');
    expect(parsed.papers[0]?.organization).toBe('mit');
  });

  it('normalizes versioned ids and warns about ids that are not arXiv ids', () => {
    const parsed = parseSnapshot(
      json([item({ id: '2406.12345v3', title: 'A', summary: 'S.' }), item({ id: 'hf-2024-001', title: 'B', summary: 'S.' })]),
      options,
    );
    expect(parsed.papers.map((p) => p.arxivId)).toEqual(['2406.12345', null]);
    expect(parsed.warnings).toEqual(['item 2 (line 9): id "hf-2024-001" is not an arXiv id; the title identifies the paper']);
  });

  it('lists a paper listed twice once, in its first place', () => {
    const parsed = parseSnapshot(
      json([
        item({ id: '2406.12345', title: 'First', summary: 'S.' }),
        item({ id: '2406.12345v2', title: 'First again', summary: 'S.' }),
        item({ title: 'No Id: Same', summary: 'S.' }),
        item({ title: 'no id — same', summary: 'S.' }),
      ]),
      options,
    );
    expect(parsed.papers.map((p) => p.title)).toEqual(['First', 'No Id: Same']);
    expect(parsed.warnings).toEqual(['item 2 (line 9): same paper as item 1; kept the first', 'item 4 (line 22): same paper as item 3; kept the first']);
  });

  it('warns about an item without a summary', () => {
    const parsed = parseSnapshot(json([item({ title: 'No Summary' })]), options);
    expect(parsed.papers[0]?.abstract).toBe('');
    expect(parsed.warnings).toEqual(['item 1 (line 2): no summary']);
  });
});

describe('JSON that is not the daily papers list', () => {
  it('rejects invalid JSON with the line of the syntax error', () => {
    const error = parseError(() => parseSnapshot('[\n  {"paper": {"title": "A"}},\n  {"paper": {"title": "B",}}\n]', options));
    expect(error.message).toBe('invalid JSON at line 3, column 27: Expected double-quoted property name');
    expect(error.line).toBe(3);
  });

  it('gives the column of a syntax error in one-line JSON, as the API sends it', () => {
    const error = parseError(() => parseSnapshot('[{"paper": {"title": "A"}} {"paper": {}}]', options));
    expect(error.message).toBe("invalid JSON at line 1, column 28: Expected ',' or ']' after array element");
    expect(error.line).toBe(1);
  });

  it('rejects JSON that stops early, on its last line', () => {
    const error = parseError(() => parseSnapshot('[\n  {"paper": {"title": "A"}},\n  {"paper": {"ti', options));
    expect(error.message).toBe('invalid JSON at line 3, column 17: Unterminated string');
    expect(error.line).toBe(3);
  });

  it('rejects an empty list', () => {
    const error = parseError(() => parseSnapshot(' []', options));
    expect(error.message).toBe('the daily papers list is empty: no paper to ingest (line 1)');
    expect(error.line).toBe(1);
  });

  it('rejects an object without the list, quoting an API error', () => {
    expect(parseError(() => parseSnapshot('{}', options)).message).toBe(
      'JSON of another shape: an object (no keys), expected the daily papers list (a JSON array) (line 1)',
    );
    expect(parseError(() => parseSnapshot('{"papers": [], "total": 0}', options)).message).toBe(
      'JSON of another shape: an object ("papers", "total"), expected the daily papers list (a JSON array) (line 1)',
    );
    expect(parseError(() => parseSnapshot('\n{"error": "Invalid date"}', options))).toMatchObject({
      message: 'JSON of another shape: an error response ("Invalid date") (line 2)',
      line: 2,
    });
  });

  it('rejects an array of numbers, naming the first item', () => {
    const error = parseError(() => parseSnapshot('[\n  1,\n  2\n]', options));
    expect(error.message).toBe('JSON of another shape: item 1 (line 2): expected object, received number');
    expect(error.line).toBe(2);
  });

  it('rejects an item without a title, with its line', () => {
    const text = json([item({ id: '2406.12345', title: 'Fine', summary: 'S.' }), item({ id: '2406.12346', summary: 'S.' })]);
    const error = parseError(() => parseSnapshot(text, options));
    expect(error.message).toBe('JSON of another shape: item 2 (line 9) has no title');
    expect(error.line).toBe(9);
  });

  it('rejects a field of the wrong type, naming it', () => {
    const text = json([item({ id: '2406.12345', title: 'A', summary: 'S.', upvotes: '12' })]);
    const error = parseError(() => parseSnapshot(text, options));
    expect(error.message).toBe('JSON of another shape: item 1 (line 2): paper.upvotes: expected number, received string');
    expect(error.line).toBe(2);
  });

  it('rejects a listing time that is not a date', () => {
    const error = parseError(() => parseSnapshot(json([item({ title: 'A' }, { publishedAt: 'yesterday' })]), options));
    expect(error.message).toBe('JSON of another shape: item 1 (line 2): publishedAt: not a date');
  });

  // Date.parse reads a day the calendar does not have as the next month's (2026-02-30 → March 2);
  // the text format refuses "Feb 30", and so does JSON, whichever field names it.
  it.each([
    ['publishedAt', { publishedAt: '2026-02-30T10:00:00.000Z' }, {}, 'February 2026 has no day 30'],
    ['paper.publishedAt', {}, { publishedAt: '2026-04-31' }, 'April 2026 has no day 31'],
    ['paper.submittedOnDailyAt', {}, { submittedOnDailyAt: '2025-02-29T00:00:00Z' }, 'February 2025 has no day 29'],
  ])('rejects %s naming a day that does not exist', (field, top, paper, why) => {
    const error = parseError(() => parseSnapshot(json([item({ title: 'A', ...paper }, top)]), options));
    expect(error.message).toBe(`JSON of another shape: item 1 (line 2): ${field}: not a date (${why})`);
  });

  it('takes Feb 29 of a leap year', () => {
    const parsed = parseSnapshot(json([item({ title: 'A', publishedAt: '2024-02-29T08:00:00.000Z' }, { publishedAt: '2024-02-29T09:00:00.000Z' })]), options);
    expect(parsed.capturedAt.toISOString()).toBe('2024-02-29T09:00:00.000Z');
    expect(parsed.papers[0]?.publishedOn).toBe('2024-02-29');
  });
});
