// The digest email: the MJML template is compiled once per process (mjml.ts); compileDigest fills in
// the digest's own data once; render() fills in one recipient by string assembly — never mjml.
// Structure, for whatever a later email adds around it: paperRenderer (digest-paper.ts) renders one
// paper; groupByTopic orders a recipient's papers; renderEmail assembles the email from the groups
// and the recipient's links (RecipientLinks).
import type { TopicHit } from '../match/index.ts';
import { RenderError } from './errors.ts';
import { oneLine, ownUrl } from './escape.ts';
import { html, joinHtml, trusted, type Html, type Interpolation } from './html.ts';
import { plural } from '../log/plural.ts';
import { formatDay } from './format.ts';
import { compiledTemplate } from './mjml.ts';
import { digestBlocks, type DigestBlocks, type RecipientSlot } from './digest-blocks.ts';
import { TEXT_INDENT, paperRenderer, preparePaper, type PreparedPaper, type RenderedPaper } from './digest-paper.ts';
import { readerLinkBlock, renderReaderLinks, type ReaderLinkBlock } from './reader-links.ts';
import { frequencyPhrase } from './frequency-line.ts';
import { clip, digestSubject } from './subject.ts';
import { cutBlock, fill, fillSome, type Template } from './template.ts';
import { FOOTER_RULE, wrap } from './text.ts';
import { joinAnd, topicLabel } from './topic-label.ts';
import type { DigestView, RecipientLinks, RecipientPaper, RecipientView, RenderedEmail, WebViewLinks, WebViewRecipient } from './types.ts';

/** Where the papers come from, named in every digest. */
const SOURCE = { name: 'Hugging Face Daily Papers', url: 'https://huggingface.co/papers' } as const;

export interface DigestRenderer {
  readonly digestId: number;
  /** One recipient's email (or its web view): their papers grouped by topic, with their topics highlighted. */
  render(recipient: RecipientView | WebViewRecipient): RenderedEmail;
}

interface Item {
  paper: PreparedPaper;
  /** the topics that caught it, best first: the first is its group */
  hits: readonly TopicHit[];
  section?: RecipientPaper['section'];
  like?: string;
}

/** The sections after the topics' groups, in their order, with their headings. */
const SECTIONS = [
  { key: 'not-for-you', heading: 'Probably not for you — like papers you marked not relevant' },
  { key: 'also-like', heading: 'You may also like' },
] as const;

interface Group<T extends { hits: readonly TopicHit[] }> {
  topic: string;
  items: T[];
}

/**
 * Papers grouped by their best topic: groups in the order their first paper comes, papers in the
 * order given inside a group (the digest plan stores a subscriber's papers in their topic order, best
 * first — by match score, or by their reader model's ranking). A paper is in one group only,
 * whatever else caught it.
 */
function groupByTopic<T extends { hits: readonly TopicHit[] }>(items: readonly T[]): Group<T>[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const topic = item.hits[0]?.topic ?? '';
    const list = groups.get(topic);
    if (list) list.push(item);
    else groups.set(topic, [item]);
  }
  return [...groups].map(([topic, items]) => ({ topic, items }));
}

export async function compileDigest(view: DigestView): Promise<DigestRenderer> {
  const footer = cutBlock(await compiledTemplate('digest'), 'digest', 'readerlink', '');
  const readerBlock = readerLinkBlock(footer.block);
  const blocks = digestBlocks(footer.html);
  const homeUrl = ownUrl(view.baseUrl, 'home');
  const dateLong = formatDay(view.snapshotDate, 'long');
  const product = oneLine(view.productName);
  const page = fillSome(blocks.page, {
    title: `${product} — ${dateLong}`,
    homeUrl,
    productName: product,
    dateline: dateLong,
  });
  const year = view.snapshotDate.slice(0, 4);
  const papers = new Map(view.papers.map((p) => [p.paperId, preparePaper(p, homeUrl, year, blocks.paper)]));
  const renderPaper = paperRenderer(blocks.paper);
  const sourceHtml = fill(blocks.paper.action, { href: SOURCE.url, text: SOURCE.name });
  const context: EmailContext = { view, product, page, blocks, sourceHtml, readerBlock, textHeader: `${product} · ${dateLong}` };

  return {
    digestId: view.digestId,
    render(recipient: RecipientView | WebViewRecipient): RenderedEmail {
      const items = recipient.papers.map(({ paperId, hits, section, like }): Item => {
        const paper = papers.get(paperId);
        if (!paper) throw new RenderError('RENDER_UNKNOWN_PAPER', `paper ${paperId} is not in digest ${view.digestId}`);
        return { paper, hits, section, like };
      });
      const rendered = (list: readonly Item[]) => list.map((i) => ({ item: i, rendered: renderPaper(i.paper, i.hits, i.like) }));
      const groups: RenderedGroup[] = groupByTopic(items.filter((i) => !i.section)).map((g) => ({ topic: g.topic, items: rendered(g.items) }));
      const sections = SECTIONS.map((s) => ({ heading: s.heading, items: rendered(items.filter((i) => i.section === s.key)) })).filter(
        (s) => s.items.length > 0,
      );
      return renderEmail(context, groups, sections, recipient.email, recipient);
    },
  };
}

