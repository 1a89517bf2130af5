// The one backoff of both send queues (src/deliver/queue/backoff.ts): a digest's deliveries (no cap,
// SEND_MAX_TRIES ends them) and the subscription mails (30 s doubling, at most 30 min apart, until
// their retry window ends).
import { describe, expect, it } from 'vitest';
import { backoffDelay, nextRetry } from '../../../src/deliver/queue/backoff.ts';

const now = new Date('2026-12-01T00:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);

describe('backoffDelay: the delay after the n-th failed try', () => {
  it('doubles from the first delay, up to the cap', () => {
    const mail = { firstDelayMs: 30_000, maxDelayMs: 30 * 60_000, maxTries: Infinity };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 60].map((n) => backoffDelay(mail, n))).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_800_000, 1_800_000, 1_800_000,
    ]);
  });
  it('without a cap keeps doubling, and stays a finite number however many tries', () => {
    const uncapped = { firstDelayMs: 2_000, maxDelayMs: Infinity, maxTries: Infinity };
    expect([1, 2, 3, 4].map((n) => backoffDelay(uncapped, n))).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(Number.isFinite(backoffDelay(uncapped, 10_000))).toBe(true);
  });
  it('reads a count below one as the first try', () => {
    expect(backoffDelay({ firstDelayMs: 100, maxDelayMs: Infinity, maxTries: 3 }, 0)).toBe(100);
  });
});

describe('nextRetry: whether and when a send that met a temporary error is tried again', () => {
  const delivery = { firstDelayMs: 2_000, maxDelayMs: Infinity, maxTries: 4 };
  it('a delivery: SEND_RETRY_DELAY doubling, until SEND_MAX_TRIES tries were made', () => {
    expect([1, 2, 3].map((n) => nextRetry(delivery, n, now))).toEqual([
      { retry: true, delayMs: 2_000, at: at(2_000) },
      { retry: true, delayMs: 4_000, at: at(4_000) },
      { retry: true, delayMs: 8_000, at: at(8_000) },
    ]);
    expect(nextRetry(delivery, 4, now)).toEqual({ retry: false, reason: 'out_of_tries' });
    expect(nextRetry({ ...delivery, maxTries: 1 }, 1, now)).toEqual({ retry: false, reason: 'out_of_tries' });
  });
  it('with a give-up time, never after it: the last try is then; once it has come, none', () => {
    const mail = { firstDelayMs: 30_000, maxDelayMs: 30 * 60_000, maxTries: Infinity };
    const soon = at(45_000);
    expect(nextRetry(mail, 1, now, soon)).toEqual({ retry: true, delayMs: 30_000, at: at(30_000) });
    expect(nextRetry(mail, 2, now, soon)).toEqual({ retry: true, delayMs: 45_000, at: soon });
    expect(nextRetry(mail, 3, soon, soon)).toEqual({ retry: false, reason: 'out_of_time' });
    expect(nextRetry(mail, 3, new Date(soon.getTime() + 1), soon)).toEqual({ retry: false, reason: 'out_of_time' });
  });
  it('out of time wins over tries left, and tries run out before the window does', () => {
    expect(nextRetry(delivery, 1, at(10), now)).toEqual({ retry: false, reason: 'out_of_time' });
    expect(nextRetry(delivery, 4, now, at(3_600_000))).toEqual({ retry: false, reason: 'out_of_tries' });
  });
});
