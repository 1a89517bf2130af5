// The digest from papers as the daily papers API gives them: the real items of the shared samples
// (tests/fixtures/ingest/api-*.json, verbatim), and items with every optional field missing or
// null, hidden authors, an organization object, a long author list — parsed by ingest, frozen as a
// digest freezes them, shown as the delivery step shows them.
import { describe, expect, it } from 'vitest';
import { freezePaper, type FrozenPaper } from '../../../src/db/digest-papers.ts';
import { toPaperView } from '../../../src/deliver/digest-renderers.ts';
import { inTopicOrder } from '../../../src/digest/plan-deliveries.ts';
import { parseDailyPapersJson } from '../../../src/ingest/parse-json.ts';
import { compileTopic, indexPapers, matchTopics } from '../../../src/match/index.ts';
import { compileDigest } from '../../../src/render/index.ts';
import { fixture } from '../ingest/builders.ts';
import { decode, digestView, LEFTOVER, recipient } from './builders.ts';

const NOW = new Date('2024-10-26T12:00:00Z');
const scicode = JSON.parse(fixture('api-paper-2407.13168-with-ai-fields.json')) as Record<string, unknown>;
const listing = JSON.parse(fixture('api-daily-papers-2024-10-25.json')) as unknown[];
const names = (n: number, hiddenEvery = 0) =>
  Array.from({ length: n }, (_, i) => ({ name: `Author ${i + 1}`, hidden: hiddenEvery > 0 && i % hiddenEvery === 0 }));
const items = [
  ...listing,
  {
    paper: { ...scicode, githubRepo: 'https://github.com/scicode-bench/SciCode', githubStars: 1234, projectPage: 'https://scicode-bench.github.io/' },
    publishedAt: '2024-07-22T00:00:00.000Z',
    numComments: 1,
  },
  // every optional field missing
  { paper: { id: '2410.00001', title: 'A language model with nothing else known', summary: 'We train a language model. It works.' } },
  // every optional field null
  {
    paper: {
      id: null,
      title: 'Untitled language model study',
      summary: null,
      authors: null,
      publishedAt: null,
      upvotes: null,
      ai_summary: null,
      ai_keywords: null,
      githubRepo: null,
      githubStars: null,
      projectPage: null,
      organization: null,
    },
    title: null,
    summary: 'A language model, described at the top level only.',
    publishedAt: null,
    numComments: null,
    organization: null,
  },
  // hidden authors (the first of three), an organization object, 250 authors
  {
    paper: {
      id: '2410.00003',
      title: 'Collaboration-scale language model training',
      summary: 'Many people trained a language model together.',
      authors: names(250, 3),
      upvotes: 3,
    },
    organization: { name: 'bigco', fullname: 'Big Company Research' },
  },
];

function digest(topics: string[]) {
  const parsed = parseDailyPapersJson(JSON.stringify(items), { now: NOW });
  const frozen: FrozenPaper[] = parsed.papers.map((p, i) => freezePaper({ id: i + 1, ...p }));
  const view = digestView(frozen.map(toPaperView), { snapshotDate: '2024-10-25' });
  const index = indexPapers(frozen.map((p) => ({ id: p.id, title: p.title, abstract: p.abstract })));
  // in the order the digest plan stores them: grouped by best topic, in the subscriber's order
  const scored = matchTopics(topics.map(compileTopic), index).map((m) => ({ paperId: m.paperId, hits: m.hits, topics: m.hits.map((h) => h.topic) }));
  const matches = inTopicOrder(scored, topics).map(({ paperId, hits }) => ({ paperId, hits }));
  return { frozen, view, matches };
}

/** The paper block whose title link has this text. */
function block(html: string, title: string): string {
  const found = html
    .split(/<h3\b/)
    .slice(1)
    .find((b) => decode(/<a class="paper-link"[^>]*>(.*?)<\/a>/s.exec(b)?.[1]?.replace(/<[^>]+>/g, '') ?? '') === title);
  if (!found) throw new Error(`no block for ${title}`);
  return found.split(/<h2\b/)[0]!;
}
const line = (b: string, cls: string): string => decode((new RegExp(`<p class="${cls}"[^>]*>(.*?)</p>`, 's').exec(b)?.[1] ?? '').replace(/<[^>]+>/g, ''));

