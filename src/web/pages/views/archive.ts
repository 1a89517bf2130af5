// The reader's archive: the digests they were sent, newest first and paged, each with every paper it
// carried and the topics that caught it, and a link to its web view (the email itself, in the browser).
import type { ArchivedDigest, ArchivePage } from '../../../db/archive.ts';
import { paperUrl } from '../../../deliver/links.ts';
import { formatDay } from '../../../render/format.ts';
import { plural } from '../../../log/plural.ts';
import { html, type Html } from '../html.ts';
import { layout, topicChips, type Chrome } from './layout.ts';

export interface ArchiveView {
  email: string;
  page: ArchivePage;
  /** whether this is the first (newest) page */
  first: boolean;
  /** links of this reader's pages, token included: `/archive?token=…` */
  archiveUrl: string;
  /** "email me my preferences link" (the archive is opened with a read link: no preferences link here) */
  preferencesLinkUrl: string;
  /** the web view of one delivery */
  viewUrl: (deliveryId: number) => string;
  /** what the reader said about each paper (feedback), by paper id */
  feedback?: ReadonlyMap<number, string>;
}

const NOTHING_YET = 'Nothing was sent to you yet. Your first digest comes when new trending papers match your topics.';

export function archivePage(chrome: Chrome, view: ArchiveView): string {
  const { items, next } = view.page;
  const main = html`<section class="archive" aria-labelledby="page-heading">
  <h1 id="page-heading">Your archive</h1>
  <p class="lead">The digests sent to <strong class="address">${view.email}</strong>, newest first, with every paper and the topic that caught it.</p>
  ${preferencesLinkForm(view.preferencesLinkUrl)}
  ${
    items.length === 0
      ? html`<p class="archive-empty">${view.first ? NOTHING_YET : 'No older digests.'}</p>`
      : html`<ol class="archive-list">${items.map((d) => digestEntry(d, view))}</ol>`
  }
  <nav class="pager" aria-label="Older and newer digests">
    ${view.first ? '' : html`<a href="${view.archiveUrl}">Newest digests</a>`}
    ${next !== null ? html`<a href="${view.archiveUrl}&amp;before=${String(next)}" rel="next">Older digests</a>` : ''}
  </nav>
</section>`;
  return layout(chrome, { title: 'Your archive', main, noindex: true });
}

/**
 * Where the links that change something are (this page only reads: its link may have been
 * forwarded), and a button that mails the preferences link to the reader's own address.
 */
function preferencesLinkForm(action: string): Html {
  return html`<form class="archive-links preferences-link" method="post" action="${action}">
    <p>To change your topics, pause or unsubscribe, use the links in any email from us, in your own inbox. Not at hand?</p>
    <button class="button button-secondary" type="submit">Email me my preferences link</button>
  </form>`;
}

function digestEntry(d: ArchivedDigest, view: ArchiveView): Html {
  const day = formatDay(d.capturedAt.toISOString().slice(0, 10), 'long');
  return html`<li class="archive-digest">
  <h2 class="archive-day"><a href="${view.viewUrl(d.deliveryId)}">${day}</a> <span class="archive-count">${plural(d.papers.length, 'paper')}</span></h2>
  <ul class="archive-papers">${d.papers.map(
    (p) => html`<li class="archive-paper">
    <a class="archive-title" href="${paperUrl(p.arxivId, p.title)}">${p.title}</a>
    ${topicChips(p.topics)}
    ${view.feedback?.get(p.paperId) ? html`<p class="archive-feedback">You said: ${view.feedback.get(p.paperId)}</p>` : ''}
  </li>`,
  )}</ul>
</li>`;
}
