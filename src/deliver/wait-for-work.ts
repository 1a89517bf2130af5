// When a claim found nothing: wait for the sends in flight (their retries may become due), or for the
// next retry, or stop when nothing is left that waiting could make sendable. What is due is read in
// one statement (retryOutlook), so a retry that falls due between the claim and this look is seen.
import type PQueue from 'p-queue';
import { retryOutlook, type RetryOutlook } from '../db/delivery-backlog.ts';
import type { Sql } from '../db/database.ts';

const MAX_NAP_MS = 5_000;
/** due rows another sender is claiming right now (SKIP LOCKED hid them): look again shortly */
const BUSY_NAP_MS = 50;

export type Outlook = (sql: Sql) => Promise<RetryOutlook>;

/** true: look for work again; false: nothing more will become sendable by waiting. */
export async function waitForWork(
  sql: Sql,
  queue: Pick<PQueue, 'size' | 'pending' | 'onIdle'>,
  signal: AbortSignal | undefined,
  waitForRetries: boolean,
  outlook: Outlook = retryOutlook,
): Promise<boolean> {
  if (queue.size + queue.pending > 0) {
    await untilAborted(queue.onIdle(), signal);
    return !signal?.aborted;
  }
  const { dueNow, nextAt } = await outlook(sql);
  if (dueNow > 0) {
    await untilAborted(sleep(BUSY_NAP_MS), signal);
    return !signal?.aborted;
  }
  if (!waitForRetries || !nextAt) return false;
  const delay = Math.min(Math.max(nextAt.getTime() - Date.now(), 20), MAX_NAP_MS);
  await untilAborted(sleep(delay), signal);
  return !signal?.aborted;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits for `promise`, or less if the signal aborts first; leaves no listener behind. */
export async function untilAborted(promise: Promise<unknown>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) {
    await promise;
    return;
  }
  if (signal.aborted) return;
  let onAbort!: () => void;
  const abort = new Promise<void>((resolve) => (onAbort = resolve));
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([promise, abort]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
