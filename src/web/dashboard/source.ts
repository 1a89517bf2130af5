// The dashboard's word on the source: a plain notice on the overview when the live source cannot be
// reached, and the backfill — a form (from which day), a confirmation page saying what it will do,
// and the progress of the one running.
import type { SourceHealth } from '../../jobs/source-health.ts';
import { html, type Html } from '../pages/html.ts';
import { BASE, type Frame } from './views.ts';
import { plural } from '../../log/plural.ts';

export interface BackfillJob {
  id: number;
  status: string;
  detail: unknown;
  startedAt: Date;
}

/** The overview's first line when the live source cannot be reached (a URL whose last check failed to connect). */
export function unreachableNotice(display: string, health: SourceHealth | null, isUrl: boolean, snapshots: number): Html | '' {
  const problem = isUrl ? health?.problems.find((p) => p.reason === 'fetch_failed') : undefined;
  if (!problem) return '';
  return html`<p class="notice error" role="alert"><strong>The live source cannot be reached</strong>: <code>${display}</code> — \
${problem.message.replace(/^cannot be reached: /, '')}. The pages show the ${snapshots} ${snapshots === 1 ? 'snapshot' : 'snapshots'} already stored; \
paperboy tries again at every ingest.</p>`;
}

function progress(job: BackfillJob | null): Html | '' {
  if (!job || job.status !== 'running') return '';
  const d = (job.detail ?? {}) as { from?: string; to?: string; days?: number; done?: number; last?: string };
  return html`<p class="notice ok" role="status">Backfill running (job ${job.id}): ${d.from ?? '?'} to ${d.to ?? '?'}, \
${d.done ?? 0} of ${typeof d.days === 'number' ? plural(d.days, 'day') : '? days'}${d.last ? html`, last ${d.last}` : ''}. Reload to follow it.</p>`;
}

export function backfillSection(frame: Frame, job: BackfillJob | null, isUrl: boolean, yesterday: string): Html {
  if (!isUrl) return html`<p>Backfill: SNAPSHOT_SOURCE is not the daily papers API, so there is nothing to backfill from.</p>`;
  return html`${progress(job)}
<form method="post" action="${BASE}/backfill/confirm" class="backfill">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}">
<fieldset><legend>Backfill earlier days</legend>
<p class="hint">Each listing day from this one to yesterday is fetched from the API (one request a second) and kept as history: \
the preview and the store of papers gain them, and no digest is built from them — nobody is mailed old papers. \
Days already backfilled are not fetched again.</p>
<label for="backfill-since">From</label> <input id="backfill-since" name="since" type="date" required max="${yesterday}">
<label for="backfill-until">to (optional)</label> <input id="backfill-until" name="until" type="date" max="${yesterday}">
<button type="submit">Backfill…</button>
</fieldset>
</form>`;
}

export function backfillConfirmBody(frame: Frame, input: { source: string; since: string; until: string | undefined; days: string[] }): Html {
  const n = input.days.length;
  return html`<p>Backfill <strong>${n} ${n === 1 ? 'day' : 'days'}</strong>, ${input.days[0]} to ${input.days.at(-1)}, from <code>${input.source}</code>?</p>
<ul>
<li>One request a second (about ${Math.max(1, Math.ceil(n / 60))} ${n > 60 ? 'minutes' : 'minute'}); \
days already backfilled are skipped, and a stopped backfill continues where it was.</li>
<li>The days are kept as history: no digest is built from them, and nobody is mailed.</li>
</ul>
<form method="post" action="${BASE}/backfill" class="inline">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}">
<input type="hidden" name="since" value="${input.since}">${input.until ? html`<input type="hidden" name="until" value="${input.until}">` : ''}
<input type="hidden" name="confirm" value="yes">
<button type="submit" class="primary">Start the backfill</button>
</form> <a href="${BASE}">Cancel</a>`;
}
