// The operator's actions on subscription emails, shared by the JSON admin API and the dashboard's
// forms: the same rules (subscriptions/resend-mail.ts), the same errors (HttpError, stable codes).
import type { OperatorContext } from '../context.ts';
import { listMails } from '../../db/subscription-mail.ts';
import { resendSubscriptionMail } from '../../subscriptions/resend-mail.ts';
import { HttpError } from '../http-errors.ts';
import type { ActionVia } from './actions.ts';

export interface MailHooks {
  /** wake the subscription emails' loop after one was queued again */
  onMailQueued?: () => void;
}

export function listMailsAction(ctx: OperatorContext, which: 'failed' | 'waiting', page: { limit: number; after?: number }) {
  return listMails(ctx.db.prisma, which, page);
}

/** `queued` (sent within seconds by `serve`), or `skipped` with why (it no longer fits its address). */
export async function resendMailAction(ctx: OperatorContext, hooks: MailHooks, id: number, via: ActionVia) {
  const result = await resendSubscriptionMail({ prisma: ctx.db.prisma, log: ctx.log, now: ctx.now }, id, via);
  switch (result.kind) {
    case 'not-found':
      throw new HttpError(404, 'SUBSCRIPTION_MAIL_NOT_FOUND', `subscription email ${id} not found`);
    case 'not-failed':
      throw new HttpError(409, 'SUBSCRIPTION_MAIL_NOT_FAILED', `subscription email ${id} is ${result.mail.status}: only a failed one is sent again`);
    case 'skipped':
      return { id, outcome: 'skipped' as const, reason: result.reason, mail: result.mail };
    case 'queued':
      hooks.onMailQueued?.();
      return { id, outcome: 'queued' as const, mail: result.mail };
  }
}