describe('a digest of real API items', async () => {
  const { view, matches } = digest(['language model', 'contrastive loss', 'coding benchmark']);
  const mail = (await compileDigest(view)).render(recipient(matches));

  it('shows every paper, no slot left, no "null" or "undefined"', () => {
    expect(matches).toHaveLength(items.length);
    for (const part of [mail.html, mail.text, mail.subject]) {
      expect(part).not.toMatch(LEFTOVER);
      expect(part).not.toMatch(/\bnull\b|\bundefined\b|NaN/);
    }
  });

  it('the listing item: its page, authors et al., upvotes, comments, labelled date, links', () => {
    const b = block(mail.html, 'Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss');
    expect(b).toContain('href="https://huggingface.co/papers/2410.17243"');
    expect(line(b, 'meta')).toBe('Zesen Cheng, Hang Zhang, Kehan Li et al.\u00a0· ▲ 64\u00a0· 3 comments\u00a0· published Oct 22');
    expect(line(b, 'reason')).toBe('Title matches Contrastive Loss');
    expect(line(b, 'links').replace(/\s+/g, ' ')).toBe('Paper · arXiv · PDF');
    expect(b).toContain('href="https://arxiv.org/abs/2410.17243"');
    expect(b).toContain('href="https://arxiv.org/pdf/2410.17243"');
    // no ai_summary: the abstract's first sentence, whole
    expect(line(b, 'tldr')).toMatch(
      /^Contrastive loss is a powerful approach for representation learning, where larger batch sizes enhance performance by providing more negative samples to better distinguish between similar and dissimilar data\.$/,
    );
  });

  it('the paper with ai fields: its TL;DR, highlighted; code with stars; project page', () => {
    const b = block(mail.html, 'SciCode: A Research Coding Benchmark Curated by Scientists');
    expect(line(b, 'tldr')).toMatch(/^TL;DR\u00a0 SciCode, a scientist-curated coding benchmark, evaluates language models' ability/);
    expect(b).toMatch(/<span class="hit"[^>]*>coding benchmark<\/span>/);
    expect(line(b, 'links').replace(/\s+/g, ' ')).toBe('Paper · arXiv · PDF · Code (★ 1.2k) · Project');
    expect(b).toContain('href="https://github.com/scicode-bench/SciCode"');
    // the sample's author list is trimmed to three
    expect(line(b, 'meta')).toBe('Minyang Tian, Luyu Gao and Xinan Chen\u00a0· ▲ 17\u00a0· 1 comment\u00a0· published Jul 18');
    expect(line(b, 'reason')).toMatch(/^Title matches Coding Benchmark · also language model: abstract matches language models?$/);
  });

  it('a paper with every optional field missing or null: title, reason and TL;DR, nothing empty', () => {
    const missing = block(mail.html, 'A language model with nothing else known');
    expect(line(missing, 'tldr')).toBe('We train a language model.');
    expect(line(missing, 'links').replace(/\s+/g, ' ')).toBe('Paper · arXiv · PDF');
    expect(missing).not.toContain('class="meta"');
    const nulls = block(mail.html, 'Untitled language model study');
    expect(nulls).toContain('href="https://arxiv.org/search/?searchtype=title&amp;query=Untitled%20language%20model%20study"');
    expect(nulls).not.toContain('class="links"');
    expect(nulls).not.toContain('class="meta"');
    expect(line(nulls, 'tldr')).toBe('A language model, described at the top level only.');
  });

  it('hidden authors are left out but counted; the organization object gives its full name', () => {
    const b = block(mail.html, 'Collaboration-scale language model training');
    expect(line(b, 'meta')).toBe('Author 2, Author 3, Author 5 et al.\u00a0· Big Company Research\u00a0· ▲ 3');
    expect(b).not.toContain('Author 1,');
  });

  it('the text part says the same, grouped, with the links spelled out', () => {
    expect(mail.text).toContain('language model · 3 papers\n-------------------------');
    expect(mail.text).toContain('Code (★ 1.2k): https://github.com/scicode-bench/SciCode');
    expect(mail.text).toContain('arXiv: https://arxiv.org/abs/2410.17243');
    expect(mail.text).toContain('Papers from Hugging Face Daily Papers (https://huggingface.co/papers)');
    expect(mail.subject).toBe('5 new papers on language model, contrastive loss and 1 more topic — Oct 25');
  });

  it('a paper frozen before the details were stored renders without them', async () => {
    const { frozen } = digest(['language model']);
    const old = frozen.map(
      ({ aiSummary: _s, aiKeywords: _k, githubRepo: _g, githubStars: _st, projectPage: _p, comments: _c, listedOn: _l, ...rest }) => rest as FrozenPaper,
    );
    const oldView = digestView(old.map(toPaperView), { snapshotDate: '2024-10-25' });
    const r = (await compileDigest(oldView)).render(recipient([{ paperId: 2, hits: matches.find((m) => m.paperId === 2)!.hits }]));
    const b = block(r.html, 'SciCode: A Research Coding Benchmark Curated by Scientists');
    expect(line(b, 'links').replace(/\s+/g, ' ')).toBe('Paper · arXiv · PDF');
    expect(line(b, 'tldr')).toMatch(/^Since language models \(LMs\) now outperform average humans/);
  });
});
