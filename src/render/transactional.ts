// The one-off emails: confirmation (double opt-in), preferences changed, preferences link. Each
// template is compiled once per process (mjml.ts) and filled with the view; the topic block repeats.
import { oneLine, ownUrl } from './escape.ts';
import type { Interpolation } from './html.ts';
import { formatDay, formatUtc } from './format.ts';
import { frequencyPhrase, frequencySentence } from './frequency-line.ts';
import { compiledTemplate, type TemplateName } from './mjml.ts';
import { cutBlock, fill, parseTemplate } from './template.ts';
import { FOOTER_RULE, wrap } from './text.ts';
import type { ConfirmationView, PreferencesChangedView, PreferencesLinkView, RenderedEmail } from './types.ts';

/** Slots every transactional template has. */
const COMMON = ['title', 'preview', 'homeUrl', 'productName', 'dateline', 'email', 'topics'] as const;
type Common = (typeof COMMON)[number];

interface Base {
  productName: string;
  baseUrl: string;
  email: string;
  topics: string[];
}

export async function renderConfirmation(view: ConfirmationView): Promise<RenderedEmail> {
  const product = oneLine(view.productName);
  const confirmUrl = ownUrl(view.confirmUrl, 'confirm');
  const expires = formatUtc(view.expiresAt);
  const subject = `Confirm your ${product} subscription`;
  const often = `Once confirmed: ${frequencyPhrase(view)} (change it any time from the link in every email).`;
  const html = await render(
    'confirmation',
    ['confirmUrl', 'confirmUrlText', 'expires', 'frequency'],
    view,
    {
      title: subject,
      preview: `One click to start getting new papers from Hugging Face Daily Papers on your topics. The link works until ${expires}.`,
      dateline: 'Subscription',
    },
    {
      confirmUrl,
      confirmUrlText: confirmUrl,
      expires,
      frequency: often,
    },
  );
  const text = [
    product,
    '',
    'Confirm your subscription',
    '',
    wrap(
      `Someone — hopefully you — asked for ${product}'s digest of new papers from Hugging Face Daily Papers (https://huggingface.co/papers) at ${oneLine(view.email)}, on these topics:`,
    ),
    '',
    topicLines(view.topics),
    '',
    wrap(often),
    '',
    'Nothing is sent until you confirm. Confirm your subscription:',
    confirmUrl,
    '',
    wrap(`This link works until ${expires}.`),
    '',
    wrap("If this wasn't you, ignore this email — nothing happens. Without a confirmation the address gets no digest, and we won't write again."),
    '',
  ].join('\n');
  return { subject, html, text };
}

export async function renderPreferencesChanged(view: PreferencesChangedView): Promise<RenderedEmail> {
  const product = oneLine(view.productName);
  const preferencesUrl = ownUrl(view.preferencesUrl, 'preferences');
  const unsubscribeUrl = ownUrl(view.unsubscribeUrl, 'unsubscribe');
  const status =
    view.paused && view.frequency !== 'feed'
      ? view.pausedUntil
        ? `Your digest is paused until ${formatDay(view.pausedUntil.toISOString().slice(0, 10), 'long')}: it starts again by itself then ` +
          `(${frequencyPhrase(view)}), or resume it from your preferences.`
        : `Your digest is paused: no emails until you resume it from your preferences (then ${frequencyPhrase(view)}).`
      : frequencySentence(view);
  const subject = `Your ${product} preferences were updated`;
  const html = await render(
    'preferences-changed',
    ['status', 'preferencesUrl', 'unsubscribeUrl'],
    view,
    {
      title: subject,
      preview: status,
      dateline: 'Preferences',
    },
    {
      status,
      preferencesUrl,
      unsubscribeUrl,
    },
  );
  const text = [
    product,
    '',
    'Your preferences were updated',
    '',
    'Your topics are now:',
    '',
    topicLines(view.topics),
    '',
    wrap(status),
    '',
    wrap("If you didn't make this change, open your preferences to set them back, or unsubscribe."),
    '',
    ...linkLines(preferencesUrl, unsubscribeUrl),
  ].join('\n');
  return { subject, html, text };
}

export async function renderPreferencesLink(view: PreferencesLinkView): Promise<RenderedEmail> {
  const product = oneLine(view.productName);
  const preferencesUrl = ownUrl(view.preferencesUrl, 'preferences');
  const unsubscribeUrl = ownUrl(view.unsubscribeUrl, 'unsubscribe');
  const subject = `Your ${product} preferences link`;
  const often = frequencySentence(view);
  const html = await render(
    'preferences-link',
    ['preferencesUrl', 'unsubscribeUrl', 'frequency'],
    view,
    {
      title: subject,
      preview: 'Here is the link to your preferences, as asked. Nothing has changed.',
      dateline: 'Preferences',
    },
    {
      preferencesUrl,
      unsubscribeUrl,
      frequency: often,
    },
  );
  const text = [
    product,
    '',
    'Your preferences link',
    '',
    wrap(
      `Someone — probably you — asked for the link to the preferences of ${oneLine(view.email)} on ${product}: by subscribing it again (it is ` +
        `already subscribed), or from your archive. Nothing has changed. Your topics:`,
    ),
    '',
    topicLines(view.topics),
    '',
    wrap(often),
    '',
    'To change your topics or pause the digest, open your preferences:',
    preferencesUrl,
    '',
    wrap("If this wasn't you, ignore this email — nothing happens. Your subscription stays as it is, and only this inbox gets the link."),
    '',
    ...linkLines(preferencesUrl, unsubscribeUrl),
  ].join('\n');
  return { subject, html, text };
}

/** The compiled template filled (fill escapes every text): the common slots from the view and `plain`, the rest as given. */
async function render<S extends string>(
  name: TemplateName,
  slots: readonly S[],
  view: Base,
  plain: { title: string; preview: string; dateline: string },
  values: Readonly<Record<S, Interpolation>>,
): Promise<string> {
  const cut = cutBlock(await compiledTemplate(name), name, 'topic', '%%topics%%');
  const page = parseTemplate<S | Common>(cut.html, name, [...COMMON, ...slots]);
  const topic = parseTemplate(cut.block, name, ['topic']);
  const topics = view.topics.length > 0 ? view.topics : ['(no topics)'];
  const common: Record<Common, Interpolation> = {
    title: oneLine(plain.title),
    preview: oneLine(plain.preview),
    homeUrl: ownUrl(view.baseUrl, 'home'),
    productName: oneLine(view.productName),
    dateline: plain.dateline,
    email: oneLine(view.email),
    topics: topics.map((t) => fill(topic, { topic: oneLine(t) })),
  };
  return fill(page, { ...common, ...values }).value;
}

const topicLines = (topics: readonly string[]): string =>
  topics.length > 0 ? topics.map((t) => wrap(`- ${oneLine(t)}`, '    ').replace(/^ {4}/, '  ')).join('\n') : '  (no topics)';

const linkLines = (preferencesUrl: string, unsubscribeUrl: string): string[] => [
  FOOTER_RULE,
  `Manage preferences: ${preferencesUrl}`,
  `Unsubscribe: ${unsubscribeUrl}`,
  '',
];
