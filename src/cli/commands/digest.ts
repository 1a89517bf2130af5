import type { Command } from 'commander';
import type { AppContext } from '../../app/context.ts';
import { digestByHand } from '../../app/jobs-by-hand.ts';
import type { BuildDigestResult, BuildStopped } from '../../digest/build-digest.ts';
import { plural } from '../../log/plural.ts';
import { untilInterrupted } from '../interrupt.ts';
import { withContext } from '../run.ts';

export function registerDigest(program: Command): void {
  program
    .command('digest')
    .description("build the digest of the newest snapshot: queue each subscriber's delivery (nothing is sent yet)")
    .option('--dry-run', 'print what each subscriber would get; write nothing')
    .action(async (options: { dryRun?: boolean }) => {
      await withContext(async (ctx) => describeDigest(await digestNow(ctx, options.dryRun ?? false)));
    });
}

/**
 * The build (or a dry run) from the command line. Ctrl-C or SIGTERM stops a build between chunks:
 * the chunk in flight is committed, the digest stays building (nothing of it is sent) and the next
 * `paperboy digest` — or a serve — goes on after it.
 */
export async function digestNow(ctx: AppContext, dryRun: boolean): Promise<BuildDigestResult | BuildStopped> {
  if (!dryRun) {
    const stopping = { event: 'digest.stopping', msg: 'stopping the digest build after the chunk in flight (again to stop at once)' };
    return untilInterrupted(ctx.log, stopping, (signal) => digestByHand(ctx, 'cli', { signal }));
  }
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

/** What a build did, on stdout; the exit status: 130 when it was interrupted (Ctrl-C, SIGTERM) before the end, as backfill's. */
export function describeDigest(result: BuildDigestResult | BuildStopped): number {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  switch (result.kind) {
    case 'stopped': {
      const which = result.digestId ? ` (digest ${result.digestId} is building: nothing of it is sent yet)` : '';
      process.stderr.write(`paperboy: the digest build stopped after ${plural(result.readers, 'reader')}${which}\n`);
      process.stderr.write('next: `paperboy digest` goes on from there (so does `paperboy serve`)\n');
      return 130;
    }
    case 'no-snapshot':
      out(
        'no snapshot to digest yet (history snapshots — the bundled seeds, backfilled days — are never digested): run `paperboy ingest ' +
          '<file|folder|url>` first',
      );
      return 0;
    case 'up-to-date':
      out(`the newest snapshot (${result.snapshotId}) already has digest ${result.digestId}: nothing to build`);
      return 0;
    case 'building-elsewhere':
      out(`another process is building the digest${result.digestId ? ` (digest ${result.digestId})` : ''}: nothing to do here`);
      return 0;
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
      return 0;
    }
  }
}

/** A topic as shown to people: in quotes, unless it has quotes of its own. */
function quoteTopic(topic: string): string {
  return topic.includes('"') ? topic : `"${topic}"`;
}
