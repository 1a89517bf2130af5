import { describe, expect, it } from 'vitest';
import { backfillDays, dayPageUrl, isWeekend, mergePage, parseDay, retryDelayMs } from '../../../src/ingest/backfill-plan.ts';

const NOW = new Date('2026-12-03T13:00:00Z');
const item = (id: string) => ({ paper: { id } });

describe('backfill plan', () => {
  it('the days from --since to yesterday (UTC), both included', () => {
    expect(backfillDays('2026-11-28', undefined, NOW)).toEqual(['2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02']);
    expect(backfillDays('2026-11-30', '2026-11-30', NOW)).toEqual(['2026-11-30']);
    expect(backfillDays('2024-02-27', '2024-03-01', NOW)).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
    // just after midnight UTC, yesterday is the day before
    expect(backfillDays('2026-12-01', undefined, new Date('2026-12-03T00:00:01Z')).at(-1)).toBe('2026-12-02');
  });

  it('refuses what is not a range it can ask for, saying why', () => {
    expect(() => backfillDays('2026-11-31', undefined, NOW)).toThrow(/--since "2026-11-31": must be a day written YYYY-MM-DD/);
    expect(() => backfillDays('1 Nov', undefined, NOW)).toThrow(/--since/);
    expect(() => backfillDays('2026-11-01', '2026-12-03', NOW)).toThrow(/ends yesterday \(2026-12-02\) at the latest; today's listing is still filling up/);
    expect(() => backfillDays('2026-12-03', undefined, NOW)).toThrow(/after 2026-12-02: nothing to backfill/);
    expect(() => backfillDays('1990-12-31', '1991-01-02', NOW)).toThrow(/before 1991-01-01/);
  });

  it('parses only real calendar days', () => {
    expect(parseDay('2026-02-28')?.toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(parseDay('2026-02-29')).toBeNull();
    expect(parseDay('2026-2-8')).toBeNull();
    expect(isWeekend('2026-11-07')).toBe(true); // a Saturday
    expect(isWeekend('2026-11-09')).toBe(false);
  });

  it("a page's URL keeps what the source URL says (credentials, other parameters) and sets date, page, limit and sort", () => {
    const url = new URL(dayPageUrl('https://u:p@api.example.org/api/daily_papers?token=abc&p=9', '2026-11-02', 2));
    expect(url.username).toBe('u');
    expect(Object.fromEntries(url.searchParams)).toEqual({ token: 'abc', p: '2', date: '2026-11-02', limit: '100', sort: 'trending' });
  });

  it('merges pages by paper id: a full page that brought something new asks for the next; a repeated one stops', () => {
    const full = Array.from({ length: 100 }, (_, i) => item(`2611.${String(i).padStart(5, '0')}`));
    const first = mergePage([], full);
    expect(first).toMatchObject({ more: true });
    expect(first.items).toHaveLength(100);
    // an API that ignores p gives the same page again: nothing new, stop
    expect(mergePage(first.items, full)).toMatchObject({ more: false, items: first.items });
    // a shifted page: only the new ones are added
    const next = mergePage(first.items, [item('2611.00099'), item('2611.00100'), { paper: {} }]);
    expect(next.items).toHaveLength(102);
    expect(next.more).toBe(false);
  });

  it('waits as the server says (Retry-After in seconds or as a date), else doubling from the pace, at least a second', () => {
    expect(retryDelayMs('3', 1, 200, NOW)).toBe(3000);
    expect(retryDelayMs(new Date(NOW.getTime() + 5000).toUTCString(), 1, 200, NOW)).toBe(5000);
    expect(retryDelayMs(null, 1, 200, NOW)).toBe(1000);
    expect(retryDelayMs(null, 3, 2000, NOW)).toBe(8000);
    expect(retryDelayMs('soon', 2, 0, NOW)).toBe(2000);
  });
});
