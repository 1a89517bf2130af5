// When a send that met a temporary error is tried again, for both send queues: a digest's deliveries
// (SEND_RETRY_DELAY doubling, at most SEND_MAX_TRIES tries, no cap: the tries end it) and the
// subscription mails (30 s doubling, at most 30 minutes apart, until the mail's retry window ends).
// Pure: the tries made and the clock in, the delay (or the reason to give up) out.

export interface BackoffPolicy {
  /** the delay after the first failed try; it doubles after each further one … */
  firstDelayMs: number;
  /** … up to this (Infinity: no cap) */
  maxDelayMs: number;
  /** tries in all, the first included; the one that fails last of them is not tried again (Infinity: no limit) */
  maxTries: number;
}

export type RetryDecision =
  /** try again in `delayMs` (at `at`, never after the give-up time) */
  | { retry: true; delayMs: number; at: Date }
  /** give up: out of tries (maxTries), or out of time (the give-up time has come) */
  | { retry: false; reason: 'out_of_tries' | 'out_of_time' };

/** 2^40 × any delay is far beyond any cap: the exponent stops there, so the delay stays a number. */
const MAX_DOUBLINGS = 40;

/** The delay after the `failedTries`-th failed try (1 after the first): doubled from the first, capped. */
export function backoffDelay(policy: BackoffPolicy, failedTries: number): number {
  const doublings = Math.min(Math.max(failedTries - 1, 0), MAX_DOUBLINGS);
  return Math.min(policy.firstDelayMs * 2 ** doublings, policy.maxDelayMs);
}

/**
 * Whether and when a send whose `failedTries`-th try just met a temporary error is tried again. With
 * a give-up time (a retry window's end), never after it: its last try is then, and once it has come
 * none; without one, only the tries end it.
 */
export function nextRetry(policy: BackoffPolicy, failedTries: number, now: Date, giveUpAt: Date | null = null): RetryDecision {
  if (giveUpAt && now >= giveUpAt) return { retry: false, reason: 'out_of_time' };
  if (failedTries >= policy.maxTries) return { retry: false, reason: 'out_of_tries' };
  const delay = backoffDelay(policy, failedTries);
  const at = giveUpAt ? Math.min(now.getTime() + delay, giveUpAt.getTime()) : now.getTime() + delay;
  return { retry: true, delayMs: at - now.getTime(), at: new Date(at) };
}
