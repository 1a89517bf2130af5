// The logistic regression: learns a separable rule, a bias, honours sample weights and its penalty.
import { describe, expect, it } from 'vitest';
import { fitLogistic, sigmoid, type Example, type SparseVector } from '../../../src/relevance/index.ts';

const vec = (entries: Array<[number, number]>): SparseVector => {
  const sorted = [...entries].sort((a, b) => a[0] - b[0]);
  const norm = Math.sqrt(sorted.reduce((s, [, v]) => s + v * v, 0)) || 1;
  return { idx: Int32Array.from(sorted.map(([i]) => i)), val: Float32Array.from(sorted.map(([, v]) => v / norm)) };
};
const predict = (fit: ReturnType<typeof fitLogistic>, x: SparseVector) => {
  let z = fit.bias;
  x.idx.forEach((b, k) => {
    const j = [...fit.idx].indexOf(b);
    if (j >= 0) z += fit.weights[j]! * x.val[k]!;
  });
  return sigmoid(z);
};

describe('logistic regression', () => {
  const data: Example[] = [
    { x: vec([[1, 1], [5, 0.2]]), y: 1, weight: 1 },
    { x: vec([[1, 1], [6, 0.3]]), y: 1, weight: 1 },
    { x: vec([[2, 1], [5, 0.2]]), y: 0, weight: 1 },
    { x: vec([[2, 1], [6, 0.3]]), y: 0, weight: 1 },
  ];

  it('separates what is wanted from what is not', () => {
    const fit = fitLogistic(data, { l2: 0.001 });
    expect(predict(fit, vec([[1, 1]]))).toBeGreaterThan(0.8);
    expect(predict(fit, vec([[2, 1]]))).toBeLessThan(0.2);
    expect([...fit.idx]).toEqual([1, 2, 5, 6]);
  });

  it('learns a bias (unpenalised): with no features it predicts the weighted share of positives', () => {
    const empty = vec([]);
    const fit = fitLogistic([{ x: empty, y: 1, weight: 3 }, { x: empty, y: 0, weight: 1 }], { l2: 10, maxSteps: 2000 });
    expect(sigmoid(fit.bias)).toBeCloseTo(0.75, 2);
  });

  it('a heavier penalty gives smaller weights; weights of examples count', () => {
    const norm = (l2: number) => Math.hypot(...fitLogistic(data, { l2 }).weights);
    expect(norm(1)).toBeLessThan(norm(0.01));
    const heavy = fitLogistic([...data, { x: vec([[1, 1]]), y: 0, weight: 20 }], { l2: 0.001 });
    expect(predict(heavy, vec([[1, 1]]))).toBeLessThan(0.5);
  });

  it('returns an empty model for no examples', () => {
    expect(fitLogistic([], { l2: 0.01 })).toMatchObject({ bias: 0, steps: 0 });
  });
});
