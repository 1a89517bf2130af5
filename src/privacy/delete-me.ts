// "Delete my data" from the preferences page: a preferences link (it comes only from the reader's
// own mailbox) erases the subscriber it names, in whatever state — the same erase an operator runs
// (subscriber-data.ts). A read link never reaches it.
import type { Subscriber } from '../db/subscribers.ts';
import type { ErasedCounts } from '../db/erase-subscriber.ts';
import type { SubscriptionDeps } from '../subscriptions/deps.ts';
import { SubscriptionError } from '../subscriptions/errors.ts';
import { readLink } from '../subscriptions/read-link.ts';
import { eraseSubscriberData } from './subscriber-data.ts';

export async function openDeleteMe(deps: SubscriptionDeps, token: string | undefined): Promise<Subscriber> {
  return (await readLink(deps, token, 'preferences')).subscriber;
}

export type DeleteMeResult =
  | { kind: 'erased'; email: string; topics: string[]; removed: ErasedCounts }
  /** a digest or subscription email to them is being handed to the relay this moment: nothing changed */
  | { kind: 'in-flight'; subscriber: Subscriber };

export async function deleteMe(deps: SubscriptionDeps, token: string | undefined): Promise<DeleteMeResult> {
  const subscriber = await openDeleteMe(deps, token);
  const result = await eraseSubscriberData(deps, { id: subscriber.id }, 'reader');
  switch (result.kind) {
    case 'erased':
      return { kind: 'erased', email: subscriber.email, topics: subscriber.topics, removed: result.removed };
    case 'in-flight':
      return { kind: 'in-flight', subscriber };
    case 'not-found':
    case 'already-erased': // (erased between the two reads: by the reader in another tab, or an operator)
      throw new SubscriptionError('LINK_SUBSCRIBER_GONE', 'this subscription no longer exists');
  }
}
