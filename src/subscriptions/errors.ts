// Why a subscription step refused, as stable codes; only web/ turns them into HTTP statuses.
export type SubscriptionErrorCode =
  /** the signed link names a subscriber that no longer exists */
  | 'LINK_SUBSCRIBER_GONE'
  /** the confirmation link was already used (the address is confirmed, or was and left since) */
  | 'LINK_USED'
  /** a newer confirmation email replaced this link (or the address changed state since) */
  | 'LINK_REPLACED'
  /** preferences can only change while the subscription is active */
  | 'NOT_ACTIVE'
  /** the link's digest, paper or topic is not this reader's */
  | 'LINK_NOT_FOUND';

export class SubscriptionError extends Error {
  constructor(
    readonly code: SubscriptionErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SubscriptionError';
  }
}
