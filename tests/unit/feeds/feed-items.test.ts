// The feeds' entries from frozen digests: newest digest first, a paper once (in the newest digest that
// carried it, dated by it), what `pick` chose with its topics, at most `limit`.
import { describe, expect, it } from 'vitest';
import type { FrozenPaper } from '../../../src/db/digest-papers.ts';
import { feedPapers } from '../../../src/feeds/feed-items.ts';
import { atomFeed, jsonFeed, paperTag } from '../../../src/feeds/render-feed.ts';

const paper = (id: number, title = `Paper ${id}`): FrozenPaper => ({
  id, arxivId: `2606.${String(id).padStart(5, '0')}`, title, abstract: `About ${title}.`, authorCount: 1, authors: [], organization: null, publishedOn: null, upvotes: null,
});
const day = (d: number) => new Date(Date.UTC(2026, 5, d, 8));

describe('feed entries', () => {
  const digests = [
    { digestId: 3, createdAt: day(12), papers: [paper(5), paper(2)] },
    { digestId: 2, createdAt: day(11), papers: [paper(2), paper(3)] },
    { digestId: 1, createdAt: day(10), papers: [paper(1)] },
  ];
  const url = (p: FrozenPaper) => `https://huggingface.co/papers/${p.arxivId}`;

  it('newest first, each paper once and dated by the newest digest that carried it', () => {
    const all = feedPapers(digests, (d) => d.papers.map((p) => ({ paper: p, topics: [] })), url, 100);
    expect(all.map((p) => [p.paperId, p.date.getUTCDate()])).toEqual([[5, 12], [2, 12], [3, 11], [1, 10]]);
  });

  it('only what pick chose, with its topics; at most limit', () => {
    const picked = feedPapers(digests, (d) => d.papers.filter((p) => p.id !== 5).map((p) => ({ paper: p, topics: ['t'] })), url, 2);
    expect(picked.map((p) => [p.paperId, p.topics])).toEqual([[2, ['t']], [3, ['t']]]);
  });

  it('renders the same bytes for the same content (no clock inside), with stable tag ids', () => {
    const papers = feedPapers(digests, (d) => d.papers.map((p) => ({ paper: p, topics: ['x'] })), url, 100);
    const doc = { id: 'tag:h,2026:new-papers', title: 'T', description: 'D', homeUrl: 'https://h/', atomUrl: 'https://h/f.atom', jsonUrl: 'https://h/f.json', updated: day(12), papers, host: 'h' };
    const atom = atomFeed(doc);
    expect(atomFeed(doc)).toBe(atom);
    expect(jsonFeed(doc)).toBe(jsonFeed(doc));
    expect(atom).toContain(`<id>${paperTag('h', 5)}</id>`);
    expect(atom).toContain('<link rel="self" href="https://h/f.atom"/>');
    expect(atom).toContain('<updated>2026-06-12T08:00:00.000Z</updated>');
  });
});
