// `paperboy digests`: the recent digests, newest first, each with the day of its listing and its
// deliveries by status — the ids `resend`, `resume` and `resolve` take.
import type { Command } from 'commander';
import { listDigests, type DigestWithCounts } from '../../db/digests.ts';
import { plural } from '../../log/plural.ts';
import { withContext } from '../run.ts';
import { parseId } from './resend.ts';

export function registerDigests(program: Command): void {
  program
    .command('digests')
    .description('the recent digests, newest first: listing date, status, new papers and deliveries by status (the ids resend, resume and resolve take)')
    .option('--limit <n>', 'how many (default 20)', parseId, 20)
    .action(async (options: { limit: number }) => {
      await withContext(async (ctx) => {
        const digests = await listDigests(ctx.db.prisma, options.limit);
        process.stdout.write(`${digestLines(digests).join('\n')}\n`);
        return 0;
      });
    });
}

/** One line per digest (times in UTC), skipped ones summed up at the end. Pure. */
function digestLines(digests: DigestWithCounts[]): string[] {
  if (digests.length === 0) return ['no digest yet: `paperboy digest` builds the first (after `paperboy ingest`)'];
  const real = digests.filter((d) => d.status !== 'skipped');
  const skipped = digests.filter((d) => d.status === 'skipped');
  const lines = real.map((d) => {
    const counts = Object.entries(d.counts)
      .filter(([, n]) => n > 0)
      .map(([status, n]) => `${n} ${status}`);
    const status = d.status === 'paused' ? `paused (${d.pauseReason ?? 'too many failures'})` : d.status;
    return (
      `digest ${d.id}  listing ${day(d.snapshotCapturedAt)}  built ${minute(d.createdAt)} UTC  ${status}  ${plural(d.newPaperCount, 'new paper')}` +
      `  ${plural(d.deliveryCount, 'delivery', 'deliveries')}${counts.length ? `: ${counts.join(', ')}` : ''}`
    );
  });
  if (skipped.length) {
    lines.push(
      `${plural(skipped.length, 'skipped digest')} (older listings a newer one was digested before: never mailed): ` +
        `${skipped.map((d) => `${d.id} (listing ${day(d.snapshotCapturedAt)})`).join(', ')}`,
    );
  }
  return lines;
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const minute = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
