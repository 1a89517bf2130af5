// The ranking rule: readers without a model get exactly today's order (a property); with one, the
// tier and the model decide together, upvotes break ties, confident misses go under their line,
// and at most two papers no topic caught are suggested, each with the liked paper it resembles.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rankForReader, RULE, trainReaderModel, vectorize, type SparseVector } from '../../../src/relevance/index.ts';
import { features, ML, OTHER, PHYSICS, textModelOf } from './papers.ts';

describe('ranking for a reader', () => {
  it('without a model: the caught papers exactly as given, nothing set aside or suggested (any input)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ paperId: fc.nat(1000), score: fc.nat(5999), upvotes: fc.option(fc.nat(500)) }), { maxLength: 30 }),
        fc.array(fc.record({ paperId: fc.nat(1000), upvotes: fc.option(fc.nat(500)) }), { maxLength: 30 }),
        (caught, others) => {
          const r = rankForReader({ caught, others, model: null, vectorOf: () => ({ idx: Int32Array.of(1), val: Float32Array.of(1) }) });
          expect(r.ordered.map(({ relevance: _relevance, ...p }) => p)).toEqual(caught);
          expect(r.ordered.every((p) => p.relevance === null)).toBe(true);
          expect(r.notForYou).toEqual([]);
          expect(r.alsoLike).toEqual([]);
        },
      ),
    );
  });

  const model = textModelOf();
  const vectors = new Map<number, SparseVector>();
  const all = [...ML.map((p, i) => [1 + i, p] as const), ...PHYSICS.map((p, i) => [101 + i, p] as const), ...OTHER.map((p, i) => [201 + i, p] as const)];
  for (const [id, p] of all) vectors.set(id, vectorize(model, p));
  const vectorOf = (id: number) => vectors.get(id);
  const reader = trainReaderModel(model, {
    liked: features(model, ML.slice(0, 2), 1, true),
    disliked: features(model, PHYSICS.slice(0, 2), 101, true),
    weakNegatives: features(model, OTHER, 201),
  })!;

  it('moves the liked sense up past a closer match of the disliked sense, and sets confident misses aside', () => {
    // "diffusion" caught both: the physics paper in its title (tier 5), the ML one too
    const caught = [
      { paperId: 103, score: 5001, upvotes: 10 },
      { paperId: 104, score: 5001, upvotes: 10 },
      { paperId: 3, score: 4001, upvotes: 10 },
      { paperId: 4, score: 4001, upvotes: 10 },
    ];
    // the order alone (a reader who never said "not relevant": nothing is set aside)
    const ordered = rankForReader({ caught, others: [], model: { ...reader, negatives: 0 }, vectorOf }).ordered.map((p) => p.paperId);
    expect(ordered.slice(0, 2).sort()).toEqual([3, 4]);
    const r = rankForReader({ caught, others: [], model: reader, vectorOf });
    const shown = [...r.ordered, ...r.notForYou].map((p) => p.paperId);
    expect(shown.indexOf(3)).toBeLessThan(shown.indexOf(103));
    expect(shown.indexOf(4)).toBeLessThan(shown.indexOf(104));
    expect(r.notForYou.every((p) => p.relevance! < RULE.notForYouBelow)).toBe(true);
    expect(r.ordered.every((p) => p.relevance! >= RULE.notForYouBelow)).toBe(true);
    expect(new Set(shown)).toEqual(new Set(caught.map((p) => p.paperId))); // never dropped
  });

  it('sets nothing aside for a reader who never said "not relevant"', () => {
    const likesOnly = { ...reader, negatives: 0 };
    const r = rankForReader({
      caught: [
        { paperId: 103, score: 0 },
        { paperId: 3, score: 0 },
      ],
      others: [],
      model: likesOnly,
      vectorOf,
      rule: { ...RULE, notForYouBelow: 100 },
    });
    expect(r.notForYou).toEqual([]);
    expect(r.ordered).toHaveLength(2);
  });

  it('breaks ties of tier and model by upvotes, then keeps the given order', () => {
    const same = (id: number, upvotes: number | null) => ({ paperId: id, score: 5000, upvotes });
    const flat = { ...reader, idx: new Int32Array(0), weights: new Float32Array(0), terms: [], negatives: 0 };
    const r = rankForReader({ caught: [same(1, 45), same(2, 212), same(3, null), same(4, 212)], others: [], model: flat, vectorOf });
    expect(r.ordered.map((p) => p.paperId)).toEqual([2, 4, 1, 3]);
  });

  it('suggests at most two papers no topic caught, never a caught one, each with the liked paper it resembles', () => {
    const others = [3, 4, 102, 201, 202].map((paperId) => ({ paperId, upvotes: 1 }));
    const r = rankForReader({ caught: [{ paperId: 4, score: 1000 }], others, model: reader, vectorOf, rule: { ...RULE, alsoLikeFrom: -100 } });
    expect(r.alsoLike.length).toBeLessThanOrEqual(2);
    expect(r.alsoLike.map((s) => s.paper.paperId)).not.toContain(4);
    expect(r.alsoLike[0]!.paper.paperId).toBe(3); // the other ML paper, most like what was liked
    for (const s of r.alsoLike) expect(reader.liked).toContain(s.resembles);
    const strict = rankForReader({ caught: [], others, model: reader, vectorOf, rule: { ...RULE, alsoLikeFrom: 100 } });
    expect(strict.alsoLike).toEqual([]);
  });
});
