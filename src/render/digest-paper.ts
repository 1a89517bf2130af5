// One paper of a digest: its HTML block (from the template's paper block and its line blocks) and
// its plain-text entry. What does not depend on the recipient (meta line, links) is prepared once
// per digest (preparePaper); the rest comes from the recipient's topic hits (renderPaper).
import { compileTopic, joinAdjacent, rangesIn, splitByRanges, TopicError, type CompiledTopic, type Range, type TopicHit } from '../match/index.ts';
import { likeTopicTarget } from '../relevance/index.ts';
import { httpUrl, oneLine } from './escape.ts';
import { html, joinHtml, trusted, type Html } from './html.ts';
import { compactCount, metaParts } from './format.ts';
import { leadSentences } from './shorten.ts';
import { fill, type Template } from './template.ts';
import { markText, wrap } from './text.ts';
import { topicLabel } from './topic-label.ts';
import type { PaperView } from './types.ts';

const META_SEPARATOR = trusted('&nbsp;· ');
const LINK_SEPARATOR = trusted('&nbsp;&nbsp;·&nbsp; ');

export const PAPER_SLOTS = ['url', 'paperTitle', 'lines'] as const;
export const TEXT_SLOTS = ['text'] as const;
export const ACTION_SLOTS = ['href', 'text'] as const;
/** the blocks of one line or piece each, filled with HTML */
export const LINE_BLOCKS = ['meta', 'reason', 'tldr', 'links', 'hit', 'label'] as const;

type TextBlock = Template<(typeof TEXT_SLOTS)[number]>;

/** The blocks cut out of the compiled digest template's paper block. */
export interface PaperBlocks extends Record<(typeof LINE_BLOCKS)[number], TextBlock> {
  paper: Template<(typeof PAPER_SLOTS)[number]>;
  action: Template<(typeof ACTION_SLOTS)[number]>;
}

/** A link under a paper: Paper · arXiv · PDF · Code (★ 41) · Project, each only when known. */
interface PaperLink {
  label: string;
  url: string;
}

/** What does not depend on the recipient, worked out once per digest. */
export interface PreparedPaper {
  view: PaperView;
  /** the title on one line (the preheader lists them) */
  titleLine: string;
  /** the title's link: http(s), or the digest's base URL when the view's is not */
  url: string;
  /** the meta line's parts, joined (empty when there are none) */
  metaHtml: Html;
  metaText: string;
  links: PaperLink[];
  /** the links' line (empty when there are none) */
  linksHtml: Html;
}

function paperLinks(view: PaperView): PaperLink[] {
  const links: PaperLink[] = [];
  const id = view.arxivId ? encodeURIComponent(view.arxivId).replace(/%2F/g, '/') : null;
  const page = httpUrl(view.url);
  if (id && page) links.push({ label: 'Paper', url: page });
  if (id) links.push({ label: 'arXiv', url: `https://arxiv.org/abs/${id}` }, { label: 'PDF', url: `https://arxiv.org/pdf/${id}` });
  const code = view.githubRepo ? httpUrl(view.githubRepo) : null;
  if (code) links.push({ label: view.githubStars != null ? `Code (★ ${compactCount(view.githubStars)})` : 'Code', url: code });
  const project = view.projectPage ? httpUrl(view.projectPage) : null;
  if (project) links.push({ label: 'Project', url: project });
  return links;
}

export function preparePaper(view: PaperView, fallbackUrl: string, digestYear: string, blocks: PaperBlocks): PreparedPaper {
  const url = httpUrl(view.url) ?? fallbackUrl;
  const meta = metaParts(view, digestYear).map(oneLine);
  const links = paperLinks(view);
  return {
    view,
    titleLine: oneLine(view.title),
    url,
    metaHtml: joinHtml(
      meta.map((part) => html`${part}`),
      META_SEPARATOR,
    ),
    metaText: meta.join(' · '),
    links,
    linksHtml: joinHtml(
      links.map((l) => fill(blocks.action, { href: l.url, text: l.label })),
      LINK_SEPARATOR,
    ),
  };
}

/** Every piece escaped; the highlighted ones wrapped in the template's hit span. */
function highlightHtml(text: string, ranges: readonly Range[], hit: TextBlock): Html {
  return html`${splitByRanges(text, ranges).map((piece) => (piece.hit ? fill(hit, { text: piece.text }) : piece.text))}`;
}

/** A piece of text that is either plain or highlighted: rendered to HTML and to plain text alike. */
type Piece = { text: string; hit: boolean };
const plain = (text: string): Piece => ({ text, hit: false });
const marked = (text: string): Piece => ({ text: oneLine(text), hit: true });

