import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newPaperKeys } from '../../../src/model/new-papers.ts';

describe('newPaperKeys', () => {
  it('keeps the papers absent from the previous snapshot, in listing order', () => {
    expect(newPaperKeys([5, 1, 9, 3], [1, 3, 4])).toEqual([5, 9]);
  });
  it('everything is new when there is no previous snapshot', () => {
    expect(newPaperKeys([2, 1], null)).toEqual([2, 1]);
  });
  it('nothing is new in an identical or empty snapshot', () => {
    expect(newPaperKeys([1, 2], [2, 1])).toEqual([]);
    expect(newPaperKeys([], [1])).toEqual([]);
  });
  it('a key listed twice is new once', () => {
    expect(newPaperKeys(['a', 'b', 'a'], ['c'])).toEqual(['a', 'b']);
  });
  it('property: the result is exactly current minus previous, without repeats, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30 })), fc.array(fc.integer({ min: 0, max: 30 })), (current, previous) => {
        const result = newPaperKeys(current, previous);
        expect(new Set(result).size).toBe(result.length);
        for (const k of result) expect(previous).not.toContain(k);
        for (const k of current) if (!previous.includes(k)) expect(result).toContain(k);
        const order = current.filter((k, i) => current.indexOf(k) === i && !previous.includes(k));
        expect(result).toEqual(order);
      }),
    );
  });
});
