// `paperboy retention`: runs the retention job now (jobs/retention.ts), as the schedule does daily
// (RETENTION_CRON), under the same job lock: refused while another process runs it.
import type { Command } from 'commander';
import { retentionByHand } from '../../app/jobs-by-hand.ts';
import { plural } from '../../log/plural.ts';
import { CliError, withContext } from '../run.ts';

export function registerRetention(program: Command): void {
  program
    .command('retention')
    .description(
      'drop the deliveries and mailed papers older than DELIVERY_RETENTION now (the schedule does it daily): ' +
        'whole months of mailed papers, whole months of deliveries (by digest), finished deliveries of the default partition',
    )
    .action(async () => {
      await withContext(async (ctx) => {
        const locked = await retentionByHand(ctx, 'cli');
        if (!locked.ran) throw new CliError('the retention job is running in another process: try again when it is done');
        const r = locked.value;
        const out = (line: string) => process.stdout.write(`${line}\n`);
        out(`retention: what is older than ${r.cutoff.toISOString()} (DELIVERY_RETENTION)`);
        out(`  partitions created  ${r.partitionsCreated.join(', ') || 'none'}`);
        out(
          `  partitions dropped  ${r.partitionsDropped.join(', ') || 'none'}` +
            (r.readersFolded ? ` (${plural(r.readersFolded, 'reader')}' mailed papers kept in reader_mailed)` : ''),
        );
        if (r.partitionsBusy.length) out(`  left for next run   ${r.partitionsBusy.join(', ')} (the table was locked by a long transaction)`);
        if (r.partitionsRefused.length) out(`  no partition for    ${r.partitionsRefused.join(', ')} (their rows are in the default partition)`);
        out(
          `  deliveries dropped  ${r.deliveriesDropped}` +
            (r.deliveriesMoved ? ` (${plural(r.deliveriesMoved, 'delivery', 'deliveries')} still on their way moved to delivery_default)` : ''),
        );
        out(
          `  deliveries expired  ${r.deliveriesExpired}` +
            (r.defaultRowsExpired ? `, ${plural(r.defaultRowsExpired, 'mailed paper')} from the default partition` : ''),
        );
        out(`  kept, still on their way  ${r.unfinishedKept}`);
        out(`  in ${r.ms} ms`);
        return 0;
      });
    });
}
