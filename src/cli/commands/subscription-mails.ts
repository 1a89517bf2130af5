// `paperboy subscription-mails [--failed|--waiting]` and `paperboy subscription-mails resend <id>`:
// the one-off emails of the subscription steps that failed (refused for good, or still failing after
// their 7 days) or wait to be tried again, and sending a failed one again — re-queued under the same
// rules as the loop's (subscriptions/resend-mail.ts), then tried at once from this process.
import type { Command } from 'commander';
import { getMail, listMails, type MailRow } from '../../db/subscription-mail.ts';
import { subscriptionDeps } from '../../subscriptions/deps.ts';
import { SubscriptionMailQueue } from '../../subscriptions/mail-queue.ts';
import { resendSubscriptionMail } from '../../subscriptions/resend-mail.ts';
import { CliError, withContext } from '../run.ts';
import { parseId } from './resend.ts';

const when = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function line(m: MailRow): string {
  const state =
    m.status === 'failed'
      ? `failed ${m.doneAt ? when(m.doneAt) : ''}`
      : m.status === 'sending'
        ? 'being sent'
        : m.tries === 0
          ? 'queued'
          : `next try ${when(m.nextTryAt)} (until ${when(m.retryUntil)})`;
  return `${m.id}\t${m.kind}\t${m.email}\t${m.tries} ${m.tries === 1 ? 'try' : 'tries'}\t${state}\t${m.lastError ?? ''}`;
}

export function registerSubscriptionMails(program: Command): void {
  const mails = program
    .command('subscription-mails')
    .description(
      'subscription emails (confirmation, preferences link, preferences changed) that failed or wait to be tried again; `resend <id>` sends a failed one again',
    );

  mails
    .command('list', { isDefault: true })
    .description('list the failed ones and those waiting to be tried (again)')
    .option('--failed', 'only the failed ones')
    .option('--waiting', 'only those waiting')
    .action(async (options: { failed?: boolean; waiting?: boolean }) => {
      const which = options.failed === options.waiting ? (['failed', 'waiting'] as const) : options.failed ? (['failed'] as const) : (['waiting'] as const);
      await withContext(async (ctx) => {
        const out: string[] = [];
        for (const w of which) {
          const rows: MailRow[] = [];
          for (let after = 0; ;) {
            const page = await listMails(ctx.db.prisma, w, { after, limit: 500 });
            rows.push(...page);
            if (page.length < 500) break;
            after = page.at(-1)!.id;
          }
          if (rows.length === 0) {
            out.push(w === 'failed' ? 'no subscription email failed' : 'no subscription email waits to be sent');
            continue;
          }
          out.push(
            w === 'failed'
              ? `${rows.length} failed (send one again: paperboy subscription-mails resend <id>):`
              : `${rows.length} waiting (\`serve\` tries them; a relay that works again brings them forward):`,
          );
          out.push(...rows.map(line));
        }
        process.stdout.write(`${out.join('\n')}\n`);
        return 0;
      });
    });

  mails
    .command('resend')
    .description('send a failed subscription email again (not when it no longer fits: a newer confirmation replaced it, the address changed state)')
    .argument('<id>', 'the subscription email (see `paperboy subscription-mails`)', parseId)
    .action(async (id: number) => {
      await withContext(async (ctx) => {
        const result = await resendSubscriptionMail({ prisma: ctx.db.prisma, log: ctx.log, now: ctx.now }, id, 'command line');
        switch (result.kind) {
          case 'not-found':
            throw new CliError(`there is no subscription email ${id}`);
          case 'not-failed':
            throw new CliError(`subscription email ${id} is ${result.mail.status}: only a failed one is sent again`);
          case 'skipped':
            throw new CliError(`subscription email ${id} not sent again: ${result.reason} (marked skipped)`);
          case 'queued':
            break;
        }
        // tried now from here (serve's loop would within seconds; this says how it went)
        await new SubscriptionMailQueue({ ...subscriptionDeps(ctx), workerId: `cli-${process.pid}` }).sendNow(id);
        const mail = (await getMail(ctx.db.prisma, id))!;
        if (mail.status === 'sent') {
          process.stdout.write(`subscription email ${id} (${mail.kind} to ${mail.email}) sent\n`);
          return 0;
        }
        if (mail.status === 'queued')
          throw new CliError(
            `subscription email ${id} failed again (${mail.lastError}): queued, tried again at ${when(mail.nextTryAt)} by \`serve\` ` +
              `until ${when(mail.retryUntil)}`,
          );
        if (mail.status === 'sending') throw new CliError(`subscription email ${id} is being sent by another process`);
        throw new CliError(`subscription email ${id} ${mail.status}: ${mail.lastError ?? ''}`);
      });
    });
}
