// The loop and stop path both send queues share (src/deliver/queue/send-loop.ts): rounds one at a
// time, a wake during a round runs another after it, and a stop that cuts (a digest's sends) or
// lets the round end alone (a subscription mail's).
import { describe, expect, it, vi } from 'vitest';
import { SendLoop } from '../../../src/deliver/queue/send-loop.ts';

/** A round that runs until its test lets it end. */
function controlledRounds() {
  const signals: AbortSignal[] = [];
  const enders: Array<() => void> = [];
  let running = 0;
  let most = 0;
  const round = (signal: AbortSignal) => {
    signals.push(signal);
    running++;
    most = Math.max(most, running);
    return new Promise<void>((resolve) => enders.push(() => (running--, resolve())));
  };
  return { round, signals, enders, most: () => most };
}

describe('SendLoop', () => {
  it('runs one round at a time; a wake during a round runs one more right after it', async () => {
    const r = controlledRounds();
    const loop = new SendLoop({ pollMs: 60_000, round: r.round, onError: () => {} });
    loop.wake();
    await vi.waitFor(() => expect(r.signals).toHaveLength(1));
    loop.wake();
    loop.wake();
    r.enders[0]!();
    await vi.waitFor(() => expect(r.signals).toHaveLength(2));
    r.enders[1]!();
    await loop.idle();
    expect(r.signals).toHaveLength(2);
    expect(r.most()).toBe(1);
  });

  it('a round that throws is reported and the loop goes on', async () => {
    const errors: unknown[] = [];
    let rounds = 0;
    const loop = new SendLoop({
      pollMs: 60_000,
      round: () => (++rounds === 1 ? Promise.reject(new Error('database away')) : Promise.resolve()),
      onError: (err) => errors.push(err),
    });
    loop.wake();
    await loop.idle();
    loop.wake();
    await loop.idle();
    expect([rounds, (errors[0] as Error).message, errors.length]).toEqual([2, 'database away', 1]);
  });

  it('stop: the round under way is told to stop claiming; true when it ended in time; nothing runs after', async () => {
    const r = controlledRounds();
    const loop = new SendLoop({ pollMs: 60_000, round: r.round, onError: () => {} });
    loop.start();
    await vi.waitFor(() => expect(r.signals).toHaveLength(1));
    const stopped = loop.stop(Date.now() + 60_000);
    expect(r.signals[0]!.aborted).toBe(true);
    r.enders[0]!();
    expect(await stopped).toBe(true);
    loop.wake();
    loop.start();
    await loop.idle();
    expect([r.signals.length, loop.stopped]).toEqual([1, true]);
  });

  it('stop at the deadline with a cut: cuts, then waits for the round to record what it did; false', async () => {
    const r = controlledRounds();
    const loop = new SendLoop({ pollMs: 60_000, round: r.round, onError: () => {} });
    loop.wake();
    await vi.waitFor(() => expect(r.signals).toHaveLength(1));
    let cut = false;
    expect(await loop.stop(Date.now(), () => ((cut = true), r.enders[0]!()))).toBe(false);
    expect(cut).toBe(true);
  });

  it('stop at the deadline without a cut: answers false and leaves the round to end alone', async () => {
    const r = controlledRounds();
    const loop = new SendLoop({ pollMs: 60_000, round: r.round, onError: () => {} });
    loop.wake();
    await vi.waitFor(() => expect(r.signals).toHaveLength(1));
    expect(await loop.stop(Date.now())).toBe(false);
    let idle = false;
    const waiting = loop.idle().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    r.enders[0]!();
    await waiting;
  });

  it('a loop never woken stops at once, cleanly', async () => {
    const loop = new SendLoop({ pollMs: 60_000, round: async () => {}, onError: () => {} });
    expect(await loop.stop(Date.now())).toBe(true);
  });
});
