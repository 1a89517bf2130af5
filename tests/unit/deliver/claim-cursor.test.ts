// The sender's claim cursor (send-deliveries.ts): claims start after the highest id taken, and from
// the start of the queue when a pass ends or a sweep is due — so what came due behind the cursor (a
// retry, a released claim) is claimed within a sweep.
import { describe, expect, it } from 'vitest';
import { ClaimCursor } from '../../../src/deliver/send-deliveries.ts';

function cursorAt(sweepMs: number) {
  const clock = { now: 1_000 };
  return { cursor: new ClaimCursor(sweepMs, () => clock.now), clock };
}

describe('ClaimCursor', () => {
  it('starts from the start of the queue, then after the highest id each claim took', () => {
    const { cursor } = cursorAt(10_000);
    expect(cursor.from()).toBe(0);
    expect(cursor.took(0, [3, 5, 9])).toBe(false);
    expect(cursor.from()).toBe(9);
    expect(cursor.took(9, [12])).toBe(false);
    expect(cursor.from()).toBe(12);
  });

  it('starts over when a claim after the cursor finds nothing: the pass ended', () => {
    const { cursor } = cursorAt(10_000);
    cursor.took(cursor.from(), [4, 7]);
    const from = cursor.from();
    expect(from).toBe(7);
    expect(cursor.took(from, [])).toBe(true);
    expect(cursor.from()).toBe(0);
    // nothing from the start either: the queue is empty, not a pass that ended
    expect(cursor.took(0, [])).toBe(false);
    expect(cursor.from()).toBe(0);
  });

  it('sweeps from the start once sweepMs passed since the last start, then goes on from what the sweep took', () => {
    const { cursor, clock } = cursorAt(10_000);
    cursor.took(cursor.from(), [100]);
    clock.now += 9_999;
    expect(cursor.from()).toBe(100);
    cursor.took(100, [200]);
    clock.now += 1;
    expect(cursor.from()).toBe(0);
    cursor.took(0, [2]); // a retry that came due behind the cursor
    expect(cursor.from()).toBe(2);
    clock.now += 9_999; // the sweep restarted the clock
    expect(cursor.from()).toBe(2);
  });
});
