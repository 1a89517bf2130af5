// What every page route gets: the page chrome (assets, product name), the subscription steps'
// dependencies and the rate limiters. The links a page hands out: page-links.ts.
import type { SubscriptionDeps } from '../../../subscriptions/deps.ts';
import type { RateLimiters } from '../rate-limits.ts';
import type { Chrome } from '../views/layout.ts';

export interface PagesContext {
  chrome: Chrome;
  deps: SubscriptionDeps;
  limits: RateLimiters;
  /** the answer time floor of POST /subscribe and POST /preferences-link (routes/subscribe.ts SUBSCRIBE_ANSWER_MS) */
  subscribeAnswerMs?: number;
}
