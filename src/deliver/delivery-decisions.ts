// The decisions of the digest sender (send-deliveries.ts), apart from the rows it reads and writes:
// what a claimed delivery gets before any SMTP, what a failed send records (CONTEXT.md, "delivery
// states": the sender's arrows), and when a digest pauses after failures in a row. Pure: the claim
// and the error in, the step to record out; send-run.ts does it.
import type { ClaimedDelivery, UnknownDetail } from '../db/deliveries.ts';
import type { FailureDetail } from '../model/delivery.ts';
import { ClaimLostError } from './handover.ts';
import { nextRetry, type BackoffPolicy } from './queue/backoff.ts';
import { classifySendFailure } from './queue/outcome.ts';
import type { SendError } from './types.ts';

/** The code of a delivery skipped because its reader got all of it in other deliveries. */
export const NOTHING_NEW = 'nothing_new';

export type BeforeSend =
  | { kind: 'send' }
  /** claimed → failed: the reader no longer gets digests (left, paused, feed only) */
  | { kind: 'reader-left'; code: string }
  /** claimed → skipped: every paper of it reached the reader in another delivery, or is on its way */
  | { kind: 'nothing-new' };

/** What a claimed delivery gets before anything goes over SMTP, from the reader as the claim read them. */
export function decideBeforeSend(delivery: Pick<ClaimedDelivery, 'subscriberStatus' | 'subscriberPaused' | 'subscriberFeedOnly' | 'papers'>): BeforeSend {
  if (delivery.subscriberStatus !== 'active') return { kind: 'reader-left', code: `subscriber_${delivery.subscriberStatus}` };
  if (delivery.subscriberPaused) return { kind: 'reader-left', code: 'subscriber_paused' };
  if (delivery.subscriberFeedOnly) return { kind: 'reader-left', code: 'subscriber_feed_only' };
  if (delivery.papers.length === 0) return { kind: 'nothing-new' };
  return { kind: 'send' };
}

export type AfterFailure =
  /** its handed mark could not be recorded: nothing went out. Released, unless its claim was taken away (someone else's now) */
  | { kind: 'not-handed'; release: boolean }
  /** cut before the end of its data (a stop): released, no try counted */
  | { kind: 'release' }
  /** handed → unknown: its data ended, no reply came; never tried again here. A cut (STOPPED) is no failure of the relay's */
  | { kind: 'unknown'; detail: UnknownDetail; metric: 'ETIMEDOUT' | 'ECONNECTION'; countsAsFailure: boolean }
  /** → queued, one more try after delayMs */
  | { kind: 'retry'; failure: FailureDetail; delayMs: number; tries: number }
  /** → failed with its reply: refused for good (a refused recipient is a hard bounce), or out of tries */
  | { kind: 'failed'; failure: FailureDetail; hardBounce: boolean };

/** What a stored unknown says about a send that ended after its data with no reply. */
function unknownDetail(error: SendError): UnknownDetail {
  const code = error.code === 'EABORTED' ? 'STOPPED' : error.code === 'ETIMEDOUT' ? 'NO_REPLY' : 'DROPPED_AFTER_DATA';
  return { code, error: error.message, exchange: error.exchange ?? 'the message data and its final "." were sent; no reply' };
}

/** What a send of a delivery tried `tries` times before this one, that failed with `error`, records. */
export function decideAfterFailure(error: SendError, tries: number, backoff: BackoffPolicy, now: Date): AfterFailure {
  switch (classifySendFailure(error)) {
    case 'untried':
      return error.code === 'EHANDOVER' ? { kind: 'not-handed', release: !(error.cause instanceof ClaimLostError) } : { kind: 'release' };
    case 'unknown': {
      const detail = unknownDetail(error);
      return { kind: 'unknown', detail, metric: detail.code === 'NO_REPLY' ? 'ETIMEDOUT' : 'ECONNECTION', countsAsFailure: error.code !== 'EABORTED' };
    }
    case 'permanent':
    case 'temporary': {
      const failure = { code: error.storedCode, error: error.message, response: error.response };
      const next = error.permanent ? null : nextRetry(backoff, tries + 1, now);
      if (next?.retry) return { kind: 'retry', failure, delayMs: next.delayMs, tries: tries + 1 };
      return { kind: 'failed', failure, hardBounce: error.hardBounce };
    }
  }
}

/**
 * Failures in a row per digest (a sent delivery ends a streak): the SEND_MAX_ERRORS-th pauses the
 * digest — nothing more of it is claimed until an operator resumes it — as listmonk pauses a
 * campaign instead of mailing everyone badly. In memory, per run.
 */
export class FailureStreaks {
  private readonly streaks = new Map<number, number>();
  private readonly paused = new Set<number>();

  constructor(private readonly maxErrors: number) {}

  isPaused(digestId: number): boolean {
    return this.paused.has(digestId);
  }

  succeeded(digestId: number): void {
    this.streaks.set(digestId, 0);
  }

  /** One more failure in a row: the streak when it pauses the digest now (once per digest), else null. */
  failed(digestId: number): number | null {
    const streak = (this.streaks.get(digestId) ?? 0) + 1;
    this.streaks.set(digestId, streak);
    if (streak < this.maxErrors || this.paused.has(digestId)) return null;
    this.paused.add(digestId);
    return streak;
  }
}

/** How long a sender waits before claiming again while the database is away: 100 ms doubling each second away, at most 2 s. */
export function claimRetryDelay(awayMs: number): number {
  return Math.min(2_000, 100 * 2 ** Math.floor(awayMs / 1_000));
}