interface EmailContext {
  view: DigestView;
  /** the footer's reader links (view in the browser, archive, feedback): reader-links.ts */
  readerBlock: ReaderLinkBlock;
  product: string;
  page: Template<RecipientSlot>;
  blocks: DigestBlocks;
  sourceHtml: Html;
  textHeader: string;
}

type RenderedItems = Array<{ item: Item; rendered: RenderedPaper }>;
type RenderedGroup = { topic: string; items: RenderedItems };
type RenderedSection = { heading: string; items: RenderedItems };

/** The whole email from its rendered groups and the recipient's links. */
function renderEmail(
  ctx: EmailContext,
  groups: readonly RenderedGroup[],
  sections: readonly RenderedSection[],
  rawEmail: string,
  links: RecipientView | WebViewRecipient,
): RenderedEmail {
  const { view, product, blocks } = ctx;
  const count = [...groups, ...sections].reduce((n, g) => n + g.items.length, 0);
  const labels = groups.map((g) => topicLabel(g.topic)).filter((l) => l !== '');
  const change = footerChangeLinks(blocks, links);
  const heading = count > 0 ? `${plural(count, 'new paper')} for you` : 'No new papers for you';
  // a weekly reader's digest carries the week's earlier papers: it is about the week, not the day
  const weekly = groups.some((g) => g.items.some((i) => i.item.paper.view.carried === true));
  const intro = introParts(labels, weekly ? null : formatDay(view.snapshotDate, 'medium'));
  const email = oneLine(rawEmail);
  const often = links.frequency ? ` You get ${frequencyPhrase(links.frequency)}: change it in your preferences.` : '';
  // the web view only reads: no feedback page, under the papers or in the footer, whatever it is given
  const webView = 'inYourInbox' in links;
  const readerLinks = webView ? links.reader?.filter((l) => !l.perPaper) : links.reader;
  const reader = renderReaderLinks(ctx.readerBlock, readerLinks);
  const feedbackPage = readerLinks?.find((l) => l.perPaper);
  const feedbackBase = feedbackPage ? ownUrl(feedbackPage.url, feedbackPage.label) : null;
  const feedbackLine = feedbackBase ? paperFeedbackLine(blocks.feedback, feedbackBase) : null;

  const papersHtml: Html[] = [];
  const textEntries: string[] = [];
  let n = 0;
  const listed = [
    ...groups.map((g) => ({ heading: groupHeading(topicLabel(g.topic), g.items.length), items: g.items, section: false })),
    ...sections.map((s) => ({ ...s, section: true })),
  ];
  for (const group of listed) {
    const heading = group.heading;
    const items = joinHtml(
      group.items.map(({ item, rendered }) => (feedbackLine ? html`${rendered.html}${feedbackLine(item.paper.view.paperId)}` : rendered.html)),
      blocks.separator,
    );
    papersHtml.push(group.section ? fill(blocks.section, { sectionTitle: heading, items }) : fill(blocks.group, { topic: heading, items }));
    textEntries.push(heading, '-'.repeat(Math.min(heading.length, 78)), '');
    group.items.forEach(({ item, rendered }) => {
      n++;
      // "1.  Title", "10. Title": the number goes in the entry's indent
      const feedback = feedbackBase ? `\n${TEXT_INDENT}More like this, or not relevant? ${paperFeedbackUrl(feedbackBase, item.paper.view.paperId)}` : '';
      textEntries.push(`${`${n}. `.padEnd(TEXT_INDENT.length)}${rendered.text.slice(TEXT_INDENT.length)}${feedback}\n`);
    });
  }
  const titles = listed.flatMap((g) => g.items.map((i) => i.item.paper.titleLine));
  const body = fill(ctx.page, {
    preview: clip(titles.join(' · '), 140),
    heading,
    intro: [intro.before, ctx.sourceHtml, intro.after],
    papers: papersHtml,
    email,
    changeLinks: change.html,
    readerLinks: reader.html,
    frequency: often,
  } satisfies Record<RecipientSlot, Interpolation>);
  const text = [
    ctx.textHeader,
    '',
    wrap(`${heading}. ${intro.before}${SOURCE.name}${intro.after}`),
    '',
    ...textEntries,
    FOOTER_RULE,
    wrap(`Papers from ${SOURCE.name} (${SOURCE.url}), picked for your topics by ${product}.`),
    '',
    wrap(`You get this email because ${email} subscribed to ${product} and these new papers matched your topics.${often}`),
    '',
    ...reader.text,
    ...change.text,
    '',
  ].join('\n');
  return { subject: digestSubject(count, labels, view.snapshotDate), html: body.value, text };
}

