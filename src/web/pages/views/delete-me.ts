// "Delete my data": the link on the preferences pages, the page that asks first (a GET changes
// nothing), and the goodbye page saying what was deleted and what is kept.
import type { Subscriber } from '../../../db/subscribers.ts';
import type { ErasedCounts } from '../../../db/erase-subscriber.ts';
import { plural } from '../../../log/plural.ts';
import { html, type Html } from '../html.ts';
import { card, layout, topicChips, type Chrome } from './layout.ts';

const withToken = (path: string, token: string): string => `${path}?token=${encodeURIComponent(token)}`;

/** Under the unsubscribe button of the preferences pages (`url`: /preferences/delete?token=<preferences>). */
export function deleteMeLink(url: string): Html {
  return html`<p class="fine">Or <a href="${url}">delete your subscription and everything we keep about you</a>.</p>`;
}

export function deleteMePage(chrome: Chrome, token: string, subscriber: Pick<Subscriber, 'email' | 'topics'>, problem?: 'unconfirmed' | 'in-flight'): string {
  const main = card({
    tone: problem === 'in-flight' ? 'error' : 'info',
    heading: 'Delete your data?',
    body: html`<p>This deletes <strong class="address">${subscriber.email}</strong> and everything ${chrome.productName} keeps about it, for good:</p>
  <ul>
    <li>your address and your topics${subscriber.topics.length ? html`: ${topicChips(subscriber.topics)}` : ''}</li>
    <li>your feedback on papers and what we learned from it;</li>
    <li>the list of papers we mailed you, and the details of any bounce or complaint about your address;</li>
    <li>your archive and your feed stop working.</li>
  </ul>
  <p>We keep only counts without your address: that a digest went to a reader on a given day. \
You get no more emails from us. To read ${chrome.productName} again later, subscribe again.</p>
  ${problem === 'unconfirmed' ? html`<p class="fine">That request came without its confirmation. Use the button to delete your data.</p>` : ''}
  ${
    problem === 'in-flight'
      ? html`<div class="alert alert-error" role="alert"><p>An email to you is being sent this very moment, \
so nothing was deleted yet. Try again in a minute.</p></div>`
      : ''
  }
  <form method="post" action="${withToken('/preferences/delete', token)}" class="single-action">
    <input type="hidden" name="confirm" value="yes">
    <button class="button" type="submit">Delete my data</button>
  </form>
  <p class="fine"><a href="${withToken('/preferences', token)}">Keep my subscription</a></p>`,
  });
  return layout(chrome, { title: 'Delete your data', main, script: true, noindex: true });
}

export function goodbyePage(chrome: Chrome, gone: { email: string; topics: string[]; removed: ErasedCounts }): string {
  const r = gone.removed;
  const items = [
    gone.topics.length ? `your ${plural(gone.topics.length, 'topic', 'topics')}` : '',
    r.feedback ? `your ${plural(r.feedback, 'feedback mark', 'feedback marks')}${r.readerModel ? ' and what we learned from them' : ''}` : '',
    r.mailedPapers ? `the record of the ${plural(r.mailedPapers, 'paper', 'papers')} we mailed you` : '',
    r.subscriptionMails ? `${plural(r.subscriptionMails, 'email', 'emails')} about your subscription` : '',
    r.inboundReports ? `the details of ${plural(r.inboundReports, 'bounce or complaint', 'bounces or complaints')} about your address` : '',
  ].filter(Boolean);
  const kept = r.deliveriesKept
    ? `We keep only a count: ${plural(r.deliveriesKept, 'digest', 'digests')} went to a reader on ${r.deliveriesKept === 1 ? 'its day' : 'their days'}, ` +
      'with no address, topic or paper.'
    : 'We keep nothing about you.';
  const main = card({
    tone: 'success',
    eyebrow: 'Done',
    heading: 'Your data is deleted',
    body: html`<p>We deleted <strong class="address">${gone.email}</strong>${items.length ? ' and, with it:' : '.'}</p>
  ${items.length ? html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>` : ''}
  <p>${kept} You get no more emails from us${r.deliveriesStopped ? ', not even the one that was waiting to go' : ''}. \
Your links, archive and feed no longer open anything.</p>
  <p><a class="button button-secondary" href="/">Go to the subscribe page</a></p>`,
  });
  return layout(chrome, { title: 'Your data is deleted', main, noindex: true });
}