const FIELD = { title: 'Title', abstract: 'Abstract' } as const;

/**
 * Why a topic caught the paper, in one short clause: "Title matches *Scaling Laws*", "Abstract
 * mentions *law scalings*", "Title and abstract mention *scaling*, *laws*" (src/match/README.md).
 */
function reasonPieces(hit: TopicHit, view: Pick<PaperView, 'title' | 'abstract'>): Piece[] {
  if (hit.closest && hit.closeness !== 'scattered') {
    const [from, to] = hit.closest;
    // one line, the same length (the ranges stay put)
    const text = (hit.field === 'title' ? view.title : view.abstract).slice(from, to).replace(/\s/g, ' ');
    // the words between near ones are shown, only the topic's are highlighted
    const ranges = (hit.field === 'title' ? hit.title : hit.abstract).map(([s, e]): Range => [s - from, e - from]);
    const pieces = splitByRanges(text, joinAdjacent(text, ranges));
    if (text) return [plain(`${FIELD[hit.field]} ${hit.closeness === 'phrase' ? 'matches' : 'mentions'} `), ...pieces];
  }
  const words = hit.words.slice(0, 4);
  const where =
    hit.title.length > 0 && hit.abstract.length > 0
      ? 'Title and abstract mention'
      : hit.title.length > 0
        ? 'Title mentions'
        : hit.abstract.length > 0
          ? 'Abstract mentions'
          : 'Caught by';
  if (words.length === 0) return [plain(`${where} your topic ${topicLabel(hit.topic)}`)];
  const pieces: Piece[] = [plain(`${where} `)];
  words.forEach((w, i) => {
    if (i > 0) pieces.push(plain(i === words.length - 1 ? ' and ' : ', '));
    pieces.push(marked(w));
  });
  if (hit.abstract.length > 0 && hit.title.length === 0) pieces.push(plain(' (far apart)'));
  return pieces;
}

/** One topic's reason as text with the ranges to highlight (the live preview builds its marks from these). */
export function reasonText(hit: TopicHit, view: Pick<PaperView, 'title' | 'abstract'>): { text: string; ranges: Range[] } {
  let text = '';
  const ranges: Range[] = [];
  for (const piece of reasonPieces(hit, view)) {
    if (piece.hit) ranges.push([text.length, text.length + piece.text.length]);
    text += piece.text;
  }
  return { text, ranges };
}

/**
 * The reason line: the best topic's clause, then each other topic that caught it, named. A `like:`
 * topic's clause (or a suggestion's, with no topic) names the paper: "Like “<title>”".
 */
function reasonLine(hits: readonly TopicHit[], view: PaperView, like: string | undefined): Piece[] {
  const pieces: Piece[] = [];
  const likeClause = like === undefined ? null : plain(`Like “${oneLine(like)}”`);
  if (hits.length === 0 && likeClause) return [likeClause];
  let liked = false;
  let said = 0;
  for (const hit of hits) {
    const isLike = likeTopicTarget(hit.topic) !== null;
    if (isLike && (liked || !likeClause)) continue;
    const first = said++ === 0;
    if (!first) pieces.push(plain(' · also '));
    if (isLike) {
      liked = true;
      pieces.push(first ? likeClause! : plain(likeClause!.text.charAt(0).toLowerCase() + likeClause!.text.slice(1)));
      continue;
    }
    if (!first) pieces.push(plain(`${topicLabel(hit.topic)}: `));
    const clause = reasonPieces(hit, view);
    if (!first && clause[0]) clause[0] = plain(clause[0].text.charAt(0).toLowerCase() + clause[0].text.slice(1));
    pieces.push(...clause);
  }
  return pieces;
}

const piecesHtml = (pieces: readonly Piece[], hit: TextBlock): Html => html`${pieces.map((p) => (p.hit ? fill(hit, { text: p.text }) : p.text))}`;
const piecesText = (pieces: readonly Piece[]): string => pieces.map((p) => (p.hit ? `*${p.text}*` : p.text)).join('');

/** One paper's block for one recipient: HTML, and plain text indented by TEXT_INDENT for a number to go in front. */
export interface RenderedPaper {
  html: Html;
  text: string;
}

export const TEXT_INDENT = '    ';
const CACHE_LIMIT = 2_000;

/**
 * Renders papers, remembering each (paper, hits) it has seen: recipients with the same topics get the
 * same blocks, so most of a digest's recipients cost a key and a lookup. The key is the hits' content.
 */
