// The dashboard's pages, from data the router read: overview, one digest, subscribers, one subscriber.
import type { SourceHealth } from '../../jobs/source-health.ts';
import type { UnknownDelivery } from '../../db/operator-deliveries.ts';
import { allows } from '../../model/delivery-status.ts';
import { html, type Html } from '../pages/html.ts';
import type { InFlight } from './queries.ts';
import { backfillSection, unreachableNotice, type BackfillJob } from './source.ts';
import { runNowSection } from './run-now.ts';
import { BASE, button, cells, countsTable, listingDay, progressBar, STATUSES, thead, time, type Counts, type Frame } from './views.ts';
import { plural } from '../../log/plural.ts';

export interface DigestRow {
  id: number;
  status: string;
  createdAt: Date;
  deliveryCount: number;
  newPaperCount: number;
  pauseReason: string | null;
  /** the capture date of its snapshot: the day of the listing it mails */
  snapshotCapturedAt: Date;
  counts: Counts;
  /** while building: readers planned so far, of the readers to plan */
  buildReaders?: number;
  buildReadersTotal?: number | null;
}

/** "412 of 1000 readers planned" while a digest is being built (nothing of it is sent until it is ready). */
const building = (d: DigestRow): Html | string =>
  d.status === 'building' ? html` (${(d.buildReaders ?? 0).toLocaleString('en')} of ${plural(d.buildReadersTotal ?? 0, 'reader')} planned)` : '';

/** A status as a badge; its class is the status itself unless told. */
const badge = (status: string, tone: string = status): Html => html`<span class="badge ${tone}">${status}</span>`;

const current = html` aria-current="page"`;

const digestLink = (id: number): Html => html`<a href="${BASE}/digests/${id}">Digest ${id}</a>`;

const sourceHealth = (h: SourceHealth): Html =>
  html`${badge(h.healthy ? 'healthy' : 'unhealthy', h.healthy ? 'ok' : 'bad')} last checked ${time(h.lastCheckedAt)}, \
last new snapshot ${time(h.lastNewSnapshotAt)}`;

/** Resend the failed, resume a paused digest, settle the unknown ones in bulk. */
function digestActions(frame: Frame, digest: DigestRow, here: string): Html {
  const at = `${BASE}/digests/${digest.id}`;
  const resolve = `${at}/resolve`;
  const { failed, unknown } = digest.counts;
  return html`<div class="actions">
${failed > 0 ? button(frame, `${at}/resend-failed`, `Resend the ${failed} failed`, { back: here }, 'primary') : ''}
${digest.status === 'paused' ? button(frame, `${at}/resume`, 'Resume sending', { back: here }, 'primary') : ''}
${
  unknown > 0
    ? html`${button(frame, resolve, `Mark all ${unknown} unknown sent`, { outcome: 'sent', back: here })} \
${button(frame, resolve, `Resend all ${unknown} unknown`, { outcome: 'resend', back: here })}`
    : ''
}
</div>`;
}