/**
 * The digest's feedback page about one paper: with a kind it asks first about that choice (one
 * button), without one it opens at the paper. Opening it never stores anything.
 */
const paperFeedbackUrl = (base: string, paperId: number | string, kind?: 'more_like_this' | 'not_relevant'): string =>
  kind ? `${base}&paper=${paperId}&kind=${kind}` : `${base}&paper=${paperId}#paper-${paperId}`;

/** A recipient's feedback line, filled once: then each paper costs a join around its id. */
function paperFeedbackLine(blocks: DigestBlocks['feedback'], base: string): (paperId: number) => Html {
  const ID = '\u0000'; // never in a URL or the template: where each paper's id goes
  const link = (kind: 'more_like_this' | 'not_relevant', text: string) => fill(blocks.link, { href: paperFeedbackUrl(base, ID, kind), text });
  const parts = fill(blocks.line, { text: html`${link('more_like_this', 'More like this')} &middot; ${link('not_relevant', 'Not relevant')}` }).value.split(ID);
  // the pieces of a filled line around a number: markup still
  return (paperId) => trusted(parts.join(String(Math.trunc(paperId))));
}

/**
 * The footer's line of links that change something: the email's own (preferences, unsubscribe), or
 * in the web view, which only reads, where they are (in the email, in the reader's own inbox) and
 * how to have the preferences link mailed there.
 */
function footerChangeLinks(blocks: DigestBlocks, links: RecipientLinks | WebViewLinks): { html: Html; text: string[] } {
  if ('inYourInbox' in links) {
    const url = ownUrl(links.inYourInbox.preferencesLinkUrl, 'preferences link');
    return {
      html: fill(blocks.inYourInbox, { preferencesLinkUrl: url }),
      text: [
        wrap(
          `This is the web view: it only reads. Your links to manage preferences, unsubscribe and say which papers fit are in the email itself, ` +
            `in your own inbox. Not at hand? Email me my preferences link: ${url}`,
        ),
      ],
    };
  }
  const preferencesUrl = ownUrl(links.preferencesUrl, 'preferences');
  const unsubscribeUrl = ownUrl(links.unsubscribeUrl, 'unsubscribe');
  return {
    html: fill(blocks.changeLinks, { preferencesUrl, unsubscribeUrl }),
    text: [`Manage preferences: ${preferencesUrl}`, `Unsubscribe: ${unsubscribeUrl}`],
  };
}

const groupHeading = (label: string, count: number): string => (label ? `${label} · ${plural(count, 'paper')}` : plural(count, 'paper'));

/**
 * The intro around the source's name: "New on " [Hugging Face Daily Papers] " on Jun 10, 2025, for your
 * topics …", or " this week, for your topics …" (no date) for a weekly reader's digest.
 */
function introParts(labels: readonly string[], date: string | null): { before: string; after: string } {
  const when = date ? ` on ${date}` : ' this week';
  if (labels.length === 0) return { before: 'Nothing new on ', after: `${when} matched your topics.` };
  const named = labels.slice(0, 4);
  const list = labels.length > 4 ? `${named.join(', ')} and ${plural(labels.length - 4, 'more topic')}` : joinAnd(named);
  return { before: 'New on ', after: `${when}, for ${labels.length === 1 ? 'your topic' : 'your topics'} ${list}: best match first.` };
}
