// The reader's own links in a digest's footer — view in the browser, the archive, feedback, the feed —
// kept apart from the paper markup: the renderer receives them as a small list (RecipientView.reader)
// and fills the template's `readerlink` block once per link. A recipient without them gets an empty line.
import { oneLine, ownUrl } from './escape.ts';
import { joinHtml, trusted, type Html } from './html.ts';
import { fill, parseTemplate, type Template } from './template.ts';

/** One link of the footer, e.g. { label: 'View in your browser', url: 'https://…/archive/12?token=…' }. */
export interface ReaderLink {
  label: string;
  url: string;
  /** the digest's feedback page: also linked under each paper ("More like this · Not relevant", `&paper=…&kind=…`) */
  perPaper?: boolean;
}

const FOOTER_SEPARATOR = trusted('&nbsp;·&nbsp; ');

const READER_LINK_SLOTS = ['readerUrl', 'readerLabel'] as const;

export type ReaderLinkBlock = Template<(typeof READER_LINK_SLOTS)[number]>;

export function readerLinkBlock(block: string): ReaderLinkBlock {
  return parseTemplate(block, 'digest', READER_LINK_SLOTS);
}

/** The footer's links (HTML, joined like the other footer links) and their plain-text lines. */
export function renderReaderLinks(block: ReaderLinkBlock, links: readonly ReaderLink[] | undefined): { html: Html; text: string[] } {
  const checked = (links ?? []).map((l) => ({ label: oneLine(l.label), url: ownUrl(l.url, l.label) }));
  return {
    html: joinHtml(
      checked.map((l) => fill(block, { readerUrl: l.url, readerLabel: l.label })),
      FOOTER_SEPARATOR,
    ),
    text: checked.map((l) => `${l.label}: ${l.url}`),
  };
}
