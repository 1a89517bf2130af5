import type { Command } from 'commander';
import { sendDeps } from '../../app/deps.ts';
import { sendByHand } from '../../app/jobs-by-hand.ts';
import { recover, startWorker } from '../../deliver/worker-liveness.ts';
import type { AppContext } from '../../app/context.ts';
import { countHeldBack, countSendable, failedByDigest } from '../../db/delivery-backlog.ts';
import { deliveryCounts } from '../../db/deliveries.ts';
import { sendQueued, type SendSummary } from '../../deliver/send-deliveries.ts';
import { progressBar } from '../progress.ts';
import { withContext } from '../run.ts';

export function registerSend(program: Command): void {
  program
    .command('send')
    .description(
      'send every queued delivery, waiting for their retries (several `send` processes may run at once); exit 1 if any failed, is unknown or is left queued',
    )
    .action(async () => {
      await withContext(async (ctx) => finish(ctx, await sendByHand(ctx, 'cli', () => sendAll(ctx))));
    });
}

export interface SendRun {
  summary: SendSummary;
  /** after the run, in the whole database */
  left: {
    unknown: number;
    heldBack: number;
    heldBackDigests: number[];
    queued: number;
    failed: Array<{ digestId: number; failed: number; reply: string | null }>;
  };
}

/**
 * Sends what is queued, with a progress bar on a terminal. Ctrl-C (or SIGTERM) stops claiming and
 * lets the sends in flight end; a second one cuts them (each recorded: released, or unknown).
 */
export async function sendAll(ctx: AppContext): Promise<SendRun> {
  const worker = await startWorker(ctx.db, 'send', ctx.log);
  const stop = new AbortController();
  const cut = new AbortController();
  const onSignal = () => (stop.signal.aborted ? cut.abort() : stop.abort());
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const settle = () => recover(ctx.db.sql, ctx.log);
    await settle();
    const total = await countSendable(ctx.db.sql);
    const bar = progressBar(total, `sending via ${ctx.mailer.description}`);
    const summary = await sendQueued(sendDeps(ctx, worker), {
      signal: stop.signal,
      abortSends: cut.signal,
      maintenance: settle,
      onProgress: (p) =>
        bar.update(p.sent + p.failed + p.unknown, [p.failed ? `${p.failed} failed` : '', p.unknown ? `${p.unknown} unknown` : ''].filter(Boolean).join(', ')),
    });
    bar.stop();
    await worker.stop();
    await settle();
    const counts = await deliveryCounts(ctx.db.sql);
    const held = await countHeldBack(ctx.db.sql);
    const failed = summary.failed ? await failedByDigest(ctx.db.sql) : [];
    return { summary, left: { unknown: counts.unknown, heldBack: held.queued, heldBackDigests: held.digests, queued: counts.queued - held.queued, failed } };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await worker.stop();
  }
}

/**
 * One line of outcome on stdout; when not everything was sent, exit 1 with what needs a look on
 * stderr, ending with the next commands to run.
 */
export function finish(ctx: AppContext, { summary: s, left }: SendRun): number {
  const parts = [
    `sent ${s.sent}`,
    `failed ${s.failed}`,
    `retried ${s.retried}`,
    ...(s.unknown ? [`unknown ${s.unknown}`] : []),
    ...(s.bounced ? [`bounced ${s.bounced}`] : []),
    ...(s.skipped ? [`skipped ${s.skipped} (nothing new: the reader got every paper of it in another delivery)`] : []),
  ];
  process.stdout.write(`${parts.join(', ')} (${ctx.mailer.description})\n`);
  const reply = left.failed.at(-1)?.reply;
  const problems = [
    s.failed ? `${s.failed} failed${reply ? ` (last reply: ${reply.split('\n')[0]})` : ''}` : '',
    left.unknown ? `${left.unknown} with an unknown outcome: check the relay's log for their Message-IDs` : '',
    s.unrecorded ? `${s.unrecorded} sent or tried but not recorded (the database went away; see delivery.record_failed)` : '',
    left.queued ? `${left.queued} still queued (stopped early, or another process is sending)` : '',
    left.heldBack ? `${left.heldBack} queued in paused digest ${left.heldBackDigests.join(', ')}` : '',
  ].filter(Boolean);
  if (problems.length === 0) return 0;
  const next = [
    ...left.failed.map((f) => `paperboy resend ${f.digestId} --only-failed`),
    ...(left.unknown ? ['paperboy unknown', 'paperboy resolve <delivery>… --sent|--resend'] : []),
    ...left.heldBackDigests.filter((id) => !left.failed.some((f) => f.digestId === id)).map((id) => `paperboy resume ${id}`),
  ];
  const then = next.length || left.queued ? 'paperboy send' : '';
  const steps = [...next, then]
    .filter(Boolean)
    .map((c) => `\`${c}\``)
    .join(', then ');
  const fix = s.failed || left.heldBack ? 'fix what the reply says (relay, address), then ' : '';
  process.stderr.write(`paperboy: ${problems.join('; ')}\nnext: ${fix}${steps || '`paperboy digests` to see where each digest stands'}\n`);
  return 1;
}
