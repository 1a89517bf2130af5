// The subscription decisions, apart from any database.
import { describe, expect, it } from 'vitest';
import {
  decideConfirm,
  decideMail,
  decidePreferences,
  decidePreferencesAllowed,
  decideSubscribe,
  decideUnsubscribe,
  decideMailFailure,
} from '../../../src/subscriptions/decide.ts';

describe('decideSubscribe: what an address gets (the page is the same for all)', () => {
  it.each([
    [null, { kind: 'create' }],
    [
      { id: 7, status: 'pending' as const },
      { kind: 'refresh-pending', subscriberId: 7 },
    ],
    [
      { id: 7, status: 'unsubscribed' as const },
      { kind: 'resubscribe', subscriberId: 7 },
    ],
    [
      { id: 7, status: 'active' as const },
      { kind: 'send-preferences-link', subscriberId: 7 },
    ],
    [
      { id: 7, status: 'bounced' as const },
      { kind: 'ignore', subscriberId: 7, reason: 'bounced' },
    ],
  ])('%j → %j', (existing, action) => {
    expect(decideSubscribe(existing)).toEqual(action);
  });
});

describe('decideConfirm: a link works once, for the latest confirmation email', () => {
  const pending = { status: 'pending' as const, tokenNonce: 'n2' };
  it('confirms a pending subscriber with the current nonce', () => {
    expect(decideConfirm(pending, 'n2')).toEqual({ kind: 'ok' });
  });
  it.each([
    [null, 'n2', 'LINK_SUBSCRIBER_GONE'],
    [pending, 'n1', 'LINK_REPLACED'],
    [pending, undefined, 'LINK_REPLACED'],
    [{ status: 'active' as const, tokenNonce: 'n2' }, 'n2', 'LINK_USED'],
    [{ status: 'unsubscribed' as const, tokenNonce: 'n2' }, 'n2', 'LINK_USED'],
    [{ status: 'bounced' as const, tokenNonce: 'n2' }, 'n2', 'LINK_USED'],
    [{ status: 'active' as const, tokenNonce: 'n3' }, 'n2', 'LINK_REPLACED'],
  ])('%j with nonce %j: %s', (subscriber, nonce, code) => {
    expect(decideConfirm(subscriber, nonce)).toEqual({ kind: 'refuse', code });
  });
});

describe('preferences and unsubscribe', () => {
  it('a change is a change of topics (order included) or of pause', () => {
    const daily = { frequency: 'daily' as const, weeklyDay: 1 };
    const now = { topics: ['a', 'b'], paused: false, pausedUntil: null, ...daily };
    const same = { topicsChanged: false, pausedChanged: false, frequencyChanged: false };
    expect(decidePreferences(now, { ...now })).toEqual({ kind: 'unchanged' });
    expect(decidePreferences(now, { ...now, topics: ['b', 'a'] })).toEqual({ kind: 'update', ...same, topicsChanged: true });
    expect(decidePreferences(now, { ...now, topics: ['a'], paused: true })).toEqual({ kind: 'update', ...same, topicsChanged: true, pausedChanged: true });
    expect(decidePreferences(now, { ...now, paused: true })).toEqual({ kind: 'update', ...same, pausedChanged: true });
    // a timed pause chosen again starts again from now; the same indefinite pause is no change
    const week = { ...now, paused: true, pausedUntil: new Date('2026-06-08T00:00:00Z') };
    expect(decidePreferences(week, { ...week, pausedUntil: new Date('2026-06-09T00:00:00Z') })).toEqual({ kind: 'update', ...same, pausedChanged: true });
    expect(decidePreferences(week, { ...week, pausedUntil: null })).toEqual({ kind: 'update', ...same, pausedChanged: true });
    const forever = { ...now, paused: true, pausedUntil: null };
    expect(decidePreferences(forever, { ...forever })).toEqual({ kind: 'unchanged' });
    // weekly, another day, feed only; the day of a daily reader is no change
    expect(decidePreferences(now, { ...now, frequency: 'weekly', weeklyDay: 1 })).toEqual({ kind: 'update', ...same, frequencyChanged: true });
    const weekly = { ...now, frequency: 'weekly' as const, weeklyDay: 1 };
    expect(decidePreferences(weekly, { ...weekly, weeklyDay: 5 })).toEqual({ kind: 'update', ...same, frequencyChanged: true });
    expect(decidePreferences(weekly, { ...weekly, frequency: 'feed' })).toEqual({ kind: 'update', ...same, frequencyChanged: true });
    expect(decidePreferences(now, { ...now, weeklyDay: 4 })).toEqual({ kind: 'unchanged' });
    expect(decidePreferencesAllowed('active')).toEqual({ kind: 'ok' });
    for (const s of ['pending', 'unsubscribed', 'bounced'] as const) expect(decidePreferencesAllowed(s)).toEqual({ kind: 'refuse', code: 'NOT_ACTIVE' });
    for (const s of ['pending', 'active', 'bounced'] as const) expect(decideUnsubscribe(s)).toEqual({ kind: 'unsubscribe' });
    expect(decideUnsubscribe('unsubscribed')).toEqual({ kind: 'already' });
  });
});

