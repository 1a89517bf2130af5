import { describe, it, expect } from 'vitest';
import { latestOnOrBefore, missingDay, parseListingDate, toIsoDate } from '../../../src/ingest/parse-dates.ts';
import { parseSnapshot } from '../../../src/ingest/parse-snapshot.ts';
import { capture } from './builders.ts';

describe('parseListingDate', () => {
  it.each([
    ['Mar 8', { month: 3, day: 8, year: null, upvotes: null }],
    ['Jun 4, 2025', { month: 6, day: 4, year: 2025, upvotes: null }],
    ['Jun 4, 2025 2', { month: 6, day: 4, year: 2025, upvotes: 2 }],
    ['Mar 11, 2021 1', { month: 3, day: 11, year: 2021, upvotes: 1 }],
    ['Mar 8 17', { month: 3, day: 8, year: null, upvotes: 17 }],
    ['Jun 4, 2025 1,204', { month: 6, day: 4, year: 2025, upvotes: 1204 }],
    ['Jun 4, 2025 1.2k', { month: 6, day: 4, year: 2025, upvotes: 1200 }],
    ['  Sep 23, 2019  ', { month: 9, day: 23, year: 2019, upvotes: null }],
    ['September 23, 2019', { month: 9, day: 23, year: 2019, upvotes: null }],
    ['Sept 23', { month: 9, day: 23, year: null, upvotes: null }],
    ['Feb 29', { month: 2, day: 29, year: null, upvotes: null }],
    ['Feb 29, 2024', { month: 2, day: 29, year: 2024, upvotes: null }],
  ])('%j', (line, expected) => {
    expect(parseListingDate(line)).toEqual(expected);
  });

  it.each(['', 'Jun', 'Jun ', 'Jun 4,', 'Jun 4, 20', 'Jun 4, 202', 'Jun 32', 'Feb 30', 'Feb 29, 2023', 'Foo 4', 'Daily Papers', '4 Jun'])(
    '%j is not a date line',
    (line) => {
      expect(parseListingDate(line)).toBeNull();
    },
  );
});

describe('missingDay: a written date whose day the calendar does not have', () => {
  it.each([
    ['2026-02-30', 'February 2026 has no day 30'],
    ['2026-02-30T10:00:00+05:00', 'February 2026 has no day 30'],
    ['2026-2-30', 'February 2026 has no day 30'],
    ['2026/06/31', 'June 2026 has no day 31'],
    ['2026-13-01T00:00:00Z', 'there is no month 13'],
    ['2026-06-00', 'June 2026 has no day 0'],
    ['Feb 30, 2026', 'February 2026 has no day 30'],
    ['Mon, 30 Feb 2026 10:00:00 GMT', 'February 2026 has no day 30'],
    ['2100-02-29', 'February 2100 has no day 29'],
  ])('%j', (written, why) => {
    expect(missingDay(written)).toBe(why);
  });

  it.each(['2024-02-29', '2000-02-29T00:00:00Z', '2026-12-31T23:59:59.999Z', 'Jun 4, 2025', '4 June 2025', 'yesterday', '1718000000000', ''])(
    '%j names a day that exists, or none',
    (written) => {
      expect(missingDay(written)).toBeNull();
    },
  );
});

describe('year inference: the latest such day not after the reference day', () => {
  const ref = { year: 2026, month: 6, day: 10 };
  it.each([
    [3, 8, ref, '2026-03-08'],
    [6, 10, ref, '2026-06-10'], // the reference day itself
    [6, 11, ref, '2025-06-11'], // one day later is last year
    [7, 31, ref, '2025-07-31'],
    [12, 31, ref, '2025-12-31'],
    [1, 1, { year: 2026, month: 1, day: 1 }, '2026-01-01'],
    [12, 31, { year: 2026, month: 1, day: 1 }, '2025-12-31'],
    [2, 29, { year: 2026, month: 6, day: 10 }, '2024-02-29'],
    [2, 29, { year: 2024, month: 2, day: 29 }, '2024-02-29'],
    [2, 29, { year: 2024, month: 2, day: 28 }, '2020-02-29'],
    [2, 29, { year: 1904, month: 2, day: 28 }, '1896-02-29'], // 1900 was no leap year
  ])('%i/%i before %j → %s', (month, day, notAfter, expected) => {
    expect(toIsoDate(latestOnOrBefore(month, day, notAfter))).toBe(expected);
  });
});

describe('years in a text capture', () => {
  const at = (iso: string) => ({ now: new Date(iso) });
  const entries = [
    { title: 'A', date: 'Mar 8' },
    { title: 'B', date: 'Jul 31' },
    { title: 'C', date: 'Jun 10' },
    { title: 'D', date: 'Jun 4, 2025 2' },
    { title: 'E', date: 'Feb 29' },
  ];

  it('gives the capture date the year of the latest such day not after now', () => {
    const parsed = parseSnapshot(capture('Jun 10', entries), at('2026-11-23T00:00:00Z'));
    expect(parsed.capturedAt.toISOString()).toBe('2026-06-10T00:00:00.000Z');
    expect(parsed.papers.map((p) => p.publishedOn)).toEqual(['2026-03-08', '2025-07-31', '2026-06-10', '2025-06-04', '2024-02-29']);
  });

  it('puts a capture date later in the year than now in the previous year', () => {
    const parsed = parseSnapshot(capture('Jun 10', entries), at('2026-03-01T12:00:00Z'));
    expect(parsed.capturedAt.toISOString()).toBe('2025-06-10T00:00:00.000Z');
    expect(parsed.papers[0]?.publishedOn).toBe('2025-03-08');
    expect(parsed.papers[1]?.publishedOn).toBe('2024-07-31');
    expect(parsed.papers[4]?.publishedOn).toBe('2024-02-29');
  });

  it('allows a capture dated one day after the UTC day of now (the page can be a time zone ahead)', () => {
    expect(parseSnapshot(capture('Jun 10', entries), at('2026-06-09T23:30:00Z')).capturedAt.toISOString()).toBe('2026-06-10T00:00:00.000Z');
    expect(parseSnapshot(capture('Jun 10', entries), at('2026-06-08T23:30:00Z')).capturedAt.toISOString()).toBe('2025-06-10T00:00:00.000Z');
  });

  it('handles a capture taken on Feb 29', () => {
    const parsed = parseSnapshot(
      capture('Feb 29', [
        { title: 'A', date: 'Feb 29' },
        { title: 'B', date: 'Mar 1' },
      ]),
      at('2028-03-05T00:00:00Z'),
    );
    expect(parsed.capturedAt.toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(parsed.papers.map((p) => p.publishedOn)).toEqual(['2028-02-29', '2027-03-01']);
  });

  it('takes a capture date written with a year as written', () => {
    const parsed = parseSnapshot(capture('Jun 10, 2024', [{ title: 'A', date: 'Jul 31' }]), at('2026-11-23T00:00:00Z'));
    expect(parsed.capturedAt.toISOString()).toBe('2024-06-10T00:00:00.000Z');
    expect(parsed.papers[0]?.publishedOn).toBe('2023-07-31');
  });
});
