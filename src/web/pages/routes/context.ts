// What every page route gets: the page chrome (assets, product name), the subscription steps'
// dependencies and the rate limiters.
import type { SubscriptionDeps } from '../../../subscriptions/deps.ts';
import type { RateLimiters } from '../rate-limits.ts';
import type { Chrome } from '../views/layout.ts';

export interface PagesContext {
  chrome: Chrome;
  deps: SubscriptionDeps;
  limits: RateLimiters;
  /** POST /subscribe's answer time floor (routes/subscribe.ts SUBSCRIBE_ANSWER_MS) */
  subscribeAnswerMs?: number;
}

/** A link to one of our pages, relative (it works whatever host the reader came through). */
export const pageLink = (path: '/preferences' | '/unsubscribe' | '/archive', token: string): string => `${path}?token=${encodeURIComponent(token)}`;
