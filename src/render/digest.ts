// The digest email: the MJML template is compiled once per process (mjml.ts); compileDigest fills in
// the digest's own data once; render() fills in one recipient by string assembly — never mjml.
import type { TopicHit } from '../match/index.ts';
import { RenderError } from './errors.ts';
import { escapeHtml, oneLine, ownUrl } from './escape.ts';
import { formatDay, plural } from './format.ts';
import { compiledTemplate } from './mjml.ts';
import {
  HIT_SLOTS, MATCH_SLOTS, PAPER_SLOTS, TEXT_INDENT, paperRenderer, preparePaper,
  type PaperBlocks, type PreparedPaper,
} from './digest-paper.ts';
import { readerLinkBlock, renderReaderLinks } from './reader-links.ts';
import { clip, digestSubject } from './subject.ts';
import { cutBlock, fill, fillSome, parseTemplate, type Template } from './template.ts';
import { FOOTER_RULE, wrap } from './text.ts';
import type { DigestView, RecipientView, RenderedEmail } from './types.ts';

const DIGEST_SLOTS = ['title', 'homeUrl', 'productName', 'dateline'] as const;
const RECIPIENT_SLOTS = ['preview', 'heading', 'intro', 'papers', 'email', 'preferencesUrl', 'unsubscribeUrl', 'readerLinks'] as const;
type RecipientSlot = (typeof RECIPIENT_SLOTS)[number];

export interface DigestRenderer {
  readonly digestId: number;
  /** One recipient's email: their papers, in the order given, with their topics highlighted. */
  render(recipient: RecipientView): RenderedEmail;
}

interface Item {
  paper: PreparedPaper;
  hits: readonly TopicHit[];
}

export async function compileDigest(view: DigestView): Promise<DigestRenderer> {
  const footer = cutBlock(await compiledTemplate('digest'), 'digest', 'readerlink', '');
  const readerBlock = readerLinkBlock(footer.block);
  const { page, separator, blocks } = digestBlocks(footer.html);
  const homeUrl = ownUrl(view.baseUrl, 'home');
  const dateLong = formatDay(view.snapshotDate, 'long');
  const product = oneLine(view.productName);
  const filled = fillSome(page, {
    title: escapeHtml(`${product} — ${dateLong}`),
    homeUrl: escapeHtml(homeUrl),
    productName: escapeHtml(product),
    dateline: escapeHtml(dateLong),
  });
  const papers = new Map(view.papers.map((p) => [p.paperId, preparePaper(p, homeUrl)]));
  const textHeader = `${product} · ${dateLong}`;
  const renderPaper = paperRenderer(blocks);

  return {
    digestId: view.digestId,
    render(recipient: RecipientView): RenderedEmail {
      const items = recipient.papers.map(({ paperId, hits }): Item => {
        const paper = papers.get(paperId);
        if (!paper) throw new RenderError('RENDER_UNKNOWN_PAPER', `paper ${paperId} is not in digest ${view.digestId}`);
        return { paper, hits };
      });
      const rendered = items.map((i) => renderPaper(i.paper, i.hits));
      const topics = topicsOf(items);
      const preferencesUrl = ownUrl(recipient.preferencesUrl, 'preferences');
      const unsubscribeUrl = ownUrl(recipient.unsubscribeUrl, 'unsubscribe');
      const heading = items.length > 0 ? `${plural(items.length, 'new paper')} for you` : 'No new papers for you';
      const intro = introText(topics, formatDay(view.snapshotDate, 'medium'));
      const email = oneLine(recipient.email);
      const reader = renderReaderLinks(readerBlock, recipient.reader);
      const html = fill(filled, {
        preview: escapeHtml(clip(items.map((i) => oneLine(i.paper.view.title)).join(' · '), 140)),
        heading: escapeHtml(heading),
        intro: escapeHtml(intro),
        papers: rendered.map((p, n) => (n > 0 ? separator : '') + p.html).join(''),
        email: escapeHtml(email),
        preferencesUrl: escapeHtml(preferencesUrl),
        unsubscribeUrl: escapeHtml(unsubscribeUrl),
        readerLinks: reader.html,
      } satisfies Record<RecipientSlot, string>);
      const text = [
        textHeader,
        '',
        wrap(`${heading}. ${intro}`),
        '',
        // "1.  Title", "10. Title": the number goes in the entry's indent
        ...rendered.map((p, n) => `${`${n + 1}. `.padEnd(TEXT_INDENT.length)}${p.text.slice(TEXT_INDENT.length)}\n`),
        FOOTER_RULE,
        wrap(`You get this email because ${email} subscribed to the ${product} daily digest and these new papers matched your topics.`),
        '',
        ...reader.text,
        `Manage preferences: ${preferencesUrl}`,
        `Unsubscribe: ${unsubscribeUrl}`,
        '',
      ].join('\n');
      return { subject: digestSubject(items.length, topics, view.snapshotDate), html, text };
    },
  };
}

/** The distinct topics that caught the recipient's papers, best paper's best topic first. */
function topicsOf(items: readonly Item[]): string[] {
  const topics = new Set<string>();
  for (const { hits } of items) for (const h of hits) topics.add(oneLine(h.topic));
  return [...topics];
}

function introText(topics: readonly string[], date: string): string {
  if (topics.length === 0) return `Nothing new on the trending list of ${date} matched your topics.`;
  const quoted = topics.slice(0, 4).map((t) => `“${t}”`);
  const list = topics.length > 4 ? `${quoted.join(', ')} and ${topics.length - 4} more` : joinAnd(quoted);
  return `New on the trending list of ${date} and matching ${topics.length === 1 ? 'your topic' : 'your topics'} ${list}.`;
}

const joinAnd = (xs: readonly string[]): string =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`;

/** Cuts the compiled template into the page and its repeated blocks, checking every slot is there. */
function digestBlocks(html: string): { page: Template<(typeof DIGEST_SLOTS)[number] | RecipientSlot>; separator: string; blocks: PaperBlocks } {
  const hit = cutBlock(html, 'digest', 'hit');
  const match = cutBlock(hit.html, 'digest', 'match', '%%matches%%');
  const separator = cutBlock(match.html, 'digest', 'separator');
  const paper = cutBlock(separator.html, 'digest', 'paper', '%%papers%%');
  return {
    page: parseTemplate(paper.html, 'digest', [...DIGEST_SLOTS, ...RECIPIENT_SLOTS]),
    separator: fill(parseTemplate(separator.block, 'digest', []), {}),
    blocks: {
      paper: parseTemplate(paper.block, 'digest', PAPER_SLOTS),
      match: parseTemplate(match.block, 'digest', MATCH_SLOTS),
      hit: parseTemplate(hit.block, 'digest', HIT_SLOTS),
    },
  };
}

