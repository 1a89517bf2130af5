// The dashboard's page of subscription emails (confirmation, preferences link, preferences changed):
// the failed ones, each with "Send again", and those waiting to be tried (again) with when.
import type { MailRow } from '../../db/subscription-mail.ts';
import { html, type Html } from '../pages/html.ts';
import { BASE, button, thead, time, type Frame } from './views.ts';

const KIND: Record<MailRow['kind'], string> = {
  confirmation: 'confirmation',
  preferences_link: 'preferences link',
  preferences_changed: 'preferences changed',
};

function table(caption: string, rows: MailRow[], last: { heading: string; cell: (m: MailRow) => Html }): Html {
  return html`<table>
<caption class="visually-hidden">${caption}</caption>
${thead('Email', 'Kind', 'Address', 'Queued', 'Tries', 'Last error', last.heading)}
<tbody>${rows.map(
    (m) =>
      html`<tr><td>${m.id}</td><td>${KIND[m.kind]}</td><td><a href="${BASE}/subscribers/${m.subscriberId}">${m.email}</a></td>\
<td>${time(m.createdAt)}</td><td>${m.tries}</td><td><code>${m.lastError ?? ''}</code></td>${last.cell(m)}</tr>`,
  )}</tbody></table>`;
}

export function subscriptionMailsBody(frame: Frame, failed: MailRow[], waiting: MailRow[]): Html {
  const back = `${BASE}/subscription-mails`;
  const sendAgain = (m: MailRow) => html`<td class="actions">${button(frame, `${BASE}/subscription-mails/${m.id}/resend`, 'Send again', { back })}</td>`;
  return html`<p class="hint">A subscription email that meets a temporary error (the relay down, 4xx) \
is tried again with backoff for 7 days, and at once when the relay accepts a message again;
a permanent refusal (5xx), or 7 days of failures, fails it. "Send again" queues a failed one anew (7 more days), \
unless it no longer fits: a newer confirmation replaced it, or the address changed state (then it is marked skipped).</p>
<section aria-labelledby="failed"><h2 id="failed">Failed</h2>
${failed.length === 0 ? html`<p>None.</p>` : table('Failed subscription emails', failed, { heading: 'Send again', cell: sendAgain })}
</section>
<section aria-labelledby="waiting"><h2 id="waiting">Waiting to be tried</h2>
${
  waiting.length === 0
    ? html`<p>None: every subscription email went out.</p>`
    : table('Subscription emails waiting to be tried', waiting, {
        heading: 'Next try',
        cell: (m) => html`<td>${m.status === 'sending' ? 'being sent' : html`${time(m.nextTryAt)} (until ${time(m.retryUntil)})`}</td>`,
      })
}
</section>`;
}

/** On the overview: failed subscription emails need a look. */
export function failedMailsNotice(count: number): Html {
  if (count === 0) return html``;
  return html`<p class="notice error" role="status">${count === 1 ? '1 subscription email' : `${count} subscription emails`} failed: \
<a href="${BASE}/subscription-mails">send them again</a>.</p>`;
}
