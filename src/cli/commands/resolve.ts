import type { Command } from 'commander';
import { recover } from '../../deliver/worker-liveness.ts';
import { listUnknown } from '../../db/operator-deliveries.ts';
import { resolveUnknown, type Resolution } from '../../deliver/resend.ts';
import { CliError, withContext } from '../run.ts';
import { parseId } from './resend.ts';
import { plural } from '../../log/plural.ts';

export function registerResolve(program: Command): void {
  program
    .command('unknown')
    .description("list deliveries whose outcome is unknown (handed to the relay, no final reply): check the relay's log for their Message-IDs")
    .option('--digest <id>', 'only this digest', parseId)
    .action(async (options: { digest?: number }) => {
      await withContext(async (ctx) => {
        await recover(ctx.db.sql, ctx.log);
        let count = 0;
        for (let after = 0; ;) {
          const page = await listUnknown(ctx.db.sql, { ...(options.digest ? { digestId: options.digest } : {}), after, limit: 500 });
          if (page.length === 0) break;
          for (const d of page) {
            process.stdout.write(`${d.id}\tdigest ${d.digestId}\t${d.email}\t<${d.messageId ?? '?'}>\t${d.code ?? ''}\t${d.exchange ?? d.error ?? ''}\n`);
          }
          count += page.length;
          after = page[page.length - 1]!.id;
        }
        process.stdout.write(
          count === 0
            ? 'no delivery has an unknown outcome\n'
            : `${count} unknown: \`paperboy resolve <id>… --sent\` (the relay has it) or \`--resend\` (it does not)\n`,
        );
        return 0;
      });
    });

  program
    .command('resolve')
    .description('settle unknown deliveries: --sent (the relay took them: recorded as sent) or --resend (a new attempt is queued)')
    .argument('[delivery...]', 'delivery ids (see `paperboy unknown`)')
    .option('--digest <id>', 'every unknown delivery of this digest', parseId)
    .option('--sent', "the relay's log shows them accepted")
    .option('--resend', 'they were not delivered: queue a new attempt')
    .action(async (ids: string[], options: { digest?: number; sent?: boolean; resend?: boolean }) => {
      if (Boolean(options.sent) === Boolean(options.resend)) throw new CliError('give exactly one of --sent or --resend', 2);
      if (ids.length > 0 === Boolean(options.digest)) throw new CliError('give delivery ids or --digest <id>, not both', 2);
      const deliveryIds = ids.map((id) => {
        try {
          return parseId(id);
        } catch {
          throw new CliError(`not a delivery id: ${JSON.stringify(id)}`, 2);
        }
      });
      const outcome: Resolution = options.sent ? 'sent' : 'resend';
      await withContext(async (ctx) => {
        await recover(ctx.db.sql, ctx.log);
        const target = options.digest ? { digestId: options.digest } : { ids: deliveryIds };
        const note = outcome === 'sent' ? 'resolved by an operator: the relay had it' : 'resolved by an operator: resent as a new attempt';
        const result = await resolveUnknown(ctx.db.sql, target, outcome, `${note} (cli)`);
        ctx.log.info(
          { event: 'delivery.resolved', outcome, deliveryIds: result.resolved.map((r) => r.deliveryId) },
          `${plural(result.resolved.length, 'unknown delivery', 'unknown deliveries')} resolved as ${outcome}`,
        );
        for (const r of result.resolved)
          process.stdout.write(`${r.deliveryId}\t${r.email}\t${outcome === 'sent' ? 'sent' : `queued as attempt ${r.attempt}`}\n`);
        process.stdout.write(`${result.resolved.length} resolved${outcome === 'resend' && result.resolved.length ? '; run `paperboy send`' : ''}\n`);
        if (result.skipped.length === 0) return 0;
        const why = result.skipped.map((s) => `${s.deliveryId} ${s.status ? `is ${s.status}` : 'does not exist'}`).join(', ');
        throw new CliError(`not unknown, left alone: ${why}`);
      });
    });
}
