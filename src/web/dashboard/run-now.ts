// "Run now" on the overview: ingest SNAPSHOT_SOURCE or build the digest of the newest snapshot by
// hand — each button opens a page saying what it will do (the digest's from a dry run), whose own
// button does it (the same actions as the admin API's POST /admin/ingest and /admin/digest).
import { plural } from '../../log/plural.ts';
import { html, type Html } from '../pages/html.ts';
import type { DigestActionResult, ingestAction } from '../admin/actions.ts';
import { BASE, button, type Frame } from './views.ts';

type IngestRun = Awaited<ReturnType<typeof ingestAction>>;

const day = (d: Date) => d.toISOString().slice(0, 10);

export function runNowSection(frame: Frame): Html {
  return html`<div class="actions run-now">
${button(frame, `${BASE}/ingest/confirm`, 'Ingest now…')}
${button(frame, `${BASE}/digest/confirm`, 'Build the digest…')}
</div>`;
}

export function ingestConfirmBody(frame: Frame, source: string): Html {
  return html`<p>Read <code>${source}</code> now, as the schedule does?</p>
<ul>
<li>A new listing is stored as a snapshot; one already stored, or an empty one (a quiet day), changes nothing.</li>
<li>Nothing is mailed: the digest is built at its own time, or with “Build the digest…”.</li>
</ul>
${button(frame, `${BASE}/ingest`, 'Ingest now', { confirm: 'yes' }, 'primary')} <a href="${BASE}">Cancel</a>`;
}

export function digestConfirmBody(frame: Frame, plan: DigestActionResult): Html {
  if (plan.kind === 'no-snapshot')
    return html`<p>There is no snapshot to digest yet (the bundled seeds and backfilled days are history: never digested). Ingest first.</p>\
<p><a href="${BASE}">Back to the overview</a></p>`;
  if (plan.kind === 'up-to-date')
    return html`<p>The newest snapshot (${plan.snapshotId}) already has \
<a href="${BASE}/digests/${plan.digestId}">digest ${plan.digestId}</a>: nothing to build.</p><p><a href="${BASE}">Back to the overview</a></p>`;
  if (plan.kind === 'building-elsewhere') return html`<p>${buildingElsewhere(plan.digestId)}</p><p><a href="${BASE}">Back to the overview</a></p>`;
  return html`<p>Build the digest of the listing of <strong>${day(plan.capturedAt)}</strong> (snapshot ${plan.snapshotId})?</p>
<ul>
<li>${plural(plan.newPapers, 'new paper')}; ${plural(plan.deliveries, 'delivery', 'deliveries')} to queue for \
${plural(plan.subscribers, 'active subscriber')} (a dry run just now).</li>
<li>The sender starts mailing them at once.</li>
${
  plan.skippedSnapshots.length
    ? html`<li>Older undigested ${plan.skippedSnapshots.length === 1 ? 'snapshot' : 'snapshots'} ${plan.skippedSnapshots.join(', ')} will be skipped: \
never mailed.</li>`
    : ''
}
</ul>
${button(frame, `${BASE}/digest`, 'Build and send', { confirm: 'yes' }, 'primary')} <a href="${BASE}">Cancel</a>`;
}

/** The notice after an ingest from the dashboard. */
export function ingestDone(run: IngestRun): string {
  if (run.kind === 'scheduled') {
    const r = run.result as { outcome: string; detail?: Record<string, number>; error?: string };
    if (r.outcome === 'skipped') return 'Another process is ingesting right now: nothing more to do.';
    if (r.outcome === 'failed') return `The ingest failed: ${r.error ?? 'see the log'}.`;
    return ingestCounts(r.detail?.ingested ?? 0, r.detail?.duplicate ?? 0, r.detail?.quiet ?? 0, r.detail?.rejected ?? 0);
  }
  const count = (kind: string) => run.outcomes.filter((o) => o.kind === kind).length;
  return ingestCounts(count('ingested'), count('duplicate'), count('quiet'), count('rejected'));
}

const ingestCounts = (ingested: number, duplicate: number, quiet: number, rejected: number) =>
  `Ingested: ${plural(ingested, 'new snapshot')}, ${duplicate} already stored, ${quiet} quiet, ${rejected} rejected.`;

/** The notice after building the digest from the dashboard. */
export function digestDone(result: DigestActionResult): string {
  if (result.kind === 'no-snapshot') return 'No snapshot to digest yet: nothing built.';
  if (result.kind === 'up-to-date') return `The newest snapshot already has digest ${result.digestId}: nothing built.`;
  if (result.kind === 'building-elsewhere') return buildingElsewhere(result.digestId);
  return `Built digest ${result.digest?.id ?? '?'} of the listing of ${day(result.capturedAt)}: ${plural(result.deliveries, 'delivery', 'deliveries')} queued.`;
}

const buildingElsewhere = (digestId: number | null) =>
  `Another process is building the digest${digestId ? ` (digest ${digestId})` : ''} right now: nothing more to do.`;
