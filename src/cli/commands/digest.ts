import type { Command } from 'commander';
import type { AppContext } from '../../app/context.ts';
import { digestByHand } from '../../app/jobs-by-hand.ts';
import type { BuildDigestResult } from '../../digest/build-digest.ts';
import { plural } from '../../log/plural.ts';
import { withContext } from '../run.ts';

export function registerDigest(program: Command): void {
  program
    .command('digest')
    .description("build the digest of the newest snapshot: queue each subscriber's delivery (nothing is sent yet)")
    .option('--dry-run', 'print what each subscriber would get; write nothing')
    .action(async (options: { dryRun?: boolean }) => {
      await withContext(async (ctx) => {
        describeDigest(await digestNow(ctx, options.dryRun ?? false));
        return 0;
      });
    });
}

export async function digestNow(ctx: AppContext, dryRun: boolean): Promise<BuildDigestResult> {
  if (!dryRun) return digestByHand(ctx, 'cli');
  return digestByHand(ctx, 'cli', {
    dryRun,
    onPlan: (plan, papers) => {
      const why = (p: (typeof plan.papers)[number]) =>
        p.section === 'also-like'
          ? `you may also like: like “${p.resembles?.title ?? ''}”`
          : `matched ${p.topics.map(quoteTopic).join(', ')}${p.section === 'not-for-you' ? ' (probably not for you)' : ''}`;
      const lines = plan.papers.map((p) => `    ${papers.get(p.paperId)?.title ?? `paper ${p.paperId}`}  — ${why(p)}`);
      process.stdout.write(`${plan.email}: ${plan.papers.length} paper${plan.papers.length === 1 ? '' : 's'}\n${lines.join('\n')}\n`);
    },
  });
}

export function describeDigest(result: BuildDigestResult): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  switch (result.kind) {
    case 'no-snapshot':
      out(
        'no snapshot to digest yet (history snapshots — the bundled seeds, backfilled days — are never digested): run `paperboy ingest ' +
          '<file|folder|url>` first',
      );
      return;
    case 'up-to-date':
      out(`the newest snapshot (${result.snapshotId}) already has digest ${result.digestId}: nothing to build`);
      return;
    case 'building-elsewhere':
      out(`another process is building the digest${result.digestId ? ` (digest ${result.digestId})` : ''}: nothing to do here`);
      return;
    default: {
      const day = result.snapshot.capturedAt.toISOString().slice(0, 10);
      const what = result.kind === 'dry-run' ? 'dry run, nothing written:' : `digest ${result.digest!.id}:`;
      out(
        `${what} snapshot ${result.snapshot.id} (${day}), ${plural(result.newPapers.length, 'new paper')}, ` +
          `${plural(result.subscribers, 'active subscriber')}, ${plural(result.deliveries, 'delivery', 'deliveries')}` +
          `${result.kind === 'built' ? ' queued' : ''}`,
      );
      if (result.resumedAfter !== undefined) out(`went on with a build left unfinished (${plural(result.resumedAfter, 'reader')} planned before)`);
      if (result.skippedSnapshots.length) out(`skipped older snapshots (never mailed): ${result.skippedSnapshots.join(', ')}`);
      for (const topic of result.invalidTopics) out(`warning: a stored topic no longer parses and was ignored: ${topic}`);
    }
  }
}

/** A topic as shown to people: in quotes, unless it has quotes of its own. */
function quoteTopic(topic: string): string {
  return topic.includes('"') ? topic : `"${topic}"`;
}
