// The one reading of a failed send (src/deliver/queue/outcome.ts) both queues decide from, and what
// the digest sender records for each (src/deliver/delivery-decisions.ts): CONTEXT.md's "delivery
// states", the sender's arrows.
import { describe, expect, it } from 'vitest';
import { ClaimLostError, PapersTakenError } from '../../../src/deliver/handover.ts';
import { claimRetryDelay, decideAfterFailure, decideBeforeSend, FailureStreaks } from '../../../src/deliver/delivery-decisions.ts';
import { asSendError, classifySendFailure } from '../../../src/deliver/queue/outcome.ts';
import { SenderRefusedError } from '../../../src/deliver/smtp-errors.ts';
import { SendError } from '../../../src/deliver/types.ts';

const now = new Date('2026-12-01T00:00:00Z');
const backoff = { firstDelayMs: 2_000, maxDelayMs: Infinity, maxTries: 4 };
const notHanded = (cause: Error) => Object.assign(new SendError('EHANDOVER', 'the handed mark failed'), { cause });

describe('classifySendFailure', () => {
  it.each([
    ['a handed mark that failed: nothing went out', notHanded(new Error('db away')), 'untried'],
    ['a stop before the end of the data', new SendError('EABORTED', 'stopped', null, null, 'in-data'), 'untried'],
    ['a stop after the final "."', new SendError('EABORTED', 'stopped', null, null, 'after-data'), 'unknown'],
    ['no reply after the data', new SendError('ETIMEDOUT', 'no reply', null, null, 'after-data'), 'unknown'],
    ['a connection dropped after the data', new SendError('ECONNECTION', 'closed', null, null, 'after-data'), 'unknown'],
    ['a 4xx after the data (a definite reply)', new SendError('EMESSAGE', 'later', 451, '451 try later', 'after-data'), 'temporary'],
    ['a 5xx after the data', new SendError('EMESSAGE', 'no', 554, '554 rejected', 'after-data'), 'permanent'],
    ['a refused recipient', new SendError('EENVELOPE', 'unknown user', 550, '550 5.1.1 unknown'), 'permanent'],
    ['a greylisted recipient', new SendError('EENVELOPE', 'later', 450, '450 4.2.0 greylisted'), 'temporary'],
    ['a connection that could not be made', new SendError('ECONNECTION', 'refused'), 'temporary'],
  ] as const)('%s: %s', (_, error, expected) => {
    expect(classifySendFailure(error)).toBe(expected);
  });

  it('an error that is no SendError is EUNKNOWN, temporary', () => {
    const error = asSendError(new Error('boom'));
    expect([error.code, error.message, classifySendFailure(error)]).toEqual(['EUNKNOWN', 'boom', 'temporary']);
    const same = new SendError('ETLS', 'x');
    expect(asSendError(same)).toBe(same);
  });
});

describe('decideBeforeSend: what a claimed delivery gets before any SMTP', () => {
  const claimed = { subscriberStatus: 'active', subscriberPaused: false, subscriberFeedOnly: false, papers: [{ paperId: 1, topics: ['rl'] }] };
  it('sends to an active reader with papers left', () => {
    expect(decideBeforeSend(claimed)).toEqual({ kind: 'send' });
  });
  it('fails it for a reader who left, paused or reads the feed only (in that order)', () => {
    expect(decideBeforeSend({ ...claimed, subscriberStatus: 'unsubscribed', subscriberPaused: true })).toEqual({
      kind: 'reader-left',
      code: 'subscriber_unsubscribed',
    });
    expect(decideBeforeSend({ ...claimed, subscriberPaused: true, subscriberFeedOnly: true })).toEqual({ kind: 'reader-left', code: 'subscriber_paused' });
    expect(decideBeforeSend({ ...claimed, subscriberFeedOnly: true, papers: [] })).toEqual({ kind: 'reader-left', code: 'subscriber_feed_only' });
  });
  it('skips it when nothing is left for the reader', () => {
    expect(decideBeforeSend({ ...claimed, papers: [] })).toEqual({ kind: 'nothing-new' });
  });
});

