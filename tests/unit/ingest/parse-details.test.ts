// The newer, optional details of the daily papers API (TL;DR, keywords, links, stars, comments,
// hidden authors): read from two real API items (tests/fixtures/ingest/api-*.json, verbatim), and
// lenient with what is missing, null or of another type; implausible counts refuse the file.
import { describe, expect, it } from 'vitest';
import { parseDailyPapersJson } from '../../../src/ingest/parse-json.ts';
import { fixture, NOW, parseError } from './builders.ts';

const options = { now: NOW };
const parse = (items: unknown[]) => parseDailyPapersJson(JSON.stringify(items, null, 2), options);
const base = { id: '2406.00001', title: 'A paper', summary: 'An abstract.', authors: [{ name: 'Ada Lovelace' }] };

describe('the real API items', () => {
  it('a listing item: comments, authors, no TL;DR', () => {
    const [paper] = parseDailyPapersJson(fixture('api-daily-papers-2024-10-25.json'), options).papers;
    expect(paper).toMatchObject({
      arxivId: '2410.17243',
      authorCount: 9,
      comments: 3,
      aiSummary: null,
      aiKeywords: [],
      githubRepo: null,
      githubStars: null,
      projectPage: null,
      upvotes: 64,
    });
    expect(paper?.authors.slice(0, 3)).toEqual(['Zesen Cheng', 'Hang Zhang', 'Kehan Li']);
  });

  it('a paper with the ai fields, wrapped as a listing item', () => {
    const paper = JSON.parse(fixture('api-paper-2407.13168-with-ai-fields.json')) as Record<string, unknown>;
    const [parsed] = parse([{ paper, publishedAt: '2024-07-22T00:00:00.000Z' }]).papers;
    expect(parsed?.aiSummary).toMatch(/^SciCode, a scientist-curated coding benchmark/);
    expect(parsed?.aiKeywords).toEqual(['language models', 'coding benchmark', 'knowledge recall', 'reasoning', 'code synthesis', 'scientific AI']);
    expect(parsed?.listedOn).toBe('2024-07-22');
    expect(parsed?.publishedOn).toBe('2024-07-18');
  });
});

describe('details as the API may send them', () => {
  it('code, stars, project page and comments', () => {
    const [p] = parse([
      { paper: { ...base, githubRepo: 'https://github.com/example/repo', githubStars: 1234, projectPage: 'https://example.org/p' }, numComments: 5 },
    ]).papers;
    expect(p).toMatchObject({ githubRepo: 'https://github.com/example/repo', githubStars: 1234, projectPage: 'https://example.org/p', comments: 5 });
  });

  it('every optional field missing or null: nothing, and no warning', () => {
    const nulls = { ai_summary: null, ai_keywords: null, githubRepo: null, githubStars: null, projectPage: null, submittedOnDailyAt: null, organization: null };
    const parsed = parse([{ paper: base }, { paper: { ...base, id: '2406.00002', title: 'Another', ...nulls }, numComments: null, organization: null }]);
    expect(parsed.warnings).toEqual([]);
    for (const p of parsed.papers) {
      expect(p).toMatchObject({
        aiSummary: null,
        aiKeywords: [],
        githubRepo: null,
        githubStars: null,
        projectPage: null,
        comments: null,
        listedOn: null,
        organization: null,
      });
    }
  });

  it('hidden authors are counted but not named', () => {
    const authors = [{ name: 'Ada Lovelace', hidden: false }, { name: 'Secret Person', hidden: true }, { name: 'Alan Turing' }];
    const [p] = parse([{ paper: { ...base, authors } }]).papers;
    expect(p?.authorCount).toBe(3);
    expect(p?.authors).toEqual(['Ada Lovelace', 'Alan Turing']);
  });

  it('a detail of another type is left out with a warning, the paper kept', () => {
    const parsed = parse([
      {
        paper: { ...base, githubStars: '12', ai_summary: 42, ai_keywords: 'llm', githubRepo: 'javascript:alert(1)', projectPage: 'not a url' },
        numComments: '3',
      },
    ]);
    expect(parsed.papers[0]).toMatchObject({ githubStars: null, aiSummary: null, aiKeywords: [], githubRepo: null, projectPage: null, comments: null });
    expect(parsed.warnings.join('\n')).toMatch(/githubStars "12" is not a number/);
    expect(parsed.warnings.join('\n')).toMatch(/githubRepo: "javascript:alert\(1\)" is not an http\(s\) link/);
    expect(parsed.warnings).toHaveLength(6);
  });

  it('long text is cut, keywords de-duplicated and capped', () => {
    const parsed = parse([
      { paper: { ...base, ai_summary: `${'word '.repeat(400)}end.`, ai_keywords: ['llm', 'llm', ...Array.from({ length: 80 }, (_, i) => `k${i}`)] } },
    ]);
    expect(parsed.papers[0]?.aiSummary?.length).toBeLessThanOrEqual(1000);
    expect(parsed.papers[0]?.aiSummary).toMatch(/…$/);
    expect(parsed.papers[0]?.aiKeywords).toHaveLength(50);
    expect(parsed.papers[0]?.aiKeywords?.[0]).toBe('llm');
  });

  it('implausible stars or comments refuse the file, naming the field', () => {
    expect(parseError(() => parse([{ paper: { ...base, githubStars: -1 } }])).message).toMatch(
      /\$\[0\]\.paper\.githubStars: "-1" is a negative number of stars/,
    );
    expect(parseError(() => parse([{ paper: base, numComments: 1.5 }])).message).toMatch(/\$\[0\]\.numComments: "1.5" is not a whole number of comments/);
  });
});
