// A reader model trained from "more like this" and "not relevant": it tells the two senses of a
// word apart, explains itself, and is stored compactly without changing what it says.
import { describe, expect, it } from 'vitest';
import {
  decodeReaderModel,
  encodeReaderModel,
  explainReaderModel,
  heaviest,
  paperFeatures,
  scorePaper,
  standardScore,
  termBucket,
  trainReaderModel,
  vectorize,
  TRAINING,
} from '../../../src/relevance/index.ts';
import { features, ML, OTHER, PHYSICS, textModelOf } from './papers.ts';

describe('reader model', () => {
  const model = textModelOf();
  const liked = features(model, ML.slice(0, 2), 1, true);
  const disliked = features(model, PHYSICS.slice(0, 2), 101, true);
  const weak = features(model, OTHER, 201);
  const trained = trainReaderModel(model, { liked, disliked, weakNegatives: weak })!;

  it('puts an unseen paper of the liked sense above one of the disliked sense', () => {
    const ml = vectorize(model, ML[2]!);
    const physics = vectorize(model, PHYSICS[3]!);
    expect(scorePaper(trained, ml)).toBeGreaterThan(scorePaper(trained, physics));
    expect(standardScore(trained, ml)).toBeGreaterThan(0);
    expect(standardScore(trained, physics)).toBeLessThan(standardScore(trained, ml));
  });

  it('says which words weigh for and against, as written in the marked papers', () => {
    const { for: pro, against } = explainReaderModel(trained, 10);
    expect(pro.map((t) => t.term)).toEqual(expect.arrayContaining(['image']));
    expect(against.map((t) => t.term)).toEqual(expect.arrayContaining(['particles']));
    expect(pro.every((t) => t.weight > 0) && against.every((t) => t.weight < 0)).toBe(true);
    expect(trained.liked).toEqual([1, 2]);
    expect([trained.positives, trained.negatives]).toEqual([2, 2]);
  });

  it('learns nothing without a mark, or without anything on the wanted side', () => {
    expect(trainReaderModel(model, { liked: [], disliked: [], weakNegatives: weak })).toBeNull();
    expect(trainReaderModel(model, { liked: [], disliked, weakNegatives: weak })).toBeNull();
    // … unless the papers mailed to the reader stand in for it
    const stand = trainReaderModel(model, { liked: [], disliked, weakNegatives: weak, weakPositives: features(model, ML, 301) });
    expect(stand).not.toBeNull();
    expect(scorePaper(stand!, vectorize(model, ML[0]!))).toBeGreaterThan(scorePaper(stand!, vectorize(model, PHYSICS[2]!)));
  });

  it('is stored in at most 10,000 bytes and scores the same once read back', () => {
    const json = encodeReaderModel(trained);
    const back = decodeReaderModel(json);
    for (const p of [...ML, ...PHYSICS, ...OTHER]) expect(scorePaper(back, vectorize(model, p))).toBeCloseTo(scorePaper(trained, vectorize(model, p)), 3);
    expect(back.terms).toEqual(trained.terms);
    expect(back.liked).toEqual(trained.liked);
    // a model with many more weights than fit is cut to the budget, lightest weights first
    const big = {
      ...trained,
      idx: Int32Array.from({ length: 3000 }, (_, i) => i * 7),
      weights: Float32Array.from({ length: 3000 }, (_, i) => (i % 2 ? 1 : -1) * (1 + i / 3000)),
      terms: Array.from({ length: 3000 }, (_, i) => `word number ${i}`),
    };
    const cut = encodeReaderModel(big);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(TRAINING.maxBytes);
    const kept = decodeReaderModel(cut);
    expect(kept.idx.length).toBeGreaterThan(100);
    expect(kept.terms).toContain('word number 2999'); // the heaviest stays
    expect(() => decodeReaderModel(JSON.stringify({ v: 2 }))).toThrow(/unknown version/);
  });

  it('reads a paper it never saw (features from its text)', () => {
    const f = paperFeatures(model, 9, ML[3]!, { surface: true });
    expect(f.surface?.get(termBucket('diffus', model.buckets))).toBe('diffusion');
    expect(f.vector.idx.length).toBeGreaterThan(3);
  });

  it('keeps the heaviest weights by size, in their own order, the first of equal ones', () => {
    expect(heaviest([0.1, -3, 2, 0.5, -2, 2], 3)).toEqual([1, 2, 4]);
    expect(heaviest([1, -1, 1, -1], 2)).toEqual([0, 1]);
    expect(heaviest([0.3, 0.1], 5)).toEqual([0, 1]);
    expect(heaviest([0.3, 0.1], 0)).toEqual([]);
  });
});
