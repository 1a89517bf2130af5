// Small builders for render tests: papers from a seed file with real topic hits from the matcher,
// digest and recipient views, and checks on the HTML.
import { readFileSync } from 'node:fs';
import { compileTopic, indexPapers, matchTopics, type TopicHit } from '../../../src/match/index.ts';
import type { DigestView, PaperView, RecipientView } from '../../../src/render/types.ts';
import { paperUrl } from '../../../src/deliver/links.ts';

export const BASE_URL = 'https://paperboy.example';

/** Title and abstract of each entry of a seed file: an abstract is a line over 200 characters. */
export function seedEntries(name = '001_92719ba14292193f.txt'): Array<{ title: string; abstract: string }> {
  const lines = readFileSync(new URL(`../../../seeds/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  const found: Array<{ title: string; abstract: string }> = [];
  lines.forEach((line, i) => {
    if (line.length <= 200) return;
    const title = lines.slice(0, i).findLast((l) => l !== '');
    if (title !== undefined) found.push({ title, abstract: line });
  });
  return found;
}

export function paper(over: Partial<PaperView> & { paperId: number }): PaperView {
  return {
    title: `Paper ${over.paperId}`,
    url: `https://huggingface.co/papers/2406.${String(over.paperId).padStart(5, '0')}`,
    abstract: 'An abstract.',
    authors: [],
    authorCount: 3,
    organization: null,
    upvotes: null,
    publishedOn: '2025-06-04',
    ...over,
  };
}

export function digestView(papers: PaperView[], over: Partial<DigestView> = {}): DigestView {
  return { digestId: 7, snapshotDate: '2025-06-10', papers, productName: 'paperboy', baseUrl: BASE_URL, ...over };
}

export function recipient(papers: RecipientView['papers'], over: Partial<RecipientView> = {}): RecipientView {
  return {
    email: 'ada@example.com',
    papers,
    preferencesUrl: `${BASE_URL}/preferences?token=pref-ada`,
    unsubscribeUrl: `${BASE_URL}/unsubscribe?token=unsub-ada`,
    ...over,
  };
}

export function hit(topic: string, over: Partial<TopicHit> = {}): TopicHit {
  return { topic, words: [], title: [], abstract: [], score: 1, closeness: 'scattered', field: 'abstract', closest: null, ...over };
}

/** The first `count` seed papers as views, varied meta, and what `topics` catch in them (best first). */
export function seedDigest(topics: string[], count = 12): { view: DigestView; matches: RecipientView['papers'] } {
  const papers = seedEntries()
    .slice(0, count)
    .map((e, i) =>
      paper({
        paperId: 100 + i,
        title: e.title,
        abstract: e.abstract,
        authors: i % 3 === 0 ? ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Emmy Noether', 'Kurt Gödel'] : [],
        authorCount: i % 3 === 0 ? 8 : i % 3 === 1 ? 2 : null,
        organization: i % 3 === 2 ? 'UC Berkeley' : null,
        upvotes: i % 2 === 0 ? 12 + i : null,
        publishedOn: `${i % 4 === 3 ? 2024 : 2025}-0${1 + (i % 6)}-${10 + (i % 18)}`,
        // the daily papers details on some, as the API gives them on about a third of papers
        arxivId: i % 4 === 1 ? null : `2406.${String(100 + i).padStart(5, '0')}`,
        url: paperUrl(i % 4 === 1 ? null : `2406.${String(100 + i).padStart(5, '0')}`, e.title),
        aiSummary: i % 3 === 1 ? `TL;DR of ${e.title}: it studies scaling and what follows from it.` : null,
        githubRepo: i % 5 === 0 ? `https://github.com/example/repo-${i}` : null,
        githubStars: i % 5 === 0 ? 1234 * i : null,
        projectPage: i % 7 === 0 ? `https://example.org/project-${i}` : null,
        comments: i % 2 === 1 ? i : null,
      }),
    );
  const index = indexPapers(papers.map((p) => ({ id: p.paperId, title: p.title, abstract: p.abstract })));
  const matches = matchTopics(topics.map(compileTopic), index).map((m) => ({ paperId: m.paperId, hits: m.hits }));
  return { view: digestView(papers), matches };
}

/** The text inside each highlight (<span class="hit" …>…</span>) of an HTML fragment, entities decoded. */
export function marked(html: string): string[] {
  return [...html.matchAll(/<span class="hit"[^>]*>(.*?)<\/span>/gs)].map((m) => decode(m[1] ?? ''));
}

export function decode(html: string): string {
  return html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, '\u00a0')
    .replace(/&amp;/g, '&');
}

/** A slot or block marker of the templates, left unfilled. */
export const LEFTOVER = /%%[a-zA-Z][a-zA-Z0-9]*%%|<!--\/?pb:/;
