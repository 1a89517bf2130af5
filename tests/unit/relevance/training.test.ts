// What a reader model is trained on: the latest word on each paper, weak negatives drawn the same
// way each time and never a marked paper, mailed papers standing in for a reader who liked none.
import { describe, expect, it } from 'vitest';
import { latestMarks, pickWeakNegatives, weakPositivesFor } from '../../../src/relevance/index.ts';

describe('training data', () => {
  it('takes the latest word on each paper, latest first', () => {
    const marks = latestMarks([
      { paperId: 1, kind: 'more_like_this', at: 1 },
      { paperId: 2, kind: 'more_like_this', at: 2 },
      { paperId: 1, kind: 'not_relevant', at: 3 },
      { paperId: 3, kind: 'more_like_this', at: 4 },
    ]);
    expect(marks).toEqual({ liked: [3, 2], disliked: [1] });
  });

  it('draws weak negatives from the pool, the same for the same reader, never a marked paper, no repeats', () => {
    const pool = Array.from({ length: 200 }, (_, i) => i + 1);
    const a = pickWeakNegatives(pool, 42, new Set([5, 6, 7]), 50);
    expect(a).toEqual(pickWeakNegatives(pool, 42, new Set([5, 6, 7]), 50));
    expect(a).toHaveLength(50);
    expect(new Set(a).size).toBe(50);
    expect(a.some((id) => [5, 6, 7].includes(id))).toBe(false);
    expect(pickWeakNegatives(pool, 43, new Set(), 50)).not.toEqual(a);
    expect(pickWeakNegatives([], 1, new Set())).toEqual([]);
  });

  it('lets mailed papers stand in for the wanted side only while the reader liked none', () => {
    expect(weakPositivesFor({ liked: [], disliked: [2] }, [1, 2, 3], 5)).toEqual([1, 3]);
    expect(weakPositivesFor({ liked: [9], disliked: [2] }, [1, 2, 3])).toEqual([]);
  });
});