function unknownTable(frame: Frame, rows: UnknownDelivery[], back: string): Html {
  if (rows.length === 0) return html`<p>None: every delivery handed to the relay has its reply.</p>`;
  return html`<table>
<caption class="visually-hidden">Deliveries with an unknown outcome</caption>
${thead('Delivery', 'Digest', 'Address', html`Message-ID (find it in the relay's log)`, 'What happened', 'Resolve')}
<tbody>${rows.map(
    (u) => html`<tr>
<td>${u.id}</td><td><a href="${BASE}/digests/${u.digestId}">${u.digestId}</a></td><td>${u.email}</td><td><code>${u.messageId ?? ''}</code></td>
<td>${u.code ?? ''} ${u.exchange ?? u.error ?? ''}</td>
<td class="actions">${button(frame, `${BASE}/deliveries/${u.id}/resolve`, 'Relay had it: mark sent', { outcome: 'sent', back })} \
${button(frame, `${BASE}/deliveries/${u.id}/resolve`, 'Resend', { outcome: 'resend', back })}</td>
</tr>`,
  )}</tbody></table>`;
}

/** The real digests (ready, paused) first; the skipped ones folded below them. */
function digestsTable(digests: DigestRow[]): Html {
  if (digests.length === 0) return html`<p>No digest yet.</p>`;
  const real = digests.filter((d) => d.status !== 'skipped');
  const skipped = digests.filter((d) => d.status === 'skipped');
  return html`${
    real.length === 0
      ? html`<p>No digest mailed anything yet.</p>`
      : html`<table>
<caption class="visually-hidden">Digests, newest first</caption>
${thead('Digest', 'Listing', 'Built', 'Status', 'New papers', 'Progress', ...STATUSES)}
<tbody>${real.map(
          (d) => html`<tr><td>${digestLink(d.id)}</td><td>${listingDay(d.snapshotCapturedAt)}</td><td>${time(d.createdAt)}</td>\
<td>${badge(d.status)}${building(d)}</td><td>${d.newPaperCount}</td>
<td>${progressBar(d.id, d.counts, d.deliveryCount)}</td>${STATUSES.map((s) => html`<td>${d.counts[s]}</td>`)}</tr>`,
        )}</tbody></table>`
  }
${
  skipped.length
    ? html`<details class="skipped">\
<summary>${plural(skipped.length, 'skipped digest')}: older listings that a newer one was digested before (never mailed)</summary>
<table><caption class="visually-hidden">Skipped digests</caption>${thead('Digest', 'Listing', 'Skipped')}
<tbody>${skipped.map((d) => cells(digestLink(d.id), listingDay(d.snapshotCapturedAt), time(d.createdAt)))}</tbody></table></details>`
    : ''
}`;
}

interface OverviewSource {
  display: string;
  health: SourceHealth | null;
  files: Array<{ name: string; outcome: string; error: string | null; line: number | null; at: Date }>;
  isUrl: boolean;
  snapshots: number;
  backfill: BackfillJob | null;
  yesterday: string;
}
type JobRow = { id: number; job: string; trigger: string; status: string; startedAt: Date; finishedAt: Date | null };
interface ReportRow {
  id: number;
  kind: string;
  via: string;
  status: string | null;
  outcome: string;
  receivedAt: Date;
  subscriberId: number | null;
  subscriber: { email: string } | null;
}

export function overviewBody(
  frame: Frame,
  data: { digests: DigestRow[]; unknown: UnknownDelivery[]; stuck: InFlight[]; source: OverviewSource; jobs: JobRow[]; reports: ReportRow[] },
): Html {
  return html`${unreachableNotice(data.source.display, data.source.health, data.source.isUrl, data.source.snapshots)}
<section aria-labelledby="digests"><h2 id="digests">Digests</h2>
${runNowSection(frame)}
${digestsTable(data.digests)}
</section>
<section aria-labelledby="unknown"><h2 id="unknown">Unknown outcomes</h2>
${unknownTable(frame, data.unknown, BASE)}
</section>
<section aria-labelledby="stuck"><h2 id="stuck">Claimed or handed for long</h2>
${stuckTable(data.stuck)}
</section>
<section aria-labelledby="source"><h2 id="source">Source</h2>
${sourceSection(frame, data.source)}
</section>
<section aria-labelledby="jobs"><h2 id="jobs">Recent jobs</h2>
${jobsTable(data.jobs)}
</section>
<section aria-labelledby="reports"><h2 id="reports">Bounces, complaints, mailto unsubscribes</h2>
${reportsTable(data.reports)}
</section>`;
}

function stuckTable(stuck: InFlight[]): Html {
  if (stuck.length === 0) return html`<p>None.</p>`;
  return html`<p>A process that stopped has its claims released and its handed deliveries marked unknown by the next recovery; \
a row that stays here belongs to a process that is alive but stuck.</p>
<table><caption class="visually-hidden">Deliveries in flight for long</caption>
${thead('Delivery', 'Digest', 'Address', 'Status', 'Claimed', 'Handed', 'Worker')}
<tbody>${stuck.map((s) =>
    cells(
      s.id,
      html`<a href="${BASE}/digests/${s.digestId}">${s.digestId}</a>`,
      s.email,
      s.status,
      time(s.claimedAt),
      time(s.handedAt),
      html`<code>${s.workerId ?? ''}</code>`,
    ),
  )}</tbody></table>`;
}

/** The source's health, its problems, the recent files of a folder, the backfill. */
function sourceSection(frame: Frame, source: OverviewSource): Html {
  const h = source.health;
  return html`<p><code>${source.display}</code>: ${h ? sourceHealth(h) : 'not checked yet'}</p>
${h && h.problems.length ? html`<ul>${h.problems.map((p) => html`<li><strong>${p.reason}</strong>: ${p.message}</li>`)}</ul>` : ''}
${
  source.files.length
    ? html`<table><caption>Recent files</caption>${thead('File', 'Outcome', 'Error', 'Read')}
<tbody>${source.files.map((f) =>
        cells(
          f.name,
          badge(f.outcome, f.outcome === 'rejected' ? 'bad' : 'ok'),
          f.error ? html`${f.line ? `line ${f.line}: ` : ''}${f.error}` : '',
          time(f.at),
        ),
      )}</tbody></table>`
    : ''
}
${backfillSection(frame, source.backfill, source.isUrl, source.yesterday)}`;
}

function jobsTable(jobs: JobRow[]): Html {
  if (jobs.length === 0) return html`<p>None yet.</p>`;
  const rows = jobs.map((j) => cells(j.job, j.trigger, badge(j.status, j.status === 'failed' ? 'bad' : 'ok'), time(j.startedAt), time(j.finishedAt)));
  return html`<table><caption class="visually-hidden">Recent jobs</caption>${thead('Job', 'Run by', 'Status', 'Started', 'Finished')}
<tbody>${rows}</tbody></table>`;
}

function reportsTable(reports: ReportRow[]): Html {
  if (reports.length === 0) return html`<p>None received.</p>`;
  return html`<table><caption class="visually-hidden">Recent inbound reports</caption>\
${thead('Received', 'Kind', 'Via', 'Subscriber', 'Status', 'What changed')}
<tbody>${reports.map((r) => {
    const who = r.subscriberId ? html`<a href="${BASE}/subscribers/${r.subscriberId}">${r.subscriber?.email ?? r.subscriberId}</a>` : '—';
    return cells(time(r.receivedAt), r.kind.replace('_', ' '), r.via, who, r.status ?? '', r.outcome);
  })}</tbody></table>`;
}

export function digestBody(
  frame: Frame,
  digest: DigestRow,
  filter: string | undefined,
  deliveries: Array<{
    id: number;
    status: string;
    attempt: number;
    tries: number;
    smtpResponse: string | null;
    errorCode: string | null;
    lastError: string | null;
    messageId: string | null;
    subscriber: { email: string };
  }>,
  unknown: UnknownDelivery[],
): Html {
  const here = `${BASE}/digests/${digest.id}${filter ? `?status=${filter}` : ''}`;
  return html`
<p>Status ${badge(digest.status)}${building(digest)}${digest.pauseReason ? html` — ${digest.pauseReason}` : ''}; \
listing of ${listingDay(digest.snapshotCapturedAt)}; built ${time(digest.createdAt)}; \
${plural(digest.newPaperCount, 'new paper')}; ${plural(digest.deliveryCount, 'delivery', 'deliveries')}.</p>
${progressBar(digest.id, digest.counts, digest.deliveryCount)}
${countsTable(digest.counts, digest.id)}
${digestActions(frame, digest, here)}
${unknown.length ? html`<h2>Unknown outcomes</h2>${unknownTable(frame, unknown, here)}` : ''}
<h2 id="deliveries">Deliveries${filter ? html` (${filter})` : ''}</h2>
<nav aria-label="Filter by status" class="filters">\
<a href="${BASE}/digests/${digest.id}"${filter ? '' : current}>all</a> \
${STATUSES.map((s) => html`<a href="${BASE}/digests/${digest.id}?status=${s}"${filter === s ? current : ''}>${s} (${digest.counts[s]})</a> `)}</nav>
${
  deliveries.length === 0
    ? html`<p>No delivery${filter ? ` is ${filter}` : ''}.</p>`
    : html`<table class="deliveries"><caption class="visually-hidden">Deliveries of digest ${digest.id}</caption>
${thead('Delivery', 'Address', 'Status', 'Attempt', 'SMTP reply or error', 'Action')}
<tbody>${deliveries.map(
        (d) => html`<tr><td>${d.id}</td><td>${d.subscriber.email}</td><td>${badge(d.status)}</td>\
<td>${d.attempt}${d.tries ? ` (${plural(d.tries, 'try', 'tries')})` : ''}</td>
<td>${d.smtpResponse ?? ''}${d.errorCode ? html` <code>${d.errorCode}</code>` : ''} ${d.lastError ?? ''}</td>
<td>${allows('resend', d.status) ? resendButton(frame, digest.id, d, d.subscriber.email, here) : ''}</td></tr>`,
      )}</tbody></table>`
}`;
}

export function subscribersBody(
  q: string,
  rows: Array<{ id: number; email: string; status: string; paused: boolean; bounceCount: number; createdAt: Date }>,
): Html {
  return html`<form method="get" action="${BASE}/subscribers" class="search" role="search">
<label for="q">Address contains</label> <input id="q" name="q" type="search" value="${q}"> <button type="submit">Search</button>
</form>
${
  rows.length === 0
    ? html`<p>No subscriber${q ? html` matches “${q}”` : ''}.</p>`
    : html`<table><caption class="visually-hidden">Subscribers</caption>${thead('Address', 'Status', 'Bounces', 'Since')}
<tbody>${rows.map((s) =>
        cells(
          html`<a href="${BASE}/subscribers/${s.id}">${s.email}</a>`,
          html`${badge(s.status)}${s.paused ? ' (paused)' : ''}`,
          s.bounceCount,
          time(s.createdAt),
        ),
      )}</tbody></table>`
}`;
}

export function subscriberBody(
  frame: Frame,
  s: {
    id: number;
    email: string;
    status: string;
    paused: boolean;
    topics: string[];
    bounceCount: number;
    createdAt: Date;
    confirmedAt: Date | null;
    unsubscribedAt: Date | null;
    bouncedAt: Date | null;
    deliveries: Array<{
      id: number;
      digestId: number;
      status: string;
      attempt: number;
      smtpResponse: string | null;
      errorCode: string | null;
      attempts: Array<{ attempt: number; status: string; messageId: string | null; smtpResponse: string | null; reason: string | null; at: Date }>;
    }>;
    reports: Array<{ kind: string; via: string; status: string | null; diagnostic: string | null; outcome: string; receivedAt: Date }>;
  },
): Html {
  const here = `${BASE}/subscribers/${s.id}`;
  return html`<dl class="facts">
<dt>Status</dt><dd>${badge(s.status)}${s.paused ? ' (paused by the reader)' : ''} \
${s.status === 'bounced' ? button(frame, `${here}/reactivate`, 'Reactivate', { back: here }) : ''}</dd>
<dt>Topics</dt><dd>${s.topics.join(' · ')}</dd>
<dt>Bounces counted</dt><dd>${s.bounceCount}</dd>
<dt>Subscribed</dt><dd>${time(s.createdAt)}</dd><dt>Confirmed</dt><dd>${time(s.confirmedAt)}</dd>
<dt>Unsubscribed</dt><dd>${time(s.unsubscribedAt)}</dd><dt>Bounced</dt><dd>${time(s.bouncedAt)}</dd>
</dl>
<h2>Deliveries</h2>
${
  s.deliveries.length === 0
    ? html`<p>None.</p>`
    : html`<table><caption class="visually-hidden">Deliveries to ${s.email}</caption>${thead('Digest', 'Status', 'Attempts', 'Action')}
<tbody>${s.deliveries.map(
        (d) => html`<tr><td>${digestLink(d.digestId)} (delivery ${d.id})</td>\
<td>${badge(d.status)} ${d.smtpResponse ?? ''} ${d.errorCode ? html`<code>${d.errorCode}</code>` : ''}</td>
<td><ul class="attempts">${d.attempts.map(
          (a) =>
            html`<li>${time(a.at)} attempt ${a.attempt}: ${a.status}${a.smtpResponse ? ` — ${a.smtpResponse}` : ''}${a.reason ? ` — ${a.reason}` : ''}</li>`,
        )}</ul></td>
<td>${allows('resend', d.status) && s.status === 'active' ? resendButton(frame, d.digestId, d, s.email, here) : ''}</td></tr>`,
      )}</tbody></table>`
}
<h2>Bounces, complaints, unsubscribes by mail</h2>
${
  s.reports.length === 0
    ? html`<p>None.</p>`
    : html`<ul>${s.reports.map(
        (r) => html`<li>${time(r.receivedAt)} ${r.kind.replace('_', ' ')} via ${r.via}${r.status ? ` (${r.status})` : ''}\
${r.diagnostic ? ` — ${r.diagnostic}` : ''}: ${r.outcome}</li>`,
      )}</ul>`
}`;
}

/**
 * A delivery's Resend: the form carries the attempt it was shown, so the same form posted twice
 * resends once; a sent one asks first (resendConfirmBody).
 */
function resendButton(frame: Frame, digestId: number, d: { status: string; attempt: number }, email: string, back: string): Html {
  return button(frame, `${BASE}/digests/${digestId}/resend-one`, d.status === 'sent' ? 'Resend…' : 'Resend', { email, attempt: d.attempt, back });
}

/** The confirmation step of resending a sent delivery. */
export function resendConfirmBody(
  frame: Frame,
  input: { digestId: number; deliveryId: number; email: string; attempt: number; sentAt: Date | null; back: string },
): Html {
  return html`<p>Delivery ${input.deliveryId} of digest ${input.digestId} to <strong>${input.email}</strong> was sent\
${input.sentAt ? html` at ${time(input.sentAt)}` : ''}: the relay accepted it.</p>
<p>Resending mails the reader a second copy, as a new attempt — without the papers they got since in other digests (not at all if nothing is left). \
Resend it only if they asked for it or it was lost.</p>
<form method="post" action="${BASE}/digests/${input.digestId}/resend-one" class="inline">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}">
<input type="hidden" name="email" value="${input.email}">
<input type="hidden" name="attempt" value="${String(input.attempt)}">
<input type="hidden" name="back" value="${input.back}">
<input type="hidden" name="confirm" value="yes">
<button type="submit" class="primary">Resend it</button>
</form> <a href="${input.back}">Cancel</a>`;
}
