// The banner's word on the source once `serve` has checked it at start-up: plainly whether the live
// source could be reached, and what the pages show meanwhile.
import type { AppContext } from '../app/context.ts';
import { displaySource } from '../ingest/ingest-inputs.ts';
import { isUrl } from '../ingest/read-input.ts';
import { sourceHealth } from '../jobs/ingest-source.ts';
import { plural } from '../log/plural.ts';

export async function sourceCheckLine(ctx: AppContext): Promise<string> {
  const { config } = ctx;
  const shown = displaySource(config.SNAPSHOT_SOURCE);
  const [health, counts] = await Promise.all([
    sourceHealth(ctx.db.prisma, config.SNAPSHOT_SOURCE, ctx.now(), config.SOURCE_STALE_AFTER),
    ctx.db.sql.query<{ all: number; history: number }>('SELECT count(*)::int AS all, count(*) FILTER (WHERE history)::int AS history FROM snapshot'),
  ]);
  const { all, history } = counts.rows[0] ?? { all: 0, history: 0 };
  const stored =
    all === 0
      ? 'no snapshot is stored yet'
      : `the pages show the ${plural(all, 'snapshot')} ` +
        `stored${history ? ` (${history} of them history: the bundled seeds or backfilled days, never mailed)` : ''}`;
  if (!health) return `  source     ${shown}: not checked yet; ${stored}`;
  const unreachable = health.problems.find((p) => p.reason === 'fetch_failed');
  if (unreachable && isUrl(config.SNAPSHOT_SOURCE)) {
    return `  source     the live source ${shown} ${unreachable.message}; ${stored}; paperboy tries again at every ingest`;
  }
  if (!health.healthy) return `  source     ${shown} is unhealthy: ${health.problems.map((p) => `${p.reason}: ${p.message}`).join('; ')}; ${stored}`;
  return `  source     ${shown} checked: healthy; ${stored}`;
}
