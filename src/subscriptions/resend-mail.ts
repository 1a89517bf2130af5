// An operator sending a failed subscription mail again (the CLI, the admin API, the dashboard): the
// same rules as the loop's own — a confirmation replaced by a newer one, or for an address that is no
// longer pending (a preferences email for one no longer active), is not sent but marked skipped, with
// why. Otherwise the mail is queued again as it was (same kind, same confirm nonce), its tries from
// 0 and a new retry window of 7 days from now; the loop (or the caller) sends it.
import { getMail, requeueFailedMail, skipFailedMail, type MailRow } from '../db/subscription-mail.ts';
import { getSubscriber } from '../db/subscribers.ts';
import type { Logger } from '../log/logger.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import { decideMail } from './decide.ts';
import { mailRetryUntil } from './deps.ts';

export type ResendMailResult =
  | { kind: 'queued'; mail: MailRow }
  /** it no longer fits its address: marked skipped (never sent), `reason` says why */
  | { kind: 'skipped'; mail: MailRow; reason: string }
  | { kind: 'not-found' }
  /** only a failed mail is sent again: one queued or being sent is on its way, a sent one arrived */
  | { kind: 'not-failed'; mail: MailRow };

export interface ResendMailDeps {
  prisma: PrismaClient;
  log: Logger;
  now: () => Date;
}

export async function resendSubscriptionMail(deps: ResendMailDeps, id: number, via: string): Promise<ResendMailResult> {
  const mail = await getMail(deps.prisma, id);
  if (!mail) return { kind: 'not-found' };
  if (mail.status !== 'failed') return { kind: 'not-failed', mail };
  const now = deps.now();
  const decision = decideMail(mail, await getSubscriber(deps.prisma, mail.subscriberId));
  if (decision.kind === 'skip') {
    if (!(await skipFailedMail(deps.prisma, id, now, decision.reason))) return again(deps, id);
    deps.log.info(
      { event: `${mail.kind}.skipped`, mailId: id, subscriberId: mail.subscriberId, reason: decision.reason, via },
      `subscription email ${id} not sent again: ${decision.reason}`,
    );
    return { kind: 'skipped', mail: (await getMail(deps.prisma, id))!, reason: decision.reason };
  }
  if (!(await requeueFailedMail(deps.prisma, id, now, mailRetryUntil(now)))) return again(deps, id);
  deps.log.info(
    { event: 'subscription_mail.resend', mailId: id, kind: mail.kind, subscriberId: mail.subscriberId, via },
    `subscription email ${id} queued again (${via})`,
  );
  return { kind: 'queued', mail: (await getMail(deps.prisma, id))! };
}

/** Someone else changed it meanwhile (two clicks): say what it is now. */
async function again(deps: ResendMailDeps, id: number): Promise<ResendMailResult> {
  const mail = await getMail(deps.prisma, id);
  return mail ? { kind: 'not-failed', mail } : { kind: 'not-found' };
}
