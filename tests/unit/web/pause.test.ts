// Pausing for a while: what each choice stores, when a timed pause is over, and the form field.
import { describe, expect, it } from 'vitest';
import { currentPause, isPaused, pauseFor, readPauseChoice } from '../../../src/subscriptions/pause.ts';

const now = new Date('2026-01-31T09:30:00Z');

describe('pause for a while', () => {
  it('a week, a month (the same day, or the last day of a shorter month), until resumed, or not at all', () => {
    expect(pauseFor('week', now)).toEqual({ paused: true, pausedUntil: new Date('2026-02-07T09:30:00Z') });
    expect(pauseFor('month', now)).toEqual({ paused: true, pausedUntil: new Date('2026-02-28T09:30:00Z') });
    expect(pauseFor('month', new Date('2026-03-15T00:00:00Z')).pausedUntil).toEqual(new Date('2026-04-15T00:00:00Z'));
    expect(pauseFor('month', new Date('2026-12-31T12:00:00Z')).pausedUntil).toEqual(new Date('2027-01-31T12:00:00Z'));
    expect(pauseFor('indefinite', now)).toEqual({ paused: true, pausedUntil: null });
    expect(pauseFor('none', now)).toEqual({ paused: false, pausedUntil: null });
  });

  it('a timed pause ends by itself; an indefinite one does not', () => {
    const week = pauseFor('week', now);
    expect(isPaused(week, new Date('2026-02-07T09:29:59Z'))).toBe(true);
    expect(isPaused(week, new Date('2026-02-07T09:30:00Z'))).toBe(false);
    expect(currentPause(week, new Date('2026-03-01T00:00:00Z'))).toEqual({ paused: false, pausedUntil: null });
    expect(isPaused(pauseFor('indefinite', now), new Date('2036-01-01T00:00:00Z'))).toBe(true);
    expect(isPaused({ paused: false, pausedUntil: new Date('2036-01-01T00:00:00Z') }, now)).toBe(false);
  });

  it('reads the form: the pause choice, the older checkbox, or nothing known', () => {
    expect(readPauseChoice('month', undefined)).toBe('month');
    expect(readPauseChoice(undefined, 'on')).toBe('indefinite');
    expect(readPauseChoice(undefined, undefined)).toBe('none');
    expect(readPauseChoice('forever-and-a-day', undefined)).toBeNull();
  });
});
