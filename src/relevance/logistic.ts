// A small weighted logistic regression with an L2 penalty on the weights (not on the bias), over
// sparse vectors, fitted by L-BFGS (limited-memory quasi-Newton, the solver scikit-learn uses for
// this by default) with a backtracking line search. Why our own: the one npm package of this name
// (ml-logistic-regression) has neither a penalty nor a bias nor sample weights, and the general ones
// (tfjs, …) bring tens of MB for what is ~100 lines here; the problem is small (tens to hundreds of
// examples over a few thousand features) and strongly convex, so L-BFGS reaches the optimum in a few
// dozen steps, each one or two passes over the examples (accelerated gradient descent needed ~90: bench/README.md
// "relevance-cost"). Pure.
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
  // Local dense indexes over the features the examples use; the bias is the last coordinate.
  const { global, rows } = localIndexes(examples);
  const order = Array.from(global.keys()).sort((a, b) => global[a]! - global[b]!);
  const total = rows.reduce((s, r) => s + r.w, 0);
  const d = global.length;
  if (rows.length === 0 || total <= 0) return { bias: 0, idx: new Int32Array(0), weights: new Float64Array(0), steps: 0 };
  const n = d + 1;

  /** The objective (mean weighted log-loss + λ/2 ‖w‖²) at x, its gradient written into g. */
  const evaluate = (x: Float64Array, g: Float64Array): number => {
    let f = 0;
    for (let j = 0; j < d; j++) {
      f += 0.5 * l2 * x[j]! * x[j]!;
      g[j] = l2 * x[j]!;
    }
    g[d] = 0;
    const bias = x[d]!;
    for (const r of rows) {
      let z = bias;
      for (let k = 0; k < r.idx.length; k++) z += x[r.idx[k]!]! * r.val[k]!;
      // log(1 + e^z) − y z, without overflow
      const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
      f += (r.w * (softplus - r.y * z)) / total;
      const residual = (r.w * (sigmoid(z) - r.y)) / total;
      g[d] += residual;
      for (let k = 0; k < r.idx.length; k++) g[r.idx[k]!]! += residual * r.val[k]!;
    }
    return f;
  };

  const memory = 8;
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(memory);
  let x = new Float64Array(n);
  let g = new Float64Array(n);
  let f = evaluate(x, g);
  let nextX = new Float64Array(n);
  let nextG = new Float64Array(n);
  const direction = new Float64Array(n);
  let steps = 0;
  while (steps < maxSteps && norm(g) >= tolerance) {
    steps++;
    // the two-loop recursion: direction = −H g
    for (let j = 0; j < n; j++) direction[j] = -g[j]!;
    for (let m = s.length - 1; m >= 0; m--) {
      alpha[m] = rho[m]! * dotDense(s[m]!, direction);
      axpy(-alpha[m]!, y[m]!, direction);
    }
    const scale = s.length ? dotDense(s.at(-1)!, y.at(-1)!) / dotDense(y.at(-1)!, y.at(-1)!) : 1 / Math.max(norm(g), 1);
    for (let j = 0; j < n; j++) direction[j]! *= scale;
    for (let m = 0; m < s.length; m++) axpy(alpha[m]! - rho[m]! * dotDense(y[m]!, direction), s[m]!, direction);
    // backtracking until the loss falls enough (Armijo)
    const slope = dotDense(g, direction);
    if (!(slope < 0)) break; // not a descent direction: numerically at the optimum
    let t = 1;
    let nextF = Infinity;
    for (let tries = 0; tries < 30; tries++, t /= 2) {
      for (let j = 0; j < n; j++) nextX[j] = x[j]! + t * direction[j]!;
      nextF = evaluate(nextX, nextG);
      if (nextF <= f + 1e-4 * t * slope) break;
    }
    if (!(nextF < f)) break; // no progress possible in floating point
    // once the memory is full, the oldest pair is taken out and its arrays reused
    const full = s.length === memory;
    if (full) rho.shift();
    const sk = full ? s.shift()! : new Float64Array(n);
    const yk = full ? y.shift()! : new Float64Array(n);
    for (let j = 0; j < n; j++) {
      sk[j] = nextX[j]! - x[j]!;
      yk[j] = nextG[j]! - g[j]!;
    }
    const sy = dotDense(sk, yk);
    if (sy > 1e-12) {
      s.push(sk);
      y.push(yk);
      rho.push(1 / sy);
    }
    [x, nextX] = [nextX, x];
    [g, nextG] = [nextG, g];
    f = nextF;
  }
  const idx = new Int32Array(d);
  const weights = new Float64Array(d);
  order.forEach((local, i) => {
    idx[i] = global[local]!;
    weights[i] = x[local]!;
  });
  return { bias: x[d]!, idx, weights, steps };
}

/** Where each bucket stands among the features of one fit (−1: not used); reset after each fit. */
let localOf = new Int32Array(0);

/** The examples over local dense indexes (0…d−1, in order of first use) and the bucket of each. */
function localIndexes(examples: readonly Example[]): { global: Int32Array; rows: Array<{ idx: Int32Array; val: ArrayLike<number>; y: 0 | 1; w: number }> } {
  let largest = -1;
  for (const e of examples) for (const b of e.x.idx) if (b > largest) largest = b;
  if (localOf.length <= largest) localOf = new Int32Array(largest + 1).fill(-1);
  const used: number[] = [];
  const rows = examples.map((e) => {
    const idx = new Int32Array(e.x.idx.length);
    for (let k = 0; k < idx.length; k++) {
      const b = e.x.idx[k]!;
      if (localOf[b] === -1) localOf[b] = used.push(b) - 1;
      idx[k] = localOf[b]!;
    }
    return { idx, val: e.x.val, y: e.y, w: e.weight };
  });
  for (const b of used) localOf[b] = -1;
  return { global: Int32Array.from(used), rows };
}

function dotDense(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += a[j]! * b[j]!;
  return sum;
}

function norm(a: Float64Array): number {
  return Math.sqrt(dotDense(a, a));
}

/** out += k · a */
function axpy(k: number, a: Float64Array, out: Float64Array): void {
  for (let j = 0; j < a.length; j++) out[j]! += k * a[j]!;
}
