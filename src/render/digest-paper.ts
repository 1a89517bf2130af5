// One paper of a digest for one recipient: its HTML block (from the template's paper block) and its
// plain-text entry. Highlights come from the recipient's topic hits.
import { joinAdjacent, splitByRanges, type Range, type TopicHit } from '../match/index.ts';
import { escapeHtml, httpUrl, oneLine } from './escape.ts';
import { metaParts } from './format.ts';
import { shortenAround } from './shorten.ts';
import { fill, type Template } from './template.ts';
import { markText, wrap } from './text.ts';
import type { PaperView } from './types.ts';

export const PAPER_SLOTS = ['url', 'paperTitle', 'meta', 'abstract', 'matches'] as const;
export const MATCH_SLOTS = ['topic', 'words'] as const;
export const HIT_SLOTS = ['text'] as const;

/** The blocks cut out of the compiled digest template. */
export interface PaperBlocks {
  paper: Template<(typeof PAPER_SLOTS)[number]>;
  match: Template<(typeof MATCH_SLOTS)[number]>;
  hit: Template<(typeof HIT_SLOTS)[number]>;
}

/** What does not depend on the recipient, worked out once per digest. */
export interface PreparedPaper {
  view: PaperView;
  /** http(s), or the digest's base URL when the view's is not */
  url: string;
  hrefHtml: string;
  metaHtml: string;
  metaText: string;
}

export function preparePaper(view: PaperView, fallbackUrl: string): PreparedPaper {
  const url = httpUrl(view.url) ?? fallbackUrl;
  const meta = metaParts(view).map(oneLine);
  return {
    view,
    url,
    hrefHtml: escapeHtml(url),
    metaHtml: meta.map(escapeHtml).join('&nbsp;&nbsp;·&nbsp; '),
    metaText: meta.join(' · '),
  };
}

/** Every piece escaped; the highlighted ones wrapped in the template's mark. */
export function highlightHtml(text: string, ranges: readonly Range[], hit: PaperBlocks['hit']): string {
  let out = '';
  for (const piece of splitByRanges(text, ranges)) {
    out += piece.hit ? fill(hit, { text: escapeHtml(piece.text) }) : escapeHtml(piece.text);
  }
  return out;
}

const titleRanges = (paper: PreparedPaper, hits: readonly TopicHit[]): Range[] =>
  joinAdjacent(paper.view.title, hits.flatMap((h) => h.title));
function abstractOf(paper: PreparedPaper, hits: readonly TopicHit[]): { text: string; ranges: Range[] } {
  const short = shortenAround(paper.view.abstract, hits.flatMap((h) => h.abstract));
  return { text: short.text, ranges: joinAdjacent(short.text, short.ranges) };
}

/** One paper's block for one recipient: HTML, and plain text indented by TEXT_INDENT for a number to go in front. */
export interface RenderedPaper {
  html: string;
  text: string;
}

export const TEXT_INDENT = '    ';
const CACHE_LIMIT = 2_000;

/**
 * Renders papers, remembering each (paper, hits) it has seen: recipients with the same topics get the
 * same blocks, so most of a digest's recipients cost a key and a lookup. The key is the hits' content.
 */
export function paperRenderer(blocks: PaperBlocks): (paper: PreparedPaper, hits: readonly TopicHit[]) => RenderedPaper {
  const cache = new Map<string, RenderedPaper>();
  // the matcher shares hit objects (never changed after matching) between subscribers with the same
  // topic: key each one once
  const hitKeys = new WeakMap<TopicHit, string>();
  const hitKey = (h: TopicHit): string => {
    let key = hitKeys.get(h);
    if (key === undefined) {
      key = `\u0000${h.topic}\u0001${h.words.join('\u0001')}\u0001${h.title.join()}\u0001${h.abstract.join()}`;
      hitKeys.set(h, key);
    }
    return key;
  };
  return (paper, hits) => {
    let key = String(paper.view.paperId);
    for (const h of hits) key += hitKey(h);
    let done = cache.get(key);
    if (!done) {
      done = renderPaper(blocks, paper, hits);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(key, done);
    }
    return done;
  };
}

export function renderPaper(blocks: PaperBlocks, paper: PreparedPaper, hits: readonly TopicHit[]): RenderedPaper {
  const title = titleRanges(paper, hits);
  const abstract = abstractOf(paper, hits);
  let matches = '';
  const matchLines: string[] = [];
  for (const h of hits) {
    const words = h.words.map((w) => fill(blocks.hit, { text: escapeHtml(w) })).join(', ');
    matches += fill(blocks.match, { topic: escapeHtml(h.topic), words });
    matchLines.push(wrap(`Matched "${h.topic}": ${h.words.map((w) => `*${w}*`).join(', ')}`, TEXT_INDENT));
  }
  const html = fill(blocks.paper, {
    url: paper.hrefHtml,
    paperTitle: highlightHtml(paper.view.title, title, blocks.hit),
    meta: paper.metaHtml,
    abstract: highlightHtml(abstract.text, abstract.ranges, blocks.hit),
    matches,
  });
  const lines = [wrap(markText(paper.view.title, title), TEXT_INDENT), TEXT_INDENT + paper.url];
  if (paper.metaText) lines.push(wrap(paper.metaText, TEXT_INDENT));
  if (abstract.text) lines.push('', wrap(markText(abstract.text, abstract.ranges), TEXT_INDENT));
  lines.push('', ...matchLines);
  return { html, text: lines.join('\n') };
}
