// "Email me my preferences link": the page a read link (the archive, the web view) offers instead of
// the preferences link itself, and its answer — the same whatever the state of the address.
import { html } from '../html.ts';
import { card, layout, type Chrome } from './layout.ts';

export interface PreferencesLinkView {
  email: string;
  /** the form's action: `/preferences-link?token=…` (the archive link) */
  action: string;
  /** back to the reader's archive */
  archiveUrl: string;
}

export function preferencesLinkPage(chrome: Chrome, view: PreferencesLinkView): string {
  const main = card({
    eyebrow: 'Your preferences',
    heading: 'Email me my preferences link',
    body: html`<p>The link to your preferences changes your subscription, so it lives only in your own inbox: in every email from us. \
This page only reads (its link may have been forwarded), so it cannot show it.</p>
  <p>We can email it again to the address of this archive, <strong class="address">${view.email}</strong>.</p>
  <form method="post" action="${view.action}" class="single-action">
    <button class="button" type="submit">Email me my preferences link</button>
  </form>
  <p class="fine">Nothing else changes. <a href="${view.archiveUrl}">Back to your archive</a></p>`,
  });
  return layout(chrome, { title: 'Email me my preferences link', main, script: true, noindex: true });
}

/** The answer, whether a link was queued or not (too many lately, an address that is not subscribed). */
export function preferencesLinkAskedPage(chrome: Chrome, view: Omit<PreferencesLinkView, 'action'>): string {
  const main = card({
    tone: 'success',
    eyebrow: 'Preferences link',
    heading: 'Check your inbox',
    body: html`<p>If <strong class="address">${view.email}</strong> is subscribed, an email with the link to its preferences is on its way to it. \
Only that inbox gets it.</p>
  <p class="fine">No email after a few minutes? Look in your spam folder. \
We send this email at most a few times an hour. <a href="${view.archiveUrl}">Back to your archive</a></p>`,
  });
  return layout(chrome, { title: 'Check your inbox', main, noindex: true });
}