describe('decideMail: a queued email is sent only while it still fits the address', () => {
  const confirmation = { kind: 'confirmation' as const, nonce: 'n2' };
  it.each([
    ['a confirmation to the pending address it was for', confirmation, { status: 'pending' as const, tokenNonce: 'n2' }, { kind: 'send' }],
    [
      'a confirmation a newer one replaced',
      confirmation,
      { status: 'pending' as const, tokenNonce: 'n3' },
      { kind: 'skip', reason: 'a newer confirmation email replaced it' },
    ],
    [
      'a confirmation for an address confirmed meanwhile',
      confirmation,
      { status: 'active' as const, tokenNonce: 'n2' },
      { kind: 'skip', reason: 'the address is active now' },
    ],
    [
      'a confirmation for an address that bounced',
      confirmation,
      { status: 'bounced' as const, tokenNonce: 'n2' },
      { kind: 'skip', reason: 'the address is bounced now' },
    ],
    [
      'a preferences link to an active address',
      { kind: 'preferences_link' as const, nonce: null },
      { status: 'active' as const, tokenNonce: 'x' },
      { kind: 'send' },
    ],
    [
      'a preferences link to an address that left',
      { kind: 'preferences_link' as const, nonce: null },
      { status: 'unsubscribed' as const, tokenNonce: 'x' },
      { kind: 'skip', reason: 'the address is unsubscribed now' },
    ],
    [
      'a preferences-changed notice to an active address',
      { kind: 'preferences_changed' as const, nonce: null },
      { status: 'active' as const, tokenNonce: 'x' },
      { kind: 'send' },
    ],
    ['anything for a subscriber that is gone', confirmation, null, { kind: 'skip', reason: 'the subscriber no longer exists' }],
  ])('%s', (_name, mail, subscriber, decision) => {
    expect(decideMail(mail, subscriber)).toEqual(decision);
  });
});

describe('decideMailFailure: what a subscription mail whose try failed becomes', () => {
  const backoff = { firstDelayMs: 30_000, maxDelayMs: 30 * 60_000, maxTries: Infinity };
  const now = new Date('2026-12-01T00:00:00Z');
  const week = new Date(now.getTime() + 7 * 24 * 3600_000);
  it('doubles from the first delay, at most maxDelayMs apart, for temporary errors and replies that never came', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 60].map((tries) => {
      const next = decideMailFailure('temporary', backoff, tries, now, week);
      return next.retry ? next.at.getTime() - now.getTime() : null;
    });
    expect(delays).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_800_000, 1_800_000, 1_800_000]);
    expect(decideMailFailure('unknown', backoff, 1, now, week)).toEqual({ retry: true, at: new Date(now.getTime() + 30_000) });
  });
  it('never after retry_until: the last try is then; after it, none (the mail fails, out of time)', () => {
    const soon = new Date(now.getTime() + 45_000);
    expect(decideMailFailure('temporary', backoff, 2, now, soon)).toEqual({ retry: true, at: soon });
    expect(decideMailFailure('temporary', backoff, 3, soon, soon)).toEqual({ retry: false, reason: 'out_of_time' });
    expect(decideMailFailure('temporary', backoff, 3, new Date(soon.getTime() + 1), soon)).toEqual({ retry: false, reason: 'out_of_time' });
  });
  it('a permanent refusal (5xx) fails at once, whatever time is left', () => {
    expect(decideMailFailure('permanent', backoff, 1, now, week)).toEqual({ retry: false, reason: 'refused' });
  });
});
