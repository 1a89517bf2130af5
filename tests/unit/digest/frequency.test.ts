// Daily, weekly, feed only: when a weekly reader is due, and the form's fields.
import { describe, expect, it } from 'vitest';
import { lastWeekday, readFrequency, weeklyDue } from '../../../src/digest/frequency.ts';

const at = (iso: string) => new Date(iso);

describe('frequency', () => {
  it('the latest UTC midnight on a weekday, today included', () => {
    expect(lastWeekday(1, at('2026-06-01T08:00:00Z'))).toEqual(at('2026-06-01T00:00:00Z')); // a Monday
    expect(lastWeekday(0, at('2026-06-01T08:00:00Z'))).toEqual(at('2026-05-31T00:00:00Z'));
    expect(lastWeekday(2, at('2026-06-01T08:00:00Z'))).toEqual(at('2026-05-26T00:00:00Z'));
  });

  it('a weekly reader is due once their weekday has begun since their last digest (or since they subscribed)', () => {
    const sundayNoon = at('2026-05-31T12:00:00Z');
    expect(weeklyDue(0, at('2026-06-01T08:00:00Z'), sundayNoon)).toBe(false); // subscribed on the day: next week
    expect(weeklyDue(0, at('2026-06-06T08:00:00Z'), sundayNoon)).toBe(false);
    expect(weeklyDue(0, at('2026-06-07T08:00:00Z'), sundayNoon)).toBe(true);
    expect(weeklyDue(0, at('2026-06-07T20:00:00Z'), at('2026-06-07T08:00:00Z'))).toBe(false); // a second digest that Sunday
    // no listing on their day (Saturday, a weekend): the next digest after it
    expect(weeklyDue(6, at('2026-06-08T08:00:00Z'), at('2026-06-01T08:00:00Z'))).toBe(true);
    expect(weeklyDue(6, at('2026-06-09T08:00:00Z'), at('2026-06-08T08:00:00Z'))).toBe(false);
  });

  it('reads the form: daily by default, weekly needs its day, feed only', () => {
    expect(readFrequency(undefined, undefined)).toEqual({ frequency: 'daily', weeklyDay: 1 });
    expect(readFrequency('weekly', '5')).toEqual({ frequency: 'weekly', weeklyDay: 5 });
    expect(readFrequency('weekly', undefined)).toBeNull();
    expect(readFrequency('weekly', '7')).toBeNull();
    expect(readFrequency('feed', '3')).toEqual({ frequency: 'feed', weeklyDay: 3 });
    expect(readFrequency('hourly', '1')).toBeNull();
  });
});
