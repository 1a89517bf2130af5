// "What paperboy learned" on the preferences page — the papers the reader marked (each with an undo),
// the words their reader model weighs most for and against, and "forget what you learned about me"
// — and the page that asks before forgetting. Every change is a form that POSTs, token in the query
// string as on the rest of the preferences page.
import { paperUrl } from '../../../deliver/links.ts';
import { formatDay } from '../../../render/format.ts';
import type { Learned } from '../../../subscriptions/learned.ts';
import { html, type Html } from '../html.ts';
import { MARK_DOES } from './feedback.ts';
import { card, layout, type Chrome } from './layout.ts';

const withToken = (path: string, token: string): string => `${path}?token=${encodeURIComponent(token)}`;

const day = (at: Date): string => formatDay(at.toISOString().slice(0, 10), 'long');

export function learnedSection(productName: string, token: string, learned: Learned): Html {
  const anything = learned.totalMarks > 0 || learned.words !== null;
  const state = learned.learning
    ? html`<p class="learned-state"><span class="pill pill-learning">Learning</span> Learning from your marks before your next digest.</p>`
    : learned.words === null
      ? html`<p class="learned-state"><span class="pill pill-none">Nothing learned yet</span> Your digests follow your topics alone, in their usual order.</p>`
      : '';
  return html`<section class="learned" aria-labelledby="learned-heading">
  <h2 id="learned-heading">What ${productName} learned</h2>
  <p>From the papers you mark in a digest. Papers like those you mark “More like this” come first in your next digests \
(and up to two that no topic catches may be suggested); \
papers like those you mark “Not relevant” go to the end, under “Probably not for you”. Nothing your topics catch is left out.</p>
  ${state}
  ${learned.words ? weighs(learned.words) : ''}
  ${
    learned.totalMarks > 0
      ? marks(token, learned)
      : html`<p class="fine">Nothing marked yet: \
use “More like this” or “Not relevant” under a paper of your digest.</p>`
  }
  ${anything ? html`<p class="forget-link"><a href="${withToken('/preferences/forget', token)}">Forget what you learned about me</a></p>` : ''}
</section>`;
}

function weighs(words: NonNullable<Learned['words']>): Html {
  const list = (heading: string, tone: string, terms: typeof words.for) =>
    terms.length === 0
      ? ''
      : html`<div class="weighs weighs-${tone}">
    <h3>${heading}</h3>
    <ul class="chips">${terms.map((t) => html`<li class="chip chip-${tone}">${t.term}</li>`)}</ul>
  </div>`;
  return html`${list('Words that count for a paper', 'for', words.for)}${list('Words that count against', 'against', words.against)}`;
}

function marks(token: string, learned: Learned): Html {
  const earlier = learned.totalMarks - learned.marks.length;
  return html`<h3 class="marked-heading">Papers you marked</h3>
  <ul class="marked-list">${learned.marks.map(
    (m) => html`<li class="marked-paper">
    <a class="marked-title" href="${paperUrl(m.arxivId, m.title)}">${m.title}</a>
    <p class="marked-meta"><span class="mark mark-${m.kind === 'more_like_this' ? 'more' : 'less'}">${MARK_DOES[m.kind].label}</span> \
<span>${day(m.at)}</span></p>
    <form method="post" action="${withToken('/preferences/undo-mark', token)}" class="inline-action">
      <input type="hidden" name="paper" value="${String(m.paperId)}">
      <button class="button button-secondary" type="submit">Undo<span class="visually-hidden"> “${m.title}”</span></button>
    </form>
  </li>`,
  )}</ul>
  ${earlier > 0 ? html`<p class="fine">And ${String(earlier)} earlier ${earlier === 1 ? 'mark' : 'marks'}: they count too.</p>` : ''}`;
}

/** GET /preferences/forget: what forgetting does, and the button that does it (opening the page changes nothing). */
export function forgetPage(chrome: Chrome, token: string, view: { email: string; marks: number }): string {
  const backLabel = view.marks > 0 ? 'Keep it and go back to your preferences' : 'Back to your preferences';
  const back = html`<p><a href="${withToken('/preferences', token)}">${backLabel}</a></p>`;
  const main =
    view.marks === 0
      ? card({
          heading: 'Nothing to forget',
          body: html`<p><strong class="address">${view.email}</strong> has no paper marked, so ${chrome.productName} has learned nothing: \
your digests follow your topics alone.</p>${back}`,
        })
      : card({
          heading: 'Forget what we learned about you?',
          body: html`<p>This deletes the “More like this” and “Not relevant” marks <strong class="address">${view.email}</strong> \
gave ${view.marks === 1 ? 'one paper' : `${String(view.marks)} papers`}, and everything ${chrome.productName} learned from them. \
Your next digests follow your topics alone, in their usual order, until you mark papers again.</p>
  <p>Your topics, muted topics and everything else stay as they are.</p>
  <form method="post" action="${withToken('/preferences/forget', token)}" class="single-action">
    <button class="button" type="submit">Forget what you learned about me</button>
  </form>
  ${back}`,
        });
  return layout(chrome, { title: 'Forget what we learned', main, script: true, noindex: true });
}
