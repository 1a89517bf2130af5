// Atom and JSON Feed documents, by the `feed` library: ids that never change (a tag: URI per paper),
// a rel="self" link, the service as the feed's author (RFC 4287 wants one), `updated` from the content (never the clock, so the same content is the same
// bytes and the same ETag). The abstract goes in as escaped text, the topic as a category.
//
// Well-formed whatever the text holds: the library (6.0, through xml-js) escapes "&" and '"' in an
// attribute but never "<", so a topic such as `scaling <b>&'laws]]>` made the reader's Atom feed
// unreadable to any XML parser. Its categories therefore go in as placeholders that are replaced,
// escaped here, in the finished document; and every text loses what XML 1.0 forbids even escaped
// (control characters, lone surrogates, U+FFFE/U+FFFF). Topics are shown as everywhere (oneLine:
// no bidi override or zero-width character).
import { Feed } from 'feed';
import { escapeHtml, oneLine } from '../render/escape.ts';
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

/** What XML 1.0 allows in a document at all (its Char production): anything else is taken out. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const xmlText = (text: string): string => text.replace(NOT_XML, '');

/** An attribute value between double quotes. */
const xmlAttribute = (text: string): string => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** "\uFFFF<n>\uFFFF": a category's place in the Atom document (U+FFFF is never in any text: xmlText). */
const placeholder = (n: number) => `\uFFFF${n}\uFFFF`;
const PLACEHOLDER = /\uFFFF(\d+)\uFFFF/g;

/**
 * Atom's title and summary are type="html" (escaped here); JSON Feed's title is plain text, its
 * content HTML. `category` names each category: the topic itself (JSON), or its placeholder (Atom).
 */
function build(doc: FeedDocument, format: 'atom' | 'json', category: (topic: string) => string): Feed {
  const htmlTitle = format === 'atom';
  const feed = new Feed({
    id: doc.id,
    title: xmlText(doc.title),
    description: xmlText(doc.description),
    link: doc.homeUrl,
    updated: doc.updated,
    generator: 'paperboy',
    feedLinks: { atom: doc.atomUrl, ...(doc.jsonUrl ? { json: doc.jsonUrl } : {}) },
    language: 'en',
    // RFC 4287 §4.1.1: a feed whose entries have no author has one itself — the service, at its home page
    author: { name: 'paperboy', link: doc.homeUrl },
  });
  for (const p of doc.papers) {
    feed.addItem({
      id: paperTag(doc.host, p.paperId),
      title: htmlTitle ? cdataSafe(escapeHtml(xmlText(p.title))) : p.title,
      link: p.url,
      date: p.date,
      published: p.date,
      description: cdataSafe(escapeHtml(xmlText(p.abstract))),
      category: p.topics.map((t) => {
        const name = category(shownTopic(t));
        return { name, term: name };
      }),
    });
  }
  return feed;
}

/** A topic as a feed shows it: on one line, nothing hidden, nothing XML forbids. */
const shownTopic = (topic: string): string => oneLine(xmlText(topic));

export function atomFeed(doc: FeedDocument): string {
  const categories: string[] = [];
  const xml = build(doc, 'atom', (topic) => placeholder(categories.push(topic) - 1)).atom1();
  return xml.replace(PLACEHOLDER, (_, n: string) => xmlAttribute(categories[Number(n)]!));
}

export function jsonFeed(doc: FeedDocument): string {
  return build(doc, 'json', (topic) => topic).json1();
}
