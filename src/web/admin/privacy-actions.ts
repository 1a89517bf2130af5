// The operator's privacy actions, shared by the JSON admin API and the dashboard's forms: one
// subscriber's data exported or erased (src/privacy/subscriber-data.ts), errors as HttpError with
// stable codes — 404 nobody by that address or id, 410 already erased, 409 a mail to them in flight.
import type { OperatorContext } from '../context.ts';
import {
  eraseSubscriberData,
  exportSubscriberData,
  parseSubscriberRef,
  privacyDeps,
  privacyRefusal,
  type SubscriberRef,
} from '../../privacy/subscriber-data.ts';
import { HttpError } from '../http-errors.ts';
import type { ActionVia } from './actions.ts';

const STATUS = { SUBSCRIBER_NOT_FOUND: 404, SUBSCRIBER_ERASED: 410, ERASE_IN_FLIGHT: 409 } as const;

export function subscriberRef(text: unknown): SubscriberRef {
  const ref = typeof text === 'string' ? parseSubscriberRef(text) : null;
  if (!ref) throw new HttpError(400, 'VALIDATION_FAILED', 'name the subscriber by their email address or their id');
  return ref;
}

export async function exportAction(ctx: OperatorContext, ref: SubscriberRef, via: ActionVia) {
  const result = await exportSubscriberData(privacyDeps(ctx), ref, via);
  if (result.kind === 'exported') return result.data;
  const refusal = privacyRefusal(ref, result)!;
  throw new HttpError(STATUS[refusal.code], refusal.code, refusal.message);
}

export async function eraseAction(ctx: OperatorContext, ref: SubscriberRef, via: ActionVia) {
  const result = await eraseSubscriberData(privacyDeps(ctx), ref, via);
  if (result.kind === 'erased') return { subscriberId: result.subscriberId, status: 'erased' as const, erasedAt: result.erasedAt, removed: result.removed };
  const refusal = privacyRefusal(ref, result)!;
  throw new HttpError(STATUS[refusal.code], refusal.code, refusal.message);
}
