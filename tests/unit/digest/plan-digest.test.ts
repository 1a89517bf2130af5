// The build's smaller pure decisions (plan-digest.ts) around planBatch (plan-batch.test.ts): which
// weekly readers are due, which papers a batch is checked against, which of the week's papers a chunk
// is the first to carry.
import { describe, expect, it } from 'vitest';
import type { FrozenPaper } from '../../../src/db/digest-papers.ts';
import type { SubscriberInBatch } from '../../../src/db/digests.ts';
import { BuildPapers, dueWeekly, earlierThisWeek, firstCarried, papersToPlan } from '../../../src/digest/plan-digest.ts';

const paper = (id: number, title: string) =>
  ({ id, arxivId: `2612.0000${id}`, title, abstract: '', upvotes: 1, authors: [], authorCount: 0 }) as unknown as FrozenPaper;
const reader = (id: number, frequency: 'daily' | 'weekly', since = '2026-11-01T00:00:00Z'): SubscriberInBatch => ({
  id,
  topics: ['x'],
  email: `r${id}@example.org`,
  frequency,
  weeklyDay: 1, // Monday
  since: new Date(since),
});
// Wednesday 2026-12-02: the latest Monday began on 2026-11-30
const builtAt = new Date('2026-12-02T08:00:00Z');

describe('the plan around a batch', () => {
  it('a weekly reader is due when their weekday began after their last delivery (or their start); daily readers never are', () => {
    const batch = [reader(1, 'weekly'), reader(2, 'weekly'), reader(3, 'daily'), reader(4, 'weekly', '2026-12-01T00:00:00Z')];
    const last = new Map([[2, new Date('2026-11-30T09:00:00Z')]]);
    expect([...dueWeekly(batch, last, builtAt)]).toEqual([1]);
  });

  it("the week's papers leave out this digest's own; a batch is checked against the week's only when a weekly reader is due", () => {
    const fresh = [paper(1, 'a'), paper(2, 'b')];
    const week = earlierThisWeek(
      [
        { paper: paper(2, 'b, as frozen before'), digestId: 7 },
        { paper: paper(3, 'c'), digestId: 7 },
      ],
      fresh,
    );
    expect(week).toEqual([{ paper: paper(3, 'c'), digestId: 7 }]);
    const papers = new BuildPapers(
      fresh,
      week.map((w) => w.paper),
    );
    expect(papersToPlan(papers, false).map((p) => p.id)).toEqual([1, 2]);
    expect(papersToPlan(papers, true).map((p) => p.id)).toEqual([1, 2, 3]);
  });

  it('a chunk freezes only the carried papers no earlier chunk froze, in the order it carries them', () => {
    const papers = new BuildPapers([paper(1, 'a')], [paper(3, 'c'), paper(4, 'd'), paper(5, 'e')]);
    expect(firstCarried([5, 3, 4], new Set([3]), papers).map((p) => p.id)).toEqual([5, 4]);
    expect(firstCarried([3], new Set([3]), papers)).toEqual([]);
  });
});
