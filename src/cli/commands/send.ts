import type { Command } from 'commander';
import { sendDeps } from '../../app/deps.ts';
import { reportStuck, startWorker } from '../../app/worker.ts';
import type { AppContext } from '../../app/context.ts';
import { countSendable } from '../../db/deliveries.ts';
import { sendQueued, type SendSummary } from '../../deliver/send-deliveries.ts';
import { progressBar } from '../progress.ts';
import { withContext } from '../run.ts';

export function registerSend(program: Command): void {
  program
    .command('send')
    .description('send every queued delivery (several `send` processes may run at once); exit 1 if any failed or is stuck')
    .action(async () => {
      await withContext(async (ctx) => finish(ctx, await sendAll(ctx)));
    });
}

export interface SendRun {
  summary: SendSummary;
  stuck: number;
}

/** Sends what is queued, with a progress bar on a terminal; Ctrl-C stops claiming and ends cleanly. */
export async function sendAll(ctx: AppContext): Promise<SendRun> {
  const worker = await startWorker(ctx.db.prisma, 'send', ctx.log);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await reportStuck(ctx.db.prisma, ctx.log);
    const total = await countSendable(ctx.db.prisma);
    const bar = progressBar(total, `sending via ${ctx.mailer.description}`);
    const summary = await sendQueued(sendDeps(ctx, worker.id), {
      signal: stop.signal,
      onProgress: (p) => bar.update(p.sent + p.failed, p.failed ? `${p.failed} failed` : ''),
    });
    bar.stop();
    await worker.stop();
    const stuck = await reportStuck(ctx.db.prisma, ctx.log);
    return { summary, stuck: stuck.length };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await worker.stop();
  }
}

/** One line of outcome on stdout; exit 1 with the counts on stderr when not everything was sent. */
export function finish(ctx: AppContext, { summary, stuck }: SendRun): number {
  const s = summary;
  process.stdout.write(`sent ${s.sent}, failed ${s.failed}, retried ${s.retried}${s.bounced ? `, bounced ${s.bounced}` : ''} (${ctx.mailer.description})\n`);
  const problems = [
    s.failed ? `${s.failed} failed` : '',
    stuck ? `${stuck} stuck in sending (see the delivery.stuck log lines; resend them once checked)` : '',
    s.paused.length ? `digest ${s.paused.join(', ')} paused after too many failures (fix the relay, then \`paperboy resume\` or \`paperboy resend --only-failed\`)` : '',
  ].filter(Boolean);
  if (problems.length === 0) return 0;
  process.stderr.write(`paperboy: ${problems.join('; ')}\n`);
  return 1;
}
