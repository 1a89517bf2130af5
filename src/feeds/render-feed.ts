// Atom and JSON Feed documents, by the `feed` library: ids that never change (a tag: URI per paper),
// a rel="self" link, `updated` from the content (never the clock, so the same content is the same
// bytes and the same ETag). The abstract goes in as escaped text, the topic as a category.
import { Feed } from 'feed';
import { escapeHtml } from '../render/escape.ts';
import type { FeedPaper } from './feed-items.ts';

export interface FeedDocument {
  /** the feed's own id (a tag: URI), stable for its URL's lifetime */
  id: string;
  title: string;
  description: string;
  /** the page a reader goes to (the archive, the subscribe page) */
  homeUrl: string;
  /** this feed's own URLs, as given to feed readers */
  atomUrl: string;
  jsonUrl?: string;
  /** the newest of its entries' dates, or of the reader's last change */
  updated: Date;
  papers: readonly FeedPaper[];
  /** the host of BASE_URL: names the tag: ids */
  host: string;
}

/** "tag:papers.example.org,2026:paper/42": a paper's id in every feed, for good. */
export const paperTag = (host: string, paperId: number): string => `tag:${host},2026:paper/${paperId}`;

/** CDATA cannot hold "]]>": the library writes titles and summaries as CDATA. */
const cdataSafe = (text: string): string => text.replaceAll(']]>', ']]&gt;');

/** Atom's title and summary are type="html" (escaped here); JSON Feed's title is plain text, its content HTML. */
function build(doc: FeedDocument, format: 'atom' | 'json'): Feed {
  const htmlTitle = format === 'atom';
  const feed = new Feed({
    id: doc.id,
    title: doc.title,
    description: doc.description,
    link: doc.homeUrl,
    updated: doc.updated,
    generator: 'paperboy',
    feedLinks: { atom: doc.atomUrl, ...(doc.jsonUrl ? { json: doc.jsonUrl } : {}) },
    language: 'en',
  });
  for (const p of doc.papers) {
    feed.addItem({
      id: paperTag(doc.host, p.paperId),
      title: htmlTitle ? cdataSafe(escapeHtml(p.title)) : p.title,
      link: p.url,
      date: p.date,
      published: p.date,
      description: cdataSafe(escapeHtml(p.abstract)),
      category: p.topics.map((t) => ({ name: t, term: t })),
    });
  }
  return feed;
}

export function atomFeed(doc: FeedDocument): string {
  return build(doc, 'atom').atom1();
}

export function jsonFeed(doc: FeedDocument): string {
  return build(doc, 'json').json1();
}
