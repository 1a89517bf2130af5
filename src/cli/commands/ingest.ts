import type { Command } from 'commander';
import { describeRejection, ingestInputs, type IngestOutcome } from '../../ingest/ingest-inputs.ts';
import { withContext } from '../run.ts';

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('store snapshots from files, folders (each file once, in name order) or http(s) URLs')
    .argument('<inputs...>', 'snapshot files (text capture or daily papers JSON), folders or URLs')
    .action(async (inputs: string[]) => {
      await withContext(async (ctx) => {
        const deps = { prisma: ctx.db.prisma, log: ctx.log, now: ctx.now, maxBytes: ctx.config.SOURCE_MAX_BYTES, timeoutMs: ctx.config.SOURCE_TIMEOUT };
        const outcomes = await ingestInputs(deps, inputs, (o) => process.stdout.write(`${describe(o)}\n`));
        const rejected = outcomes.filter((o) => o.kind === 'rejected');
        if (rejected.length > 0) {
          process.stderr.write(`paperboy: ${rejected.length} of ${outcomes.length} inputs rejected: ${describeRejection(rejected[0]!)}\n`);
          return 1;
        }
        return 0;
      });
    });
}

function describe(o: IngestOutcome): string {
  switch (o.kind) {
    case 'ingested': {
      const day = o.snapshot.capturedAt.toISOString().slice(0, 10);
      const cut = o.truncated ? ' (last entry cut off: dropped)' : '';
      return `${o.source}: snapshot ${o.snapshot.id} captured ${day}, ${o.papers} papers, ${o.newPapers} new${cut}`;
    }
    case 'duplicate':
      return `${o.source}: already ingested as snapshot ${o.snapshotId} (same content), nothing to do`;
    case 'rejected':
      return `${describeRejection(o)} — rejected, nothing stored`;
  }
}
