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
    {
      x: vec([
        [1, 1],
        [5, 0.2],
      ]),
      y: 1,
      weight: 1,
    },
    {
      x: vec([
        [1, 1],
        [6, 0.3],
      ]),
      y: 1,
      weight: 1,
    },
    {
      x: vec([
        [2, 1],
        [5, 0.2],
      ]),
      y: 0,
      weight: 1,
    },
    {
      x: vec([
        [2, 1],
        [6, 0.3],
      ]),
      y: 0,
      weight: 1,
    },
  ];

  it('separates what is wanted from what is not', () => {
    const fit = fitLogistic(data, { l2: 0.001 });
    expect(predict(fit, vec([[1, 1]]))).toBeGreaterThan(0.8);
    expect(predict(fit, vec([[2, 1]]))).toBeLessThan(0.2);
    expect([...fit.idx]).toEqual([1, 2, 5, 6]);
  });

  it('learns a bias (unpenalised): with no features it predicts the weighted share of positives', () => {
    const empty = vec([]);
    const fit = fitLogistic(
      [
        { x: empty, y: 1, weight: 3 },
        { x: empty, y: 0, weight: 1 },
      ],
      { l2: 10, maxSteps: 2000 },
    );
    expect(sigmoid(fit.bias)).toBeCloseTo(0.75, 2);
  });

  it('a heavier penalty gives smaller weights; weights of examples count', () => {
    const norm = (l2: number) => Math.hypot(...fitLogistic(data, { l2 }).weights);
    expect(norm(1)).toBeLessThan(norm(0.01));
    const heavy = fitLogistic([...data, { x: vec([[1, 1]]), y: 0, weight: 20 }], { l2: 0.001 });
    expect(predict(heavy, vec([[1, 1]]))).toBeLessThan(0.5);
  });

  it('stops at the optimum: the gradient of the penalised loss is about zero there, in a few dozen steps', () => {
    // 60 examples over 40 features, overlapping, not separable: the optimum is inside, not at infinity
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const examples: Example[] = Array.from({ length: 60 }, (_, i) => ({
      x: vec(
        Array.from({ length: 6 }, () => [Math.floor(next() * 40), 0.2 + next()] as [number, number]).filter(
          (e, k, all) => all.findIndex((o) => o[0] === e[0]) === k,
        ),
      ),
      y: next() < 0.5 ? 1 : 0,
      weight: i % 3 === 0 ? 0.9 : 1,
    }));
    const l2 = 0.001;
    const fit = fitLogistic(examples, { l2 });
    const total = examples.reduce((s, e) => s + e.weight, 0);
    const grad = new Map<number, number>([...fit.idx].map((b, j) => [b, l2 * fit.weights[j]!]));
    let gradBias = 0;
    for (const e of examples) {
      let z = fit.bias;
      e.x.idx.forEach((b, k) => (z += fit.weights[[...fit.idx].indexOf(b)]! * e.x.val[k]!));
      const r = (e.weight * (sigmoid(z) - e.y)) / total;
      gradBias += r;
      e.x.idx.forEach((b, k) => grad.set(b, grad.get(b)! + r * e.x.val[k]!));
    }
    expect(Math.hypot(gradBias, ...grad.values())).toBeLessThan(1e-4);
    expect(fit.steps).toBeLessThan(100);
  });

  it('returns an empty model for no examples', () => {
    expect(fitLogistic([], { l2: 0.01 })).toMatchObject({ bias: 0, steps: 0 });
  });
});
