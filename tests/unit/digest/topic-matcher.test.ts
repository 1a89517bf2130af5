// The digest's fast path (scores only, quick rejection of plain-word topics) must decide exactly
// what the full matcher decides, in the same order.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planDelivery, MAX_PAPERS_PER_EMAIL } from '../../../src/digest/plan-deliveries.ts';
import { TopicMatcher } from '../../../src/digest/topic-matcher.ts';
import { parseSnapshot } from '../../../src/ingest/parse-snapshot.ts';
import { compileTopic, matchTopics, TopicError } from '../../../src/match/index.ts';

const seed = parseSnapshot(readFileSync(path.resolve(import.meta.dirname, '../../../seeds/001_92719ba14292193f.txt')), { now: new Date('2026-11-23') });
const papers = seed.papers.map((p, id) => ({ id: id + 1, title: p.title, abstract: p.abstract }));
const words = [...new Set(seed.papers.flatMap((p) => p.title.split(/[^\p{L}\p{N}]+/u)).filter((w) => w.length > 2))].slice(0, 120);
const extra = ['zebra', 'protein', 'OR', '-quantum', '"scaling laws"', 'self-supervised', 'Laws', 'neural'];

const topicArb = fc.array(fc.constantFrom(...words, ...extra), { minLength: 1, maxLength: 4 }).map((parts) => parts.join(' '));

/** The full matcher's index of the papers: pure data, built once (building it costs ~20 ms). */
const fullIndex = new TopicMatcher(papers).index;

function fullMatch(topics: string[]) {
  const compiled = topics.flatMap((t) => {
    try {
      return [compileTopic(t)];
    } catch (err) {
      if (err instanceof TopicError) return [];
      throw err;
    }
  });
  return matchTopics(compiled, fullIndex).map((m) => ({ paperId: m.paperId, score: m.score, topics: m.hits.map((h) => h.topic) }));
}

describe('TopicMatcher', () => {
  it('scores exactly like the full matcher, in the same order', () => {
    fc.assert(
      fc.property(fc.array(topicArb, { minLength: 1, maxLength: 3 }), (topics) => {
        const fast = new TopicMatcher(papers).scorePapers(topics);
        const full = fullMatch([...new Set(topics)]);
        expect(fast.map((p) => [p.paperId, p.score])).toEqual(full.map((p) => [p.paperId, p.score]));
        for (const [i, p] of fast.entries()) expect(new Set(p.topics)).toEqual(new Set(full[i]!.topics));
      }),
      { numRuns: 400 },
    );
  });

  it('a plain topic with a word no paper has catches nothing, without parsing; invalid topics are reported once', () => {
    const matcher = new TopicMatcher(papers);
    expect(matcher.scorePapers(['scaling zebra'])).toEqual([]);
    expect(matcher.scorePapers(['scaling laws']).length).toBeGreaterThan(0);
    expect(matcher.scorePapers(['"unbalanced', 'scaling laws']).length).toBeGreaterThan(0);
    expect([...matcher.invalidTopics.keys()]).toEqual(['"unbalanced']);
  });

  it('hitsFor gives the highlights of the stored topics', () => {
    const matcher = new TopicMatcher(papers);
    const [best] = matcher.scorePapers(['scaling laws']);
    const hits = matcher.hitsFor(best!.paperId, best!.topics);
    expect(hits[0]!.topic).toBe('scaling laws');
    expect(hits[0]!.title.length + hits[0]!.abstract.length).toBeGreaterThan(0);
  });

  it('planDelivery leaves out papers already mailed and caps the email', () => {
    const matcher = new TopicMatcher(papers);
    const all = planDelivery(matcher, { id: 1, topics: ['the OR a OR of'] }, undefined)!;
    expect(all.papers).toHaveLength(MAX_PAPERS_PER_EMAIL);
    const some = planDelivery(matcher, { id: 1, topics: ['scaling laws'] }, new Set([all.papers[0]!.paperId]));
    expect(some?.papers.map((p) => p.paperId)).not.toContain(all.papers[0]!.paperId);
    expect(planDelivery(matcher, { id: 1, topics: ['zebra'] }, undefined)).toBeNull();
  });

  it("planDelivery stores the papers grouped by best topic, in the subscriber's topic order, best first in each", () => {
    const matcher = new TopicMatcher(papers);
    const topics = ['quantum', 'scaling laws', 'neural'];
    const plan = planDelivery(matcher, { id: 1, topics }, undefined)!;
    const groups = plan.papers.map((p) => p.topics[0]!);
    // each group in one run, the runs in the subscriber's order
    const runs = groups.filter((t, i) => i === 0 || groups[i - 1] !== t);
    expect(runs).toEqual(topics.filter((t) => groups.includes(t)));
    expect(runs.length).toBeGreaterThan(1);
    for (const t of runs) {
      const scores = plan.papers.filter((p) => p.topics[0] === t).map((p) => p.score!);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
    // the same papers as by score alone: grouping orders, it never picks
    expect(new Set(plan.papers.map((p) => p.paperId))).toEqual(
      new Set(
        matcher
          .scorePapers(topics)
          .slice(0, MAX_PAPERS_PER_EMAIL)
          .map((p) => p.paperId),
      ),
    );
  });
});
