import type { Command } from 'commander';
import { ingestDeps } from '../../app/deps.ts';
import { ingestByHand, sendByHand } from '../../app/jobs-by-hand.ts';
import { describeRejection } from '../../ingest/ingest-inputs.ts';
import { ingestBundledSeedsOnce } from '../../jobs/bundled-seeds.ts';
import { plural } from '../../log/plural.ts';
import { withContext } from '../run.ts';
import { describeDigest, digestNow } from './digest.ts';
import { finish, sendAll } from './send.ts';

export function registerRunOnce(program: Command): void {
  program
    .command('run-once')
    .description('ingest what is pending in SNAPSHOT_SOURCE, build the digest, send it, and exit')
    .action(async () => {
      await withContext(async (ctx) => {
        if (ctx.config.bundledSeeds) await ingestBundledSeedsOnce(ingestDeps(ctx));
        const outcomes = await ingestByHand(ctx, 'cli', [ctx.config.SNAPSHOT_SOURCE]);
        const count = (kind: string) => outcomes.filter((o) => o.kind === kind).length;
        const rejected = outcomes.filter((o) => o.kind === 'rejected');
        process.stdout.write(
          `ingest: ${plural(count('ingested'), 'new snapshot')}, ${count('duplicate')} already known, ${count('quiet')} quiet ` +
            `(empty), ${rejected.length} rejected\n`,
        );
        for (const r of rejected) if (r.kind === 'rejected') process.stdout.write(`  ${describeRejection(r)}\n`);
        const built = describeDigest(await digestNow(ctx, false));
        if (built !== 0) return built; // interrupted (Ctrl-C): nothing more to send
        const status = finish(ctx, await sendByHand(ctx, 'cli', () => sendAll(ctx)));
        if (rejected.length > 0) {
          process.stderr.write(`paperboy: ${plural(rejected.length, 'input')} of ${ctx.config.SNAPSHOT_SOURCE} rejected\n`);
          return 1;
        }
        return status;
      });
    });
}
