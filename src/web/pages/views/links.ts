// The pages behind the links in emails: confirm, preferences, unsubscribe. Their forms post back to
// the same URL, token in the query string, as in the link.
import type { Subscriber } from '../../../db/subscribers.ts';
import type { PauseChoice } from '../../../subscriptions/pause.ts';
import { html, when, type Html } from '../html.ts';
import { formatDay } from '../../../render/format.ts';
import type { Learned } from '../../../subscriptions/learned.ts';
import { card, layout, topicChips, type Chrome } from './layout.ts';
import { learnedSection } from './learned.ts';
import { deleteMeLink } from './delete-me.ts';
import { frequencyField, frequencyText, type FrequencyState } from './frequency-field.ts';
import { previewPanel, topicsField, type TopicsFieldState } from './topics-field.ts';

/** "December 7, 2026" */
export const untilDay = (when: Date): string => formatDay(when.toISOString().slice(0, 10), 'long');

const withToken = (path: string, token: string): string => `${path}?token=${encodeURIComponent(token)}`;

export function confirmPage(chrome: Chrome, token: string, subscriber: Pick<Subscriber, 'email' | 'topics' | 'frequency' | 'weeklyDay'>): string {
  const what = subscriber.frequency === 'feed' ? 'your feed' : subscriber.frequency === 'weekly' ? 'the weekly digest' : 'the daily digest';
  const main = card({
    eyebrow: 'One last step',
    heading: 'Confirm your subscription',
    body: html`<p>Start ${what} for <strong class="address">${subscriber.email}</strong> on these topics:</p>
  ${topicChips(subscriber.topics)}
  <form method="post" action="${withToken('/confirm', token)}" class="single-action">
    <button class="button" type="submit">Confirm my subscription</button>
  </form>
  <p class="fine">Didn't ask for this? Close this page: without a confirmation nothing is sent.</p>`,
  });
  return layout(chrome, { title: 'Confirm your subscription', main, script: true, noindex: true });
}

export function confirmedPage(chrome: Chrome, subscriber: Pick<Subscriber, 'email' | 'topics'>, preferencesUrl: string): string {
  const main = card({
    tone: 'success',
    eyebrow: 'Confirmed',
    heading: "You're subscribed",
    body: html`<p><strong class="address">${subscriber.email}</strong> will get an email when new papers on Hugging Face Daily Papers match these topics:</p>
  ${topicChips(subscriber.topics)}
  <p>Every email has a link to change your topics, pause, or unsubscribe. You can also <a href="${preferencesUrl}">open your preferences now</a>.</p>`,
  });
  return layout(chrome, { title: "You're subscribed", main, noindex: true });
}

/** A confirm link opened again once it did its work: the reader is subscribed, not in trouble. */
export function alreadyConfirmedPage(chrome: Chrome, subscriber: Pick<Subscriber, 'email' | 'topics'>, preferencesUrl: string): string {
  const main = card({
    tone: 'success',
    eyebrow: 'Already confirmed',
    heading: "You're already subscribed",
    body: html`<p><strong class="address">${subscriber.email}</strong> is confirmed and gets an email when new trending papers match these topics:</p>
  ${topicChips(subscriber.topics)}
  <p><a class="button" href="${preferencesUrl}">Open your preferences</a></p>
  <p class="fine">There you can change your topics, pause the digest, or unsubscribe.</p>`,
  });
  return layout(chrome, { title: "You're already subscribed", main, noindex: true });
}

export interface PreferencesView {
  token: string;
  unsubscribeToken: string;
  /** the reader's archive (`/archive?token=…`) */
  archiveUrl: string;
  /** the reader's feeds (absolute, stable: they go into a feed reader) */
  feedUrls: { atom: string; json: string };
  /** with the pause as it stands now (a timed pause that ended reads as not paused) */
  subscriber: Pick<Subscriber, 'email' | 'topics' | 'paused' | 'pausedUntil'>;
  /** what the form shows: the stored values, or the reader's input that needs correcting */
  topics: TopicsFieldState;
  /** the pause choice checked ("keep": the timed pause running now) */
  pause: PauseChoice | 'keep';
  /** how often, as stored or as the reader just chose */
  frequency: FrequencyState;
  /** topics muted from a digest's feedback page, each with a button to restore it */
  mutedTopics: readonly string[];
  /** what paperboy learned from the reader's marks */
  learned: Learned;
  notice?: { tone: 'success' | 'info'; text: string } | null;
}

