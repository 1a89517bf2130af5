// The digest build's one decision, pure (plan-digest.ts planBatch): which readers of a batch get a
// delivery now, from which papers; the IO around it reads the inputs and writes the plans.
import { describe, expect, it } from 'vitest';
import { BuildPapers, planBatch, type BatchInputs } from '../../../src/digest/plan-digest.ts';
import type { SubscriberInBatch } from '../../../src/db/digests.ts';
import type { Paper } from '../../../src/model/paper.ts';

const paper = (id: number, title: string) =>
  ({ id, arxivId: `2612.0000${id}`, title, abstract: '', upvotes: 10, authors: [], authorCount: 0 }) as unknown as Paper;
// this digest's new papers, and one from earlier in the week (frozen in an earlier digest)
const papers = new BuildPapers([paper(1, 'Scaling laws for diffusion'), paper(2, 'Protein folding at scale')], [paper(3, 'More scaling laws')]);
const reader = (id: number, topics: string[], frequency: 'daily' | 'weekly' = 'daily'): SubscriberInBatch => ({
  id,
  topics,
  email: `r${id}@example.org`,
  frequency,
  weeklyDay: 1,
  since: new Date('2026-11-01T00:00:00Z'),
});
const inputs = (over: Partial<BatchInputs> = {}): BatchInputs => ({ due: new Set(), skip: new Map(), relevance: new Map(), ...over });
const ids = (plan: { papers: Array<{ paperId: number }> } | undefined) => plan?.papers.map((p) => p.paperId);

describe('planning a batch of readers', () => {
  it("a daily reader: this digest's new papers that their topics catch, never the week's earlier ones", () => {
    const { plans, carried } = planBatch([reader(10, ['scaling laws'])], papers, inputs());
    expect(plans.map((p) => p.subscriberId)).toEqual([10]);
    expect(ids(plans[0])).toEqual([1]);
    expect(carried).toEqual([]);
  });

  it('a reader whose topics catch nothing gets no delivery', () => {
    expect(planBatch([reader(11, ['quantum gravity'])], papers, inputs()).plans).toEqual([]);
  });

  it('a weekly reader whose week is not up gets nothing now; when due, the week’s papers, the earlier ones carried', () => {
    const weekly = reader(12, ['scaling laws'], 'weekly');
    expect(planBatch([weekly], papers, inputs()).plans).toEqual([]);
    const { plans, carried } = planBatch([weekly], papers, inputs({ due: new Set([12]) }));
    expect(ids(plans[0])?.sort()).toEqual([1, 3]);
    expect(carried).toEqual([3]);
  });

  it('papers the reader already got are never planned again; all of them got: no delivery', () => {
    expect(ids(planBatch([reader(13, ['scaling laws', 'protein'])], papers, inputs({ skip: new Map([[13, new Set([1])]]) })).plans[0])).toEqual([2]);
    expect(planBatch([reader(14, ['scaling laws'])], papers, inputs({ skip: new Map([[14, new Set([1])]]) })).plans).toEqual([]);
  });
});
