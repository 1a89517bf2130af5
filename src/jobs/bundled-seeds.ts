// The bundled seeds as history, once. Left at its default, SNAPSHOT_SOURCE is the live daily papers
// API, which a machine offline cannot reach: a new database then also gets the text captures in the
// package's seeds/ folder, so the page has papers to preview from the first minute. They are history
// snapshots (CONTEXT.md): never digested, so nobody is mailed those old papers as new. Once: only a
// database without any snapshot gets them (two processes starting together store each seed once:
// the same content is one snapshot).
import { fileURLToPath } from 'node:url';
import { ingestInputs, type IngestDeps, type IngestOutcome } from '../ingest/ingest-inputs.ts';
import { plural } from '../log/plural.ts';

/** seeds/ at the package's root (from src/jobs/ and from dist/jobs/ alike) */
const BUNDLED_SEEDS = fileURLToPath(new URL('../../seeds/', import.meta.url));

/** The seeds' outcomes, or null when the database already had a snapshot. */
export async function ingestBundledSeedsOnce(deps: IngestDeps, folder = BUNDLED_SEEDS): Promise<IngestOutcome[] | null> {
  const { rowCount } = await deps.sql.query('SELECT 1 FROM snapshot LIMIT 1');
  if (rowCount) return null;
  const outcomes = await ingestInputs(deps, [folder], undefined, { history: true });
  const stored = outcomes.filter((o) => o.kind === 'ingested').length;
  deps.log.info(
    { event: 'source.bundled_seeds', folder, snapshots: stored },
    `a new database: the bundled seeds are stored as history (${plural(stored, 'snapshot')}, never mailed) so the page has papers to preview`,
  );
  return outcomes;
}