export function preferencesPage(chrome: Chrome, view: PreferencesView): string {
  const invalid = Boolean(view.topics.error) || (view.topics.lines?.length ?? 0) > 0;
  const until = view.subscriber.pausedUntil;
  const state = !view.subscriber.paused
    ? view.frequency.frequency === 'feed'
      ? html`<span class="pill pill-on">Feed only</span> No emails: the papers your topics catch are in your feed.`
      : html`<span class="pill pill-on">On</span> You get an email ${frequencyText(view.frequency)}.`
    : until
      ? html`<span class="pill pill-paused">Paused</span> No emails until ${untilDay(until)}; the digest starts again by itself then.`
      : html`<span class="pill pill-paused">Paused</span> No emails until you resume.`;
  const main = html`<div class="columns">
  <section class="intro-and-form" aria-labelledby="page-heading">
    <h1 id="page-heading">Your preferences</h1>
    <p class="lead">For <strong class="address">${view.subscriber.email}</strong></p>
    <p class="digest-state">${state}</p>
    <p class="reader-space"><a href="${view.archiveUrl}">Your archive</a>: every digest you were sent, and its papers.</p>
    ${view.notice ? html`<div class="alert alert-${view.notice.tone}" role="status" tabindex="-1" autofocus><p>${view.notice.text}</p></div>` : ''}
    ${
      invalid
        ? html`<div class="alert alert-error" role="alert" tabindex="-1" autofocus>\
<p>Nothing was saved yet: please correct your topics (see below the field).</p></div>`
        : ''
    }
    <form class="form" method="post" action="${withToken('/preferences', view.token)}" accept-charset="utf-8">
      ${topicsField(view.topics, 'Your topics', { topics: view.mutedTopics, restoreAt: '#muted-heading' })}
      ${frequencyField(view.frequency)}
      ${pauseField(view)}
      <div class="actions">
        <button class="button" type="submit">Save changes</button>
      </div>
    </form>
    ${view.mutedTopics.length > 0 ? mutedSection(view) : ''}
    ${learnedSection(chrome.productName, view.token, view.learned)}
    ${feedSection(view.feedUrls)}
  </section>
  ${previewPanel(withToken('/api/preferences/preview', view.token))}
  <section class="danger-zone" aria-labelledby="unsubscribe-heading">
    <h2 id="unsubscribe-heading">Unsubscribe</h2>
    <p>Stop every email from ${chrome.productName}. You can subscribe again later.</p>
    ${unsubscribeForm(view.unsubscribeToken, 'button button-secondary')}
    ${deleteMeLink(withToken('/preferences/delete', view.token))}
  </section>
</div>`;
  return layout(chrome, { title: 'Your preferences', main, width: 'wide', script: true, noindex: true });
}

function mutedSection(view: PreferencesView): Html {
  return html`<section class="muted-topics" aria-labelledby="muted-heading">
  <h2 id="muted-heading">Muted topics</h2>
  <p>Muted from a digest: they catch nothing, in emails and in your feed, until you restore them.</p>
  <ul class="topic-actions">${view.mutedTopics.map(
    (t) => html`<li><span class="chip">${t}</span>
    <form method="post" action="${withToken('/preferences/restore-topic', view.token)}" class="inline-action">
      <input type="hidden" name="topic" value="${t}">
      <button class="button button-secondary" type="submit">Restore</button>
    </form></li>`,
  )}</ul>
</section>`;
}

