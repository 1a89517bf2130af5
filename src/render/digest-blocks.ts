// The compiled digest template cut into its page and the blocks it repeats (a group, a paper, a
// feedback line, the footer's links…), each checked to hold every slot digest.ts fills in.
import { ACTION_SLOTS, LINE_BLOCKS, PAPER_SLOTS, TEXT_SLOTS, type PaperBlocks } from './digest-paper.ts';
import type { Html } from './html.ts';
import { cutBlock, fill, parseTemplate, type Template } from './template.ts';

const DIGEST_SLOTS = ['title', 'homeUrl', 'productName', 'dateline'] as const;
const RECIPIENT_SLOTS = ['preview', 'heading', 'intro', 'papers', 'email', 'changeLinks', 'readerLinks', 'frequency'] as const;
export type RecipientSlot = (typeof RECIPIENT_SLOTS)[number];

export interface DigestBlocks {
  page: Template<(typeof DIGEST_SLOTS)[number] | RecipientSlot>;
  group: Template<'topic' | 'items'>;
  section: Template<'sectionTitle' | 'items'>;
  separator: Html;
  /** under each paper, when the recipient has a feedback page: "More like this · Not relevant" */
  feedback: { line: Template<'text'>; link: Template<'href' | 'text'> };
  /** the footer's links that change something (the email), or where they are (the web view) */
  changeLinks: Template<'preferencesUrl' | 'unsubscribeUrl'>;
  inYourInbox: Template<'preferencesLinkUrl'>;
  paper: PaperBlocks;
}

/** Cuts the compiled template into the page and its repeated blocks, checking every slot is there. */
export function digestBlocks(html: string): DigestBlocks {
  let rest = html;
  const take = (name: string, replacement = ''): string => {
    const cut = cutBlock(rest, 'digest', name, replacement);
    rest = cut.html;
    return cut.block;
  };
  const lines = Object.fromEntries(LINE_BLOCKS.map((name) => [name, parseTemplate(take(name), 'digest', TEXT_SLOTS)])) as Record<
    (typeof LINE_BLOCKS)[number],
    Template<'text'>
  >;
  const action = parseTemplate(take('action'), 'digest', ACTION_SLOTS);
  const feedback = { line: parseTemplate(take('feedback'), 'digest', TEXT_SLOTS), link: parseTemplate(take('feedbacklink'), 'digest', ACTION_SLOTS) };
  const changeLinks = parseTemplate(take('changelinks'), 'digest', ['preferencesUrl', 'unsubscribeUrl'] as const);
  const inYourInbox = parseTemplate(take('inyourinbox'), 'digest', ['preferencesLinkUrl'] as const);
  const separator = fill(parseTemplate(take('separator'), 'digest', []), {});
  const paper = parseTemplate(take('paper'), 'digest', PAPER_SLOTS);
  const section = parseTemplate(take('section'), 'digest', ['sectionTitle', 'items'] as const);
  const group = parseTemplate(take('group', '%%papers%%'), 'digest', ['topic', 'items'] as const);
  return {
    page: parseTemplate(rest, 'digest', [...DIGEST_SLOTS, ...RECIPIENT_SLOTS]),
    group,
    section,
    separator,
    feedback,
    changeLinks,
    inYourInbox,
    paper: { paper, action, ...lines },
  };
}