describe('decideAfterFailure: what a failed send records', () => {
  it('not handed: released, unless its claim was taken away', () => {
    expect(decideAfterFailure(notHanded(new PapersTakenError(7)), 0, backoff, now)).toEqual({ kind: 'not-handed', release: true });
    expect(decideAfterFailure(notHanded(new ClaimLostError(7)), 0, backoff, now)).toEqual({ kind: 'not-handed', release: false });
  });
  it('cut before the end of its data: released, no try counted', () => {
    expect(decideAfterFailure(new SendError('EABORTED', 'stopped', null, null, 'in-data'), 2, backoff, now)).toEqual({ kind: 'release' });
  });
  it('no reply after the data: unknown, never retried, whatever tries are left; a cut is no failure of the relay', () => {
    const timeout = decideAfterFailure(new SendError('ETIMEDOUT', 'no reply', null, null, 'after-data', '. → (nothing)'), 0, backoff, now);
    expect(timeout).toEqual({
      kind: 'unknown',
      detail: { code: 'NO_REPLY', error: 'no reply', exchange: '. → (nothing)' },
      metric: 'ETIMEDOUT',
      countsAsFailure: true,
    });
    const dropped = decideAfterFailure(new SendError('ECONNECTION', 'closed', null, null, 'after-data'), 0, backoff, now);
    expect(dropped).toMatchObject({ kind: 'unknown', detail: { code: 'DROPPED_AFTER_DATA' }, metric: 'ECONNECTION', countsAsFailure: true });
    expect(dropped.kind === 'unknown' && dropped.detail.exchange).toMatch(/final "\." were sent; no reply/);
    const stopped = decideAfterFailure(new SendError('EABORTED', 'stopped', null, null, 'after-data'), 0, backoff, now);
    expect(stopped).toMatchObject({ kind: 'unknown', detail: { code: 'STOPPED' }, countsAsFailure: false });
  });
  it('a temporary error: queued again with backoff until SEND_MAX_TRIES, then failed', () => {
    const greylisted = new SendError('EENVELOPE', 'later', 450, '450 greylisted');
    const failure = { code: 'smtp:450', error: 'later', response: '450 greylisted' };
    expect(decideAfterFailure(greylisted, 0, backoff, now)).toEqual({ kind: 'retry', failure, delayMs: 2_000, tries: 1 });
    expect(decideAfterFailure(greylisted, 2, backoff, now)).toEqual({ kind: 'retry', failure, delayMs: 8_000, tries: 3 });
    expect(decideAfterFailure(greylisted, 3, backoff, now)).toEqual({ kind: 'failed', failure, hardBounce: false });
  });
  it('a permanent refusal fails at once; a refused recipient is a hard bounce, a refused sender never', () => {
    const unknownUser = new SendError('EENVELOPE', 'unknown user', 550, '550 5.1.1 unknown');
    expect(decideAfterFailure(unknownUser, 0, backoff, now)).toEqual({
      kind: 'failed',
      failure: { code: 'smtp:550', error: 'unknown user', response: '550 5.1.1 unknown' },
      hardBounce: true,
    });
    expect(decideAfterFailure(new SenderRefusedError('EENVELOPE', 'bad sender', 553, '553 no'), 0, backoff, now)).toMatchObject({
      kind: 'failed',
      hardBounce: false,
    });
    expect(decideAfterFailure(new SendError('EMESSAGE', 'spam', 554, '554 spam'), 0, backoff, now)).toMatchObject({ kind: 'failed', hardBounce: false });
  });
});

describe('FailureStreaks: when a digest pauses for its relay', () => {
  it('pauses a digest once, at the SEND_MAX_ERRORS-th failure in a row', () => {
    const streaks = new FailureStreaks(3);
    expect([streaks.failed(1), streaks.failed(1), streaks.isPaused(1)]).toEqual([null, null, false]);
    expect(streaks.failed(1)).toBe(3);
    expect(streaks.isPaused(1)).toBe(true);
    expect(streaks.failed(1)).toBeNull();
  });
  it('a sent delivery ends the streak; each digest counts its own', () => {
    const streaks = new FailureStreaks(2);
    streaks.failed(1);
    streaks.succeeded(1);
    expect(streaks.failed(1)).toBeNull();
    expect(streaks.failed(2)).toBeNull();
    expect(streaks.failed(1)).toBe(2);
    expect(streaks.isPaused(2)).toBe(false);
  });
});

describe('claimRetryDelay: while the database is away', () => {
  it('starts at 100 ms, doubles each second away, at most 2 s', () => {
    expect([0, 999, 1_000, 2_500, 4_000, 5_000, 60_000].map(claimRetryDelay)).toEqual([100, 100, 200, 400, 1_600, 2_000, 2_000]);
  });
});