export function paperRenderer(blocks: PaperBlocks): (paper: PreparedPaper, hits: readonly TopicHit[], like?: string) => RenderedPaper {
  const cache = new Map<string, RenderedPaper>();
  const topics = new Map<string, CompiledTopic | null>();
  const compiled = (topic: string): CompiledTopic | null => {
    let c = topics.get(topic);
    if (c === undefined) {
      try {
        c = compileTopic(topic);
      } catch (err) {
        if (!(err instanceof TopicError)) throw err;
        c = null;
      }
      topics.set(topic, c);
    }
    return c;
  };
  // the matcher shares hit objects (never changed after matching) between subscribers with the same
  // topic: key each one once
  const hitKeys = new WeakMap<TopicHit, string>();
  const hitKey = (h: TopicHit): string => {
    let key = hitKeys.get(h);
    if (key === undefined) {
      const words = h.words.join('\u0001');
      key = `\u0000${h.topic}\u0001${words}\u0001${h.title.join()}\u0001${h.abstract.join()}\u0001${h.score}${h.closeness}${h.field}${h.closest?.join() ?? ''}`;
      hitKeys.set(h, key);
    }
    return key;
  };
  return (paper, hits, like) => {
    let key = like === undefined ? String(paper.view.paperId) : `${paper.view.paperId}\u0002${like}`;
    for (const h of hits) key += hitKey(h);
    let done = cache.get(key);
    if (!done) {
      done = renderPaper(blocks, paper, hits, compiled, like);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(key, done);
    }
    return done;
  };
}

/** The TL;DR: the API's, highlighted where the topics' words occur, else the abstract's first sentences. */
function tldrOf(
  paper: PreparedPaper,
  hits: readonly TopicHit[],
  compiled: (topic: string) => CompiledTopic | null,
): { label: string | null; text: string; ranges: Range[] } {
  const summary = paper.view.aiSummary?.trim();
  if (summary) {
    const ranges = hits.flatMap((h) => {
      const topic = compiled(h.topic);
      return topic ? rangesIn(topic, summary) : [];
    });
    return { label: 'TL;DR', text: summary, ranges: joinAdjacent(summary, ranges) };
  }
  const lead = leadSentences(
    paper.view.abstract,
    hits.flatMap((h) => h.abstract),
  );
  return { label: null, text: lead.text, ranges: joinAdjacent(lead.text, lead.ranges) };
}

function renderPaper(
  blocks: PaperBlocks,
  paper: PreparedPaper,
  hits: readonly TopicHit[],
  compiled: (topic: string) => CompiledTopic | null = () => null,
  like?: string,
): RenderedPaper {
  const title = joinAdjacent(
    paper.view.title,
    hits.flatMap((h) => h.title),
  );
  const reason = hits.length > 0 || like !== undefined ? reasonLine(hits, paper.view, like) : [];
  // a `like:` line has no words to highlight
  const tldr = tldrOf(
    paper,
    hits.filter((h) => likeTopicTarget(h.topic) === null),
    compiled,
  );
  const lines: Html[] = [];
  if (paper.metaHtml.value) lines.push(fill(blocks.meta, { text: paper.metaHtml }));
  if (reason.length > 0) lines.push(fill(blocks.reason, { text: piecesHtml(reason, blocks.hit) }));
  if (tldr.text) {
    const label = tldr.label ? html`${fill(blocks.label, { text: tldr.label })}&nbsp; ` : null;
    lines.push(fill(blocks.tldr, { text: [label, highlightHtml(tldr.text, tldr.ranges, blocks.hit)] }));
  }
  if (paper.linksHtml.value) lines.push(fill(blocks.links, { text: paper.linksHtml }));
  const block = fill(blocks.paper, { url: paper.url, paperTitle: highlightHtml(paper.view.title, title, blocks.hit), lines });

  const text = [wrap(markText(paper.view.title, title), TEXT_INDENT), TEXT_INDENT + paper.url];
  if (paper.metaText) text.push(wrap(paper.metaText, TEXT_INDENT));
  if (reason.length > 0) text.push(wrap(piecesText(reason), TEXT_INDENT));
  if (tldr.text) text.push('', wrap(`${tldr.label ? `${tldr.label}: ` : ''}${markText(tldr.text, tldr.ranges)}`, TEXT_INDENT));
  const links = paper.links.filter((l) => l.label !== 'Paper');
  if (links.length > 0) text.push('', ...links.map((l) => wrap(`${l.label}: ${l.url}`, TEXT_INDENT)));
  return { html: block, text: text.join('\n') };
}
