// waitForWork decides whether a sender that found nothing to claim looks again or stops. What is due
// is read in one look (dueNow and the next retry together): a retry that falls due between the claim
// and the look is seen, and `send` does not stop with work left.
import { describe, expect, it, vi } from 'vitest';
import type { Sql } from '../../../src/db/database.ts';
import type { RetryOutlook } from '../../../src/db/delivery-backlog.ts';
import { waitForWork } from '../../../src/deliver/wait-for-work.ts';

const sql = {} as Sql;
const idle = { size: 0, pending: 0, onIdle: () => Promise.resolve() };
const outlook = (o: RetryOutlook) => () => Promise.resolve(o);

describe('waitForWork', () => {
  it('waits for the sends in flight, then looks again', async () => {
    let release: (() => void) | undefined;
    const busy = { size: 0, pending: 2, onIdle: () => new Promise<void>((r) => (release = r)) };
    let done = false;
    let looked = false;
    const look = () => ((looked = true), Promise.resolve({ dueNow: 0, nextAt: null }));
    const waiting = waitForWork(sql, busy, undefined, true, look).then((v) => ((done = true), v));
    // it is waiting on the sends in flight, and has not looked or answered meanwhile
    await vi.waitFor(() => expect(release).toBeDefined());
    await Promise.resolve();
    expect(done).toBe(false);
    expect(looked).toBe(false);
    release!();
    expect(await waiting).toBe(true);
  });

  it('a retry that became due after the claim: look again (it used to end the run)', async () => {
    expect(await waitForWork(sql, idle, undefined, false, outlook({ dueNow: 1, nextAt: null }))).toBe(true);
  });

  it('a retry due later: waits for it when asked to, else stops', async () => {
    const nextAt = new Date(Date.now() + 150);
    const started = Date.now();
    expect(await waitForWork(sql, idle, undefined, true, outlook({ dueNow: 0, nextAt }))).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(120);
    expect(await waitForWork(sql, idle, undefined, false, outlook({ dueNow: 0, nextAt }))).toBe(false);
  });

  it('nothing queued: stops; an abort ends the wait at once and says stop', async () => {
    expect(await waitForWork(sql, idle, undefined, true, outlook({ dueNow: 0, nextAt: null }))).toBe(false);
    const stop = new AbortController();
    let looked = false;
    const later = () => ((looked = true), Promise.resolve({ dueNow: 0, nextAt: new Date(Date.now() + 60_000) }));
    const started = Date.now();
    const waiting = waitForWork(sql, idle, stop.signal, true, later);
    await vi.waitFor(() => expect(looked).toBe(true)); // it read the retry a minute away: it waits for it now
    stop.abort();
    expect(await waiting).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