function feedSection(urls: PreferencesView['feedUrls']): Html {
  return html`<section class="feed-urls" aria-labelledby="feeds-heading">
  <h2 id="feeds-heading">Your feed</h2>
  <p>The papers your topics catch, in your feed reader, whatever you choose for email. Keep these addresses to yourself: they are your own.</p>
  <div class="field">
    <label for="feed-atom">Atom feed</label>
    <input id="feed-atom" type="url" readonly value="${urls.atom}">
  </div>
  <div class="field">
    <label for="feed-json">JSON Feed</label>
    <input id="feed-json" type="url" readonly value="${urls.json}">
  </div>
</section>`;
}

function pauseField(view: PreferencesView): Html {
  const until = view.subscriber.paused ? view.subscriber.pausedUntil : null;
  const options: Array<[PauseChoice | 'keep', string]> = [
    ['none', view.subscriber.paused ? 'Resume the digest' : 'Keep the digest on'],
    ...(until ? ([['keep', `Stay paused until ${untilDay(until)}`]] as Array<['keep', string]>) : []),
    ['week', 'Pause for 1 week'],
    ['month', 'Pause for 1 month'],
    ['indefinite', 'Pause until I resume'],
  ];
  return html`<fieldset class="field field-choices" aria-describedby="pause-hint">
  <legend>Pause</legend>
  ${options.map(
    ([value, label]) => html`<div class="choice"><input id="pause-${value}" name="pause" type="radio" value="${value}"\
${when(view.pause === value, html` checked`)}><label for="pause-${value}">${label}</label></div>`,
  )}
  <p class="hint" id="pause-hint">No emails while paused; your topics stay as they are. A pause of a week or a month ends by itself.</p>
</fieldset>`;
}

/**
 * A preferences link of an address that is not active: where it stands, and what to do. Unsubscribed,
 * it is the unsubscribe link's own page, so both say the same: within 30 days (`undoToken`, the
 * reader's unsubscribe token) back in one click without a confirmation, later through the form.
 */
export function preferencesElsewherePage(
  chrome: Chrome,
  subscriber: Pick<Subscriber, 'email' | 'status' | 'topics'>,
  undoToken: string | null,
  deleteUrl?: string,
): string {
  if (subscriber.status === 'unsubscribed') return unsubscribedPage(chrome, subscriber, false, undoToken, deleteUrl);
  const text: Record<string, { heading: string; body: Html }> = {
    pending: {
      heading: 'Confirm your subscription first',
      body: html`<p><strong class="address">${subscriber.email}</strong> is waiting for confirmation. \
Follow the link in the latest confirmation email, then your preferences open here.</p>`,
    },
    bounced: {
      heading: 'Emails to this address bounce',
      body: html`<p>The mail server of <strong class="address">${subscriber.email}</strong> refused our emails, so we stopped sending. \
If the address works again, ask the operator of this site to reactivate it.</p>`,
    },
  };
  const page = text[subscriber.status] ?? text.bounced!;
  return layout(chrome, {
    title: page.heading,
    main: card({ heading: page.heading, body: html`${page.body}${deleteUrl ? deleteMeLink(deleteUrl) : ''}` }),
    noindex: true,
  });
}

function unsubscribeForm(token: string, buttonClass: string): Html {
  // The same body as a mail client's one-click POST (RFC 8058), plus where it came from.
  return html`<form method="post" action="${withToken('/unsubscribe', token)}" class="single-action">
    <input type="hidden" name="List-Unsubscribe" value="One-Click">
    <input type="hidden" name="from" value="page">
    <button class="${buttonClass}" type="submit">Unsubscribe</button>
  </form>`;
}

