import { InvalidArgumentError, type Command } from 'commander';
import { resumeDigest } from '../../db/digests.ts';
import { recover } from '../../deliver/worker-liveness.ts';
import { RESEND_REPEAT_SECONDS, resendFailed, resendOne } from '../../deliver/resend.ts';
import { CliError, withContext } from '../run.ts';
import { plural } from '../../log/plural.ts';
import { ROW_ID_MAX, isRowId } from '../../model/row-id.ts';

export function registerResend(program: Command): void {
  program
    .command('resend')
    .description("re-queue deliveries of a digest as a new attempt (the next `send` mails them): one subscriber's, or every failed one")
    .argument('<digest>', 'digest id (see `paperboy digests`)', parseId)
    .option('--email <address>', "this subscriber's delivery")
    .option('--only-failed', 'every failed delivery (also resumes the digest if it was paused)')
    .option('--yes', 'with --email: resend it even if it was sent (the reader gets a second copy)')
    .action(async (digestId: number, options: { email?: string; onlyFailed?: boolean; yes?: boolean }) => {
      if (Boolean(options.email) === Boolean(options.onlyFailed)) throw new CliError('give exactly one of --email <address> or --only-failed', 2);
      await withContext(async (ctx) => {
        if (options.onlyFailed) {
          const { requeued, resumed } = await resendFailed(ctx.db.sql, ctx.db.prisma, digestId);
          ctx.log.info(
            { event: 'delivery.resend', digestId, deliveries: requeued.map((r) => r.deliveryId), resumed },
            `re-queued ${plural(requeued.length, 'failed delivery', 'failed deliveries')}`,
          );
          process.stdout.write(
            `digest ${digestId}: ` +
              `re-queued ${plural(requeued.length, 'failed delivery', 'failed deliveries')}${resumed ? '; the digest is resumed' : ''}; run ` +
              `\`paperboy send\`\n`,
          );
          return 0;
        }
        await recover(ctx.db.sql, ctx.log); // what a stopped process left is settled first, never guessed about
        const result = await resendOne(ctx.db.sql, digestId, options.email!, { confirmed: options.yes === true });
        switch (result.kind) {
          case 'queued':
            ctx.log.info({ event: 'delivery.resend', digestId, deliveries: [result.delivery.deliveryId] }, 're-queued one delivery');
            process.stdout.write(
              `digest ${digestId}: delivery ${result.delivery.deliveryId} re-queued as attempt ${result.delivery.attempt} ` +
                `(was ${result.delivery.previousStatus}); run \`paperboy send\`\n`,
            );
            return 0;
          case 'not-found':
            throw new CliError(`digest ${digestId} has no delivery for ${options.email}`);
          case 'already-queued':
            process.stdout.write(`delivery ${result.deliveryId} is already queued\n`);
            return 0;
          case 'in-flight':
            throw new CliError(`delivery ${result.deliveryId} is ${result.status} by a running process right now; try again when it is done`);
          case 'subscriber-inactive':
            throw new CliError(`the subscriber of delivery ${result.deliveryId} is ${result.status}: not resent`);
          case 'not-resendable':
            throw new CliError(`delivery ${result.deliveryId} is ${result.status}: nothing to resend`);
          case 'needs-confirmation':
            throw new CliError(
              `delivery ${result.deliveryId} was sent${result.sentAt ? ` at ${result.sentAt.toISOString()}` : ''}: resending mails the reader a ` +
                `second copy; add --yes to resend it`,
            );
          case 'already-resent':
            process.stdout.write(
              `delivery ${result.deliveryId} was re-queued moments ago (attempt ${result.attempt}): not again; to resend it once more, run this ` +
                `again after ${RESEND_REPEAT_SECONDS} s\n`,
            );
            return 0;
        }
      });
    });

  program
    .command('resume')
    .description('resume a digest paused after too many consecutive failures')
    .argument('<digest>', 'digest id', parseId)
    .action(async (digestId: number) => {
      await withContext(async (ctx) => {
        if (!(await resumeDigest(ctx.db.prisma, digestId))) throw new CliError(`digest ${digestId} is not paused`);
        ctx.log.info({ event: 'digest.resumed', digestId }, `resumed digest ${digestId}`);
        process.stdout.write(`digest ${digestId} resumed; run \`paperboy send\`\n`);
        return 0;
      });
    });
}

export function parseId(value: string): number {
  const id = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!isRowId(id)) throw new InvalidArgumentError(`an id is a whole number from 1 to ${ROW_ID_MAX}`);
  return id;
}
