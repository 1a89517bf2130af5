import type { Command } from 'commander';
import { ingestByHand } from '../../app/jobs-by-hand.ts';
import { describeRejection, type IngestOutcome } from '../../ingest/ingest-inputs.ts';
import { plural } from '../../log/plural.ts';
import { withContext } from '../run.ts';
import { backfillCommand } from './backfill.ts';

/** Warnings shown per snapshot; the rest are counted. */
const WARNINGS_SHOWN = 5;

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description(
      'store snapshots from files, folders (each file once, in name order) or http(s) URLs; or, with --since, backfill earlier days from the daily papers API',
    )
    .argument('[inputs...]', 'snapshot files (text capture or daily papers JSON), folders or URLs; with --since, the API (default: SNAPSHOT_SOURCE)')
    .option('--since <day>', 'backfill the listing days from this one (YYYY-MM-DD) to yesterday, day by day, as history: never mailed')
    .option('--until <day>', 'with --since: the last day to backfill (default: yesterday, UTC)')
    .option('--pace <duration>', 'with --since: the least time between two requests to the API', '1s')
    .addHelpText('after', '\nA backfill is resumable: run the same command again and it continues where it stopped.\n  paperboy ingest --since 2026-11-01')
    .action(async (inputs: string[], options: { since?: string; until?: string; pace: string }) => {
      if (options.since !== undefined) return backfillCommand(inputs, { since: options.since, until: options.until, pace: options.pace });
      if (options.until !== undefined) return fail('--until needs --since (a backfill)');
      if (inputs.length === 0) return fail('name what to ingest (a file, a folder or a URL), or backfill with --since YYYY-MM-DD');
      await withContext(async (ctx) => {
        const outcomes = await ingestByHand(ctx, 'cli', inputs, (o) => process.stdout.write(`${describe(o)}\n`));
        const rejected = outcomes.filter((o) => o.kind === 'rejected');
        if (rejected.length > 0) {
          process.stderr.write(`paperboy: ${rejected.length} of ${plural(outcomes.length, 'input')} rejected: ${describeRejection(rejected[0]!)}\n`);
          return 1;
        }
        return 0;
      });
    });
}

function fail(message: string): void {
  process.stderr.write(`paperboy: ingest: ${message}\n`);
  process.exitCode = 2;
}

function describe(o: IngestOutcome): string {
  switch (o.kind) {
    case 'ingested': {
      const day = o.snapshot.capturedAt.toISOString().slice(0, 10);
      const cut = o.truncated ? ' (last entry cut off: dropped)' : '';
      const shown = o.warnings
        .slice(0, WARNINGS_SHOWN)
        .map((w) => `\n  warning: ${w}`)
        .join('');
      const more = o.warnings.length > WARNINGS_SHOWN ? `\n  and ${plural(o.warnings.length - WARNINGS_SHOWN, 'more warning')}` : '';
      const history = o.history
        ? `; captured before snapshot ${o.history.snapshotId}, whose digest ${o.history.digestId} is built: kept as history, never mailed (built ` +
          `digests do not change)`
        : '';
      return `${o.source}: snapshot ${o.snapshot.id} captured ${day}, ${plural(o.papers, 'paper')}, ${o.newPapers} new${history}${cut}${shown}${more}`;
    }
    case 'duplicate':
      return `${o.source}: already ingested as snapshot ${o.snapshotId} (same content), nothing to do`;
    case 'quiet':
      return `${o.source}: an empty listing (a quiet day, such as a weekend): nothing stored — ${o.message}`;
    case 'rejected':
      return `${describeRejection(o)} — rejected, nothing stored`;
  }
}