export function unsubscribePage(
  chrome: Chrome,
  token: string,
  subscriber: Pick<Subscriber, 'email' | 'status' | 'topics'>,
  preferencesUrl: string,
  status = 200,
  undo = false,
): string {
  if (subscriber.status === 'unsubscribed') return unsubscribedPage(chrome, subscriber, false, undo ? token : null);
  const main = card({
    heading: 'Unsubscribe?',
    body: html`<p>Press the button to stop every email from ${chrome.productName} to <strong class="address">${subscriber.email}</strong>. \
Nothing changes until you do.</p>
  ${status === 400 ? html`<p class="fine">That request came without its confirmation. Use the button to unsubscribe.</p>` : ''}
  ${unsubscribeForm(token, 'button')}
  ${
    subscriber.status === 'active'
      ? html`<p class="fine">Too many emails, or the wrong papers? \
You can also <a href="${preferencesUrl}">pause the digest or change your topics</a>.</p>`
      : ''
  }`,
  });
  return layout(chrome, { title: 'Unsubscribe', main, script: true, noindex: true });
}

/** The subscribe form with the reader's topics already in it (the `/?topics=` prefill). */
function subscribeAgainUrl(subscriber: Pick<Subscriber, 'topics'> & { email?: string }): string {
  const query = new URLSearchParams();
  if (subscriber.topics.length > 0) query.set('topics', subscriber.topics.join('\n'));
  if (subscriber.email) query.set('email', subscriber.email);
  const q = query.toString();
  return q ? `/?${q}` : '/';
}

/**
 * After unsubscribing (or opening the link again): where it stands, and with `undoToken` (under 30
 * days since leaving) a one-click "subscribe again with the same topics"; later, the prefilled form.
 */
export function unsubscribedPage(
  chrome: Chrome,
  subscriber: Pick<Subscriber, 'email' | 'topics'>,
  justNow: boolean,
  undoToken: string | null = null,
  deleteUrl?: string,
): string {
  const main = card({
    tone: 'success',
    eyebrow: justNow ? 'Done' : undefined,
    heading: "You're unsubscribed",
    body: html`<p><strong class="address">${subscriber.email}</strong> \
${justNow ? 'will get no more emails from us, starting now.' : 'gets no emails from us.'}</p>
  ${
    undoToken
      ? html`<p>Changed your mind? Come back with the same topics, no confirmation needed (this works for 30 days):</p>
  ${topicChips(subscriber.topics)}
  <form method="post" action="${withToken('/resubscribe', undoToken)}" class="single-action">
    <button class="button button-secondary" type="submit">Subscribe again with the same topics</button>
  </form>`
      : html`<p>Changed your mind? <a href="${subscribeAgainUrl(subscriber)}">Subscribe again</a>: we'll ask you to confirm.</p>`
  }
  ${deleteUrl ? deleteMeLink(deleteUrl) : ''}`,
  });
  return layout(chrome, { title: "You're unsubscribed", main, script: true, noindex: true });
}

export function resubscribedPage(chrome: Chrome, subscriber: Pick<Subscriber, 'email' | 'topics'>, preferencesUrl: string, justNow: boolean): string {
  const main = card({
    tone: 'success',
    eyebrow: justNow ? 'Welcome back' : undefined,
    heading: justNow ? "You're subscribed again" : "You're subscribed",
    body: html`<p><strong class="address">${subscriber.email}</strong> gets an email again when new trending papers match these topics:</p>
  ${topicChips(subscriber.topics)}
  <p><a href="${preferencesUrl}">Open your preferences</a> to change them or pause the digest.</p>`,
  });
  return layout(chrome, { title: "You're subscribed", main, noindex: true });
}

/** More than 30 days after leaving: back through the form (prefilled) and a new confirmation. */
export function resubscribeExpiredPage(chrome: Chrome, subscriber: Pick<Subscriber, 'email' | 'topics'>): string {
  const main = card({
    heading: 'Subscribe again from the form',
    body: html`<p>It has been more than 30 days since <strong class="address">${subscriber.email}</strong> unsubscribed, so this link \
can no longer bring it back by itself.</p>
  <p><a class="button" href="${subscribeAgainUrl(subscriber)}">Subscribe again with the same topics</a></p>
  <p class="fine">We'll ask you to confirm by email first.</p>`,
  });
  return layout(chrome, { title: 'Subscribe again', main, noindex: true });
}
