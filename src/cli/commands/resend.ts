import { InvalidArgumentError, type Command } from 'commander';
import { resumeDigest } from '../../db/digests.ts';
import { recover } from '../../deliver/worker-liveness.ts';
import { RESEND_REPEAT_SECONDS, resendFailed, resendOne } from '../../deliver/resend.ts';
import type { AppContext } from '../../app/context.ts';
import { CliError, withContext } from '../run.ts';
import { plural } from '../../log/plural.ts';
import { ROW_ID_MAX, isRowId } from '../../model/row-id.ts';

export function registerResend(program: Command): void {
  idCommand<{ email?: string; onlyFailed?: boolean; yes?: boolean }>(program, {
    name: 'resend',
    description: "re-queue deliveries of a digest as a new attempt (the next `send` mails them): one subscriber's, or every failed one",
    id: ['digest', 'digest id (see `paperboy digests`)'],
    options: [
      ['--email <address>', "this subscriber's delivery"],
      ['--only-failed', 'every failed delivery (also resumes the digest if it was paused)'],
      ['--yes', 'with --email: resend it even if it was sent (the reader gets a second copy)'],
    ],
    check: (options) => {
      if (Boolean(options.email) === Boolean(options.onlyFailed)) throw new CliError('give exactly one of --email <address> or --only-failed', 2);
    },
    run: (ctx, digestId, options) => (options.onlyFailed ? resendAllFailed(ctx, digestId) : resendTo(ctx, digestId, options.email!, options.yes === true)),
  });

  idCommand(program, {
    name: 'resume',
    description: 'resume a digest paused after too many consecutive failures',
    id: ['digest', 'digest id'],
    run: async (ctx, digestId) => {
      if (!(await resumeDigest(ctx.db.prisma, digestId))) throw new CliError(`digest ${digestId} is not paused`);
      ctx.log.info({ event: 'digest.resumed', digestId }, `resumed digest ${digestId}`);
      process.stdout.write(`digest ${digestId} resumed; run \`paperboy send\`\n`);
      return 0;
    },
  });
}

async function resendAllFailed(ctx: AppContext, digestId: number): Promise<number> {
  const { requeued, resumed } = await resendFailed(ctx.db.sql, ctx.db.prisma, digestId);
  const count = plural(requeued.length, 'failed delivery', 'failed deliveries');
  ctx.log.info({ event: 'delivery.resend', digestId, deliveries: requeued.map((r) => r.deliveryId), resumed }, `re-queued ${count}`);
  process.stdout.write(`digest ${digestId}: re-queued ${count}${resumed ? '; the digest is resumed' : ''}; run \`paperboy send\`\n`);
  return 0;
}

async function resendTo(ctx: AppContext, digestId: number, email: string, confirmed: boolean): Promise<number> {
  await recover(ctx.db.sql, ctx.log); // what a stopped process left is settled first, never guessed about
  const result = await resendOne(ctx.db.sql, digestId, email, { confirmed });
  switch (result.kind) {
    case 'queued':
      ctx.log.info({ event: 'delivery.resend', digestId, deliveries: [result.delivery.deliveryId] }, 're-queued one delivery');
      process.stdout.write(
        `digest ${digestId}: delivery ${result.delivery.deliveryId} re-queued as attempt ${result.delivery.attempt} ` +
          `(was ${result.delivery.previousStatus}); run \`paperboy send\`\n`,
      );
      return 0;
    case 'not-found':
      throw new CliError(`digest ${digestId} has no delivery for ${email}`);
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
        `delivery ${result.deliveryId} was sent${result.sentAt ? ` at ${result.sentAt.toISOString()}` : ''}: ` +
          'resending mails the reader a second copy; add --yes to resend it',
      );
    case 'already-resent':
      process.stdout.write(
        `delivery ${result.deliveryId} was re-queued moments ago (attempt ${result.attempt}): not again; ` +
          `to resend it once more, run this again after ${RESEND_REPEAT_SECONDS} s\n`,
      );
      return 0;
  }
}

/** An operator's command on one row named by its id (`paperboy resend <digest>`, `… resend <id>`). */
interface IdCommandSpec<O> {
  name: string;
  description: string;
  /** the argument's name and what it names */
  id: [name: string, description: string];
  options?: Array<[flags: string, description: string]>;
  /** refuses options that do not go together, before the database is opened */
  check?: (options: O) => void;
  /** with the context open; returns the exit status */
  run: (ctx: AppContext, id: number, options: O) => Promise<number>;
}

/** Adds the command: the id parsed as a row id (a clear error otherwise), the options checked, then run with a context. */
export function idCommand<O extends object = Record<string, never>>(parent: Command, spec: IdCommandSpec<O>): void {
  const command = parent.command(spec.name).description(spec.description).argument(`<${spec.id[0]}>`, spec.id[1], parseId);
  for (const [flags, description] of spec.options ?? []) command.option(flags, description);
  command.action(async (id: number, options: O) => {
    spec.check?.(options);
    await withContext((ctx) => spec.run(ctx, id, options));
  });
}

export function parseId(value: string): number {
  const id = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!isRowId(id)) throw new InvalidArgumentError(`an id is a whole number from 1 to ${ROW_ID_MAX}`);
  return id;
}
