// The dashboard's pages: plain server-rendered HTML through html`…` (every value escaped), one
// stylesheet and one small script from /admin/ui/assets (the reader pages' strict CSP holds: no inline
// script or style). Every form posts with the session's CSRF token.
import type { DeliveryCounts } from '../../db/deliveries.ts';
import { DELIVERY_STATUSES } from '../../model/delivery-status.ts';
import { html, type Html, type Interpolation } from '../pages/html.ts';

export const BASE = '/admin/ui';
const STATUSES = DELIVERY_STATUSES;
type Counts = DeliveryCounts;

export interface Frame {
  csrf: string | null;
  productName: string;
}

/** A moment, always with its zone (every time on the dashboard is UTC). */
const time = (d: Date | null | undefined) =>
  d
    ? html`<time datetime="${d.toISOString()}"><span>${d.toISOString().slice(0, 10)}</span> \
<span>${d.toISOString().slice(11, 19)} UTC</span></time>`
    : html`—`;
/** The day of a listing (a snapshot's capture date). */
const listingDay = (d: Date) => html`<time datetime="${d.toISOString().slice(0, 10)}"><span>${d.toISOString().slice(0, 10)}</span></time>`;

export function page(frame: Frame, title: string, main: Html, notice?: { kind: 'ok' | 'error'; text: string }): string {
  return (
    '<!doctype html>\n' +
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${title} · ${frame.productName} admin</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${BASE}/assets/dashboard.css">
<script src="${BASE}/assets/dashboard.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="bar">
  <span class="brand">${frame.productName} admin</span>
  ${
    frame.csrf
      ? html`<nav aria-label="Dashboard"><a href="${BASE}">Overview</a> <a href="${BASE}/subscribers">Subscribers</a> \
<a href="${BASE}/subscription-mails">Subscription emails</a></nav>
  <form method="post" action="${BASE}/logout" class="logout">${csrfField(frame)}<button type="submit">Log out</button></form>`
      : ''
  }
</header>
<main id="main">
<h1>${title}</h1>
${notice ? html`<p class="notice ${notice.kind}" role="${notice.kind === 'error' ? 'alert' : 'status'}">${notice.text}</p>` : ''}
${main}
</main>
</body>
</html>
`.value
  );
}

const csrfField = (frame: Frame) => html`<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}">`;

/** A one-button form posting to `action` (with extra hidden fields). */
export function button(frame: Frame, action: string, label: string, fields: Record<string, string | number> = {}, kind: 'primary' | 'plain' = 'plain'): Html {
  const hidden = Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${String(v)}">`);
  return html`<form method="post" action="${action}" class="inline">${csrfField(frame)}${hidden}<button type="submit" class="${kind}">${label}</button></form>`;
}

export function loginPage(frame: Frame, error?: string): string {
  return page(
    frame,
    'Log in',
    html`<form method="post" action="${BASE}/login" class="login">
  <input type="text" name="username" value="admin" autocomplete="username" hidden>
  <label for="token">Admin token</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required>
  <p class="hint">The value of ADMIN_TOKEN.</p>
  <button type="submit" class="primary">Log in</button>
</form>`,
    error ? { kind: 'error', text: error } : undefined,
  );
}

export function progressOf(counts: Counts, total: number): { done: number; total: number; inFlight: boolean } {
  const done = counts.sent + counts.failed + counts.unknown + counts.bounced + counts.skipped;
  return { done, total, inFlight: counts.queued + counts.claimed + counts.handed > 0 };
}

/** A table's head: one column header a label. */
export const thead = (...labels: Interpolation[]): Html => html`<thead><tr>${labels.map((l) => html`<th scope="col">${l}</th>`)}</tr></thead>`;

/** One row of a table: a cell a value. */
export const cells = (...values: Interpolation[]): Html => html`<tr>${values.map((v) => html`<td>${v}</td>`)}</tr>`;

export function countsTable(counts: Counts, digestId: number): Html {
  return html`<table class="counts" data-counts="${digestId}">
<caption class="visually-hidden">Deliveries by status</caption>
<thead><tr>${STATUSES.map((s) => html`<th scope="col">${s}</th>`)}</tr></thead>
<tbody><tr>${STATUSES.map((s) => html`<td data-count="${s}"><a href="${BASE}/digests/${digestId}?status=${s}">${counts[s]}</a></td>`)}</tr></tbody>
</table>`;
}

export function progressBar(digestId: number, counts: Counts, total: number): Html {
  const p = progressOf(counts, total);
  return html`<p class="progress"><label for="progress-${digestId}">Sent or settled</label>
<progress id="progress-${digestId}" data-progress="${digestId}"${p.inFlight ? html` data-live="${BASE}/digests/${digestId}/progress.json"` : ''} \
value="${p.done}" max="${Math.max(p.total, 1)}">${p.done} of ${p.total}</progress>
<span data-progress-text="${digestId}">${p.done} of ${p.total}</span>\
${p.inFlight ? html` <span class="badge live" data-progress-live="${digestId}">sending</span>` : ''}</p>`;
}

export { time, listingDay, STATUSES, type Counts };
