// The feedback page of one digest: each paper with "more like this" / "not relevant", each topic that
// caught one with "mute this topic". Every button is a form that POSTs: opening the page (as a mail
// scanner does) changes nothing.
import type { ArchivedPaper } from '../../../db/archive.ts';
import type { FeedbackKind } from '../../../db/feedback.ts';
import { paperUrl } from '../../../deliver/links.ts';
import { html, type Html } from '../html.ts';
import { layout, topicChips, type Chrome } from './layout.ts';

export const SAID: Record<FeedbackKind, string> = {
  more_like_this: 'more like this',
  not_relevant: 'not relevant',
  mute_topic: 'mute this topic',
  restore_topic: 'restore this topic',
};

/**
 * What a mark does to the reader's next digests, as src/relevance/rank.ts does it (within what their
 * topics catch; nothing is dropped): said on this page, its confirmation and the preferences page.
 */
export const MARK_DOES: Record<'more_like_this' | 'not_relevant', { label: string; does: string }> = {
  more_like_this: { label: 'More like this', does: 'papers like this come first in your next digests' },
  not_relevant: { label: 'Not relevant', does: 'papers like this go to the end of your next digests, under “Probably not for you”' },
};

/** "Papers like this come first in your next digests." */
const markDoes = (kind: keyof typeof MARK_DOES): string => `${MARK_DOES[kind].does[0]!.toUpperCase()}${MARK_DOES[kind].does.slice(1)}.`;

export interface FeedbackView {
  email: string;
  /** the page's own URL, token included: the forms post to it */
  action: string;
  papers: ArchivedPaper[];
  said: ReadonlyMap<number, FeedbackKind>;
  topics: readonly string[];
  muted: readonly string[];
  /** the reader's pages */
  preferencesUrl: string;
  archiveUrl: string;
  notice?: string | null;
  /** the one action a per-paper link asked about (`?paper=…&kind=…`): shown first, with its button */
  asked?: { paper: ArchivedPaper; kind: 'more_like_this' | 'not_relevant' } | null;
}

function button(action: string, fields: Record<string, string>, label: string, style = 'button button-secondary'): Html {
  return html`<form method="post" action="${action}" class="inline-action">
    ${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
    <button class="${style}" type="submit">${label}</button>
  </form>`;
}

export function feedbackPage(chrome: Chrome, view: FeedbackView): string {
  const topics = view.topics.filter((t) => view.papers.some((p) => p.topics.includes(t)));
  const main = html`<section class="feedback" aria-labelledby="page-heading">
  <h1 id="page-heading">Which papers fit?</h1>
  <p class="lead">Tell us about the papers of this digest for <strong class="address">${view.email}</strong>. Nothing changes until you press a button.</p>
  <ul class="mark-effects">
    <li><strong>More like this</strong>: ${MARK_DOES.more_like_this.does}.</li>
    <li><strong>Not relevant</strong>: ${MARK_DOES.not_relevant.does}, never left out.</li>
  </ul>
  <p class="fine">You can undo any mark on <a href="${view.preferencesUrl}">your preferences page</a>, where you also see what was learned.</p>
  ${view.notice ? html`<div class="alert alert-success" role="status" tabindex="-1" autofocus><p>${view.notice}</p></div>` : ''}
  ${
    view.asked
      ? html`<div class="card card-info asked">
    <p>Mark <strong>${view.asked.paper.title}</strong> as ${SAID[view.asked.kind]}? ${markDoes(view.asked.kind)}</p>
    ${button(view.action, { kind: view.asked.kind, paper: String(view.asked.paper.paperId) }, MARK_DOES[view.asked.kind].label, 'button')}
  </div>`
      : ''
  }
  <ol class="feedback-list">${view.papers.map(
    (p) => html`<li class="feedback-paper" id="paper-${String(p.paperId)}">
    <a class="archive-title" href="${paperUrl(p.arxivId, p.title)}">${p.title}</a>
    ${topicChips(p.topics)}
    ${view.said.get(p.paperId) ? html`<p class="archive-feedback">You said: ${SAID[view.said.get(p.paperId)!]}</p>` : ''}
    <div class="feedback-actions">
      ${button(view.action, { kind: 'more_like_this', paper: String(p.paperId) }, 'More like this')}
      ${button(view.action, { kind: 'not_relevant', paper: String(p.paperId) }, 'Not relevant')}
    </div>
  </li>`,
  )}</ol>
  <section class="feedback-topics" aria-labelledby="topics-heading">
    <h2 id="topics-heading">Topics in this digest</h2>
    <p>A muted topic catches nothing, in emails and in your feed, until you restore it on <a href="${view.preferencesUrl}">your preferences page</a>.</p>
    <ul class="topic-actions">${topics.map(
      (t) =>
        html`<li><span class="chip">${t}</span> \
${view.muted.includes(t) ? html`<span class="muted-note">Muted</span>` : button(view.action, { kind: 'mute_topic', topic: t }, 'Mute this topic')}</li>`,
    )}</ul>
  </section>
  <p><a href="${view.archiveUrl}">Your archive</a></p>
</section>`;
  return layout(chrome, { title: 'Which papers fit?', main, script: true, noindex: true });
}
