// A small weighted logistic regression with an L2 penalty on the weights (not on the bias), over
// sparse vectors, fitted by Nesterov's accelerated gradient descent. Why our own: the one npm
// package of this name (ml-logistic-regression) has neither a penalty nor a bias nor sample weights,
// and the general ones (tfjs, …) bring tens of MB for what is ~60 lines here; the problem is small
// (tens to hundreds of examples over a few thousand features) and strongly convex, so plain
// accelerated gradient descent with the step its smoothness allows converges in a few hundred steps. Pure.
import type { SparseVector } from './text-model.ts';

export interface Example {
  x: SparseVector;
  /** 1: wanted, 0: not wanted */
  y: 0 | 1;
  /** how much it counts (a weak negative less than a click) */
  weight: number;
}

export interface LogisticOptions {
  /** the L2 penalty λ on the weights (the mean weighted loss + λ/2 ‖w‖²) */
  l2: number;
  /** at most this many steps (it stops sooner once the gradient is negligible) */
  maxSteps?: number;
  tolerance?: number;
}

export interface LogisticFit {
  bias: number;
  /** the features with a weight, ascending, and their weights */
  idx: Int32Array;
  weights: Float64Array;
  steps: number;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function fitLogistic(examples: readonly Example[], options: LogisticOptions): LogisticFit {
  const { l2 } = options;
  const maxSteps = options.maxSteps ?? 300;
  const tolerance = options.tolerance ?? 1e-4;
  // Local dense indexes over the features the examples use.
  const features = new Map<number, number>();
  for (const e of examples) for (const b of e.x.idx) if (!features.has(b)) features.set(b, features.size);
  const global = Int32Array.from([...features.keys()]);
  const order = Array.from(global.keys()).sort((a, b) => global[a]! - global[b]!);
  const rows = examples.map((e) => ({ idx: Int32Array.from(e.x.idx, (b) => features.get(b)!), val: e.x.val, y: e.y, w: e.weight }));
  const total = rows.reduce((s, r) => s + r.w, 0);
  const d = features.size;
  if (rows.length === 0 || total <= 0) return { bias: 0, idx: new Int32Array(0), weights: new Float64Array(0), steps: 0 };

  // Smoothness of the mean loss: ≤ ¼ max‖(x, 1)‖²; vectors are L2-normalised, so ≤ ½ (+ λ).
  let maxNorm = 0;
  for (const r of rows) {
    let n = 1;
    for (const v of r.val) n += v * v;
    if (n > maxNorm) maxNorm = n;
  }
  const smooth = maxNorm / 4 + l2;
  const step = 1 / smooth;
  const momentum = l2 > 0 ? (Math.sqrt(smooth / l2) - 1) / (Math.sqrt(smooth / l2) + 1) : 0.9;

  let w = new Float64Array(d);
  let b = 0;
  let prevW = new Float64Array(d);
  let prevB = 0;
  const lookW = new Float64Array(d);
  const grad = new Float64Array(d);
  let steps = 0;
  for (; steps < maxSteps; steps++) {
    // the look-ahead point, and the penalty's part of the gradient there
    for (let j = 0; j < d; j++) {
      const look = w[j]! + momentum * (w[j]! - prevW[j]!);
      lookW[j] = look;
      grad[j] = l2 * look;
    }
    const lookB = b + momentum * (b - prevB);
    let gradB = 0;
    for (const r of rows) {
      let z = lookB;
      for (let k = 0; k < r.idx.length; k++) z += lookW[r.idx[k]!]! * r.val[k]!;
      const residual = (r.w * (sigmoid(z) - r.y)) / total;
      gradB += residual;
      for (let k = 0; k < r.idx.length; k++) grad[r.idx[k]!]! += residual * r.val[k]!;
    }
    // a step from the look-ahead point (into the older buffer)
    let norm = gradB * gradB;
    const nextW = prevW;
    for (let j = 0; j < d; j++) {
      const g = grad[j]!;
      norm += g * g;
      nextW[j] = lookW[j]! - step * g;
    }
    prevW = w;
    w = nextW;
    prevB = b;
    b = lookB - step * gradB;
    if (Math.sqrt(norm) < tolerance) {
      steps++;
      break;
    }
  }
  const idx = new Int32Array(d);
  const weights = new Float64Array(d);
  order.forEach((local, i) => {
    idx[i] = global[local]!;
    weights[i] = w[local]!;
  });
  return { bias: b, idx, weights, steps };
}
