// The feeds' entries from frozen digests: newest digest first, a paper once (in the newest digest that
// carried it, dated by it), what `pick` chose with its topics, at most `limit`.
import { describe, expect, it } from 'vitest';
import type { FrozenPaper } from '../../../src/db/digest-papers.ts';
import { feedPapers } from '../../../src/feeds/feed-items.ts';
import { atomFeed, jsonFeed, paperTag } from '../../../src/feeds/render-feed.ts';
import { assertWellFormedXml, parseFeed } from '../../support/feeds.ts';

const paper = (id: number, title = `Paper ${id}`): FrozenPaper => ({
  id,
  arxivId: `2606.${String(id).padStart(5, '0')}`,
  title,
  abstract: `About ${title}.`,
  authorCount: 1,
  authors: [],
  organization: null,
  publishedOn: null,
  upvotes: null,
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
    expect(all.map((p) => [p.paperId, p.date.getUTCDate()])).toEqual([
      [5, 12],
      [2, 12],
      [3, 11],
      [1, 10],
    ]);
  });

  it('only what pick chose, with its topics; at most limit', () => {
    const picked = feedPapers(digests, (d) => d.papers.filter((p) => p.id !== 5).map((p) => ({ paper: p, topics: ['t'] })), url, 2);
    expect(picked.map((p) => [p.paperId, p.topics])).toEqual([
      [2, ['t']],
      [3, ['t']],
    ]);
  });

  it('renders the same bytes for the same content (no clock inside), with stable tag ids', () => {
    const papers = feedPapers(digests, (d) => d.papers.map((p) => ({ paper: p, topics: ['x'] })), url, 100);
    const doc = {
      id: 'tag:h,2026:new-papers',
      title: 'T',
      description: 'D',
      homeUrl: 'https://h/',
      atomUrl: 'https://h/f.atom',
      jsonUrl: 'https://h/f.json',
      updated: day(12),
      papers,
      host: 'h',
    };
    const atom = atomFeed(doc);
    expect(atomFeed(doc)).toBe(atom);
    expect(jsonFeed(doc)).toBe(jsonFeed(doc));
    expect(atom).toContain(`<id>${paperTag('h', 5)}</id>`);
    expect(atom).toContain('<link rel="self" href="https://h/f.atom"/>');
    expect(atom).toContain('<updated>2026-06-12T08:00:00.000Z</updated>');
    // RFC 4287 §4.1.1: entries without an author need the feed's own, once, before the first entry
    const head = atom.slice(0, atom.indexOf('<entry>'));
    expect(head.match(/<author>\s*<name>paperboy<\/name>\s*<uri>https:\/\/h\/<\/uri>\s*<\/author>/g)).toHaveLength(1);
  });

  // A topic is whatever a reader typed (or typed before topics were cleaned on the way in): the
  // `feed` library leaves "<" unescaped in a category's attributes, which broke the reader's feed.
  it('is well-formed XML whatever a topic or a title holds, and says what they say', () => {
    const topics = [`scaling <b>&'laws]]>`, 'a "quoted" \u0007bell', 'scaling \u202Egnp.exe\u202C laws', 'lone \uD800 surrogate \uFFFF'];
    const hostile = paper(7, 'Title <i>&amp; "q"</i> ]]>\u0001\uFFFE end');
    const papers = feedPapers([{ digestId: 1, createdAt: day(12), papers: [hostile] }], (d) => d.papers.map((p) => ({ paper: p, topics })), url, 10);
    const doc = {
      id: 'tag:h,2026:reader/1',
      title: 'T <&>',
      description: `Topics: ${topics.join(', ')}`,
      homeUrl: 'https://h/',
      atomUrl: 'https://h/f.atom',
      jsonUrl: 'https://h/f.json',
      updated: day(12),
      papers,
      host: 'h',
    };
    const atom = atomFeed(doc);
    expect(() => assertWellFormedXml(atom)).not.toThrow();
    const shown = [`scaling <b>&'laws]]>`, 'a "quoted" bell', 'scaling gnp.exe laws', 'lone surrogate'];
    const feed = parseFeed(atom);
    expect(feed.items[0]!.categories.map((c) => c.term)).toEqual(shown);
    expect(feed.items[0]!.categories.map((c) => c.label)).toEqual(shown);
    expect(feed.items[0]!.title).toBe('Title <i>&amp; "q"</i> ]]> end');
    expect(feed.title).toBe('T <&>');
    const json = JSON.parse(jsonFeed(doc)) as { items: Array<{ tags: string[] }> };
    expect(json.items[0]!.tags).toEqual(shown);
  });

  it('a strict parser refuses what the lenient feed parser takes: the check is real', () => {
    const broken = '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><category label="a <b>" term="x"/></entry></feed>';
    expect(() => assertWellFormedXml(broken)).toThrow(/not well-formed XML/);
    expect(() => assertWellFormedXml('<a>bell \u0007</a>')).toThrow(/not well-formed XML/);
  });
});
