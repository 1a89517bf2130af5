// When nothing is claimable: wait for the sends in flight (their retries may become due), or for
// the next retry, or stop when nothing is left to send.
import type PQueue from 'p-queue';
import { nextRetryAt } from '../db/deliveries.ts';
import type { PrismaClient } from '../db/generated/client.ts';

const MAX_NAP_MS = 5_000;

/** true: look for work again; false: nothing more will become sendable by waiting. */
export async function waitForWork(prisma: PrismaClient, queue: PQueue, signal: AbortSignal | undefined, waitForRetries: boolean): Promise<boolean> {
  if (queue.size + queue.pending > 0) {
    await untilAborted(queue.onIdle(), signal);
    return !signal?.aborted;
  }
  if (!waitForRetries) return false;
  const next = await nextRetryAt(prisma);
  if (!next) return false;
  const delay = Math.min(Math.max(next.getTime() - Date.now(), 20), MAX_NAP_MS);
  await untilAborted(new Promise((r) => setTimeout(r, delay)), signal);
  return !signal?.aborted;
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
