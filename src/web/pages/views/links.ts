// The pages behind the links in emails: confirm, preferences, unsubscribe. Their forms post back to
// the same URL, token in the query string, as in the link.
import type { Subscriber } from '../../../db/subscribers.ts';
import { html, when, type Html } from '../html.ts';
import { card, layout, topicChips, type Chrome } from './layout.ts';
import { previewPanel, topicsField, type TopicsFieldState } from './topics-field.ts';

const withToken = (path: string, token: string): string => `${path}?token=${encodeURIComponent(token)}`;

export function confirmPage(chrome: Chrome, token: string, subscriber: Pick<Subscriber, 'email' | 'topics'>): string {
  const main = card({
    eyebrow: 'One last step',
    heading: 'Confirm your subscription',
    body: html`<p>Start the daily digest for <strong class="address">${subscriber.email}</strong> on these topics:</p>
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

export interface PreferencesView {
  token: string;
  unsubscribeToken: string;
  subscriber: Pick<Subscriber, 'email' | 'topics' | 'paused'>;
  /** what the form shows: the stored values, or the reader's input that needs correcting */
  topics: TopicsFieldState;
  paused: boolean;
  notice?: { tone: 'success' | 'info'; text: string } | null;
}

export function preferencesPage(chrome: Chrome, view: PreferencesView): string {
  const invalid = Boolean(view.topics.error) || (view.topics.lines?.length ?? 0) > 0;
  const state = view.subscriber.paused
    ? html`<span class="pill pill-paused">Paused</span> No emails until you resume.`
    : html`<span class="pill pill-on">On</span> You get an email when new papers match.`;
  const main = html`<div class="columns">
  <section class="intro-and-form" aria-labelledby="page-heading">
    <h1 id="page-heading">Your preferences</h1>
    <p class="lead">For <strong class="address">${view.subscriber.email}</strong></p>
    <p class="digest-state">${state}</p>
    ${view.notice ? html`<div class="alert alert-${view.notice.tone}" role="status" tabindex="-1" autofocus><p>${view.notice.text}</p></div>` : ''}
    ${invalid ? html`<div class="alert alert-error" role="alert" tabindex="-1" autofocus><p>Nothing was saved yet: please correct your topics (see below the field).</p></div>` : ''}
    <form class="form" method="post" action="${withToken('/preferences', view.token)}" accept-charset="utf-8">
      ${topicsField(view.topics, 'Your topics')}
      <div class="field field-check">
        <input id="paused" name="paused" type="checkbox" value="on"${when(view.paused, html` checked`)} aria-describedby="paused-hint">
        <label for="paused">Pause the digest</label>
        <p class="hint" id="paused-hint">No emails while paused. Come back here to resume; your topics stay as they are.</p>
      </div>
      <div class="actions">
        <button class="button" type="submit">Save changes</button>
      </div>
    </form>
  </section>
  ${previewPanel()}
  <section class="danger-zone" aria-labelledby="unsubscribe-heading">
    <h2 id="unsubscribe-heading">Unsubscribe</h2>
    <p>Stop every email from ${chrome.productName}. You can subscribe again later.</p>
    ${unsubscribeForm(view.unsubscribeToken, 'button button-secondary')}
  </section>
</div>`;
  return layout(chrome, { title: 'Your preferences', main, width: 'wide', script: true, noindex: true });
}

/** A preferences link of an address that is not active: where it stands, and what to do. */
export function preferencesElsewherePage(chrome: Chrome, subscriber: Pick<Subscriber, 'email' | 'status'>): string {
  const text: Record<string, { heading: string; body: Html }> = {
    pending: {
      heading: 'Confirm your subscription first',
      body: html`<p><strong class="address">${subscriber.email}</strong> is waiting for confirmation. Follow the link in the latest confirmation email, then your preferences open here.</p>`,
    },
    unsubscribed: {
      heading: "You're unsubscribed",
      body: html`<p><strong class="address">${subscriber.email}</strong> gets no more emails from us. Changed your mind? <a href="/">Subscribe again</a>: we'll ask you to confirm.</p>`,
    },
    bounced: {
      heading: 'Emails to this address bounce',
      body: html`<p>The mail server of <strong class="address">${subscriber.email}</strong> refused our emails, so we stopped sending. If the address works again, ask the operator of this site to reactivate it.</p>`,
    },
  };
  const page = text[subscriber.status] ?? text.unsubscribed!;
  return layout(chrome, { title: page.heading, main: card({ heading: page.heading, body: page.body }), noindex: true });
}

function unsubscribeForm(token: string, buttonClass: string): Html {
  // The same body as a mail client's one-click POST (RFC 8058), plus where it came from.
  return html`<form method="post" action="${withToken('/unsubscribe', token)}" class="single-action">
    <input type="hidden" name="List-Unsubscribe" value="One-Click">
    <input type="hidden" name="from" value="page">
    <button class="${buttonClass}" type="submit">Unsubscribe</button>
  </form>`;
}

export function unsubscribePage(chrome: Chrome, token: string, subscriber: Pick<Subscriber, 'email' | 'status'>, preferencesToken: string, status = 200): string {
  if (subscriber.status === 'unsubscribed') return unsubscribedPage(chrome, subscriber, false);
  const main = card({
    heading: 'Unsubscribe?',
    body: html`<p><strong class="address">${subscriber.email}</strong> will get no more emails from ${chrome.productName}.</p>
  ${status === 400 ? html`<p class="fine">That request came without its confirmation. Use the button to unsubscribe.</p>` : ''}
  ${unsubscribeForm(token, 'button')}
  ${subscriber.status === 'active' ? html`<p class="fine">Too many emails, or the wrong papers? You can also <a href="${withToken('/preferences', preferencesToken)}">pause the digest or change your topics</a>.</p>` : ''}`,
  });
  return layout(chrome, { title: 'Unsubscribe', main, script: true, noindex: true });
}

export function unsubscribedPage(chrome: Chrome, subscriber: Pick<Subscriber, 'email'>, justNow: boolean): string {
  const main = card({
    tone: 'success',
    eyebrow: justNow ? 'Done' : undefined,
    heading: "You're unsubscribed",
    body: html`<p><strong class="address">${subscriber.email}</strong> ${justNow ? 'will get no more emails from us, starting now.' : 'gets no emails from us.'}</p>
  <p>Changed your mind? <a href="/">Subscribe again</a>: we'll ask you to confirm.</p>`,
  });
  return layout(chrome, { title: "You're unsubscribed", main, noindex: true });
}
