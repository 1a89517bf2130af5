// waitForWork decides whether a sender that found nothing to claim looks again or stops. What is due
// is read in one look (dueNow and the next retry together): a retry that falls due between the claim
// and the look is seen, and `send` does not stop with work left.
import { describe, expect, it } from 'vitest';
import type { Sql } from '../../../src/db/database.ts';
import type { RetryOutlook } from '../../../src/db/deliveries.ts';
import { waitForWork } from '../../../src/deliver/wait-for-work.ts';

const sql = {} as Sql;
const idle = { size: 0, pending: 0, onIdle: () => Promise.resolve() };
const outlook = (o: RetryOutlook) => async () => o;

describe('waitForWork', () => {
  it('waits for the sends in flight, then looks again', async () => {
    let release!: () => void;
    const busy = { size: 0, pending: 2, onIdle: () => new Promise<void>((r) => (release = r)) };
    let done = false;
    const waiting = waitForWork(sql, busy, undefined, true, outlook({ dueNow: 0, nextAt: null })).then((v) => ((done = true), v));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    release();
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
    const waiting = waitForWork(sql, idle, stop.signal, true, outlook({ dueNow: 0, nextAt: new Date(Date.now() + 60_000) }));
    setTimeout(() => stop.abort(), 10);
    expect(await waiting).toBe(false);
  });
});
