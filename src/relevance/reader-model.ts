// A reader model: a logistic regression over the text model's vectors, trained from one reader's
// feedback — "more like this" wanted, "not relevant" not, and random stored papers as weak negatives
// (weight 0.9: Scholar Inbox's recipe), the two classes balanced (as arxiv-sanity-lite's
// class_weight="balanced") — then kept compact: the weights that weigh most, quantised to 8 bits,
// with the word each stands for, in at most MAX_MODEL_BYTES of JSON. Pure.
import { fitLogistic, sigmoid, type Example } from './logistic.ts';
import { surfaceForms, type PaperText } from './terms.ts';
import { paperTerms } from './terms.ts';
import { dot, termBucket, vectorizeTerms, type SparseVector, type TextModel } from './text-model.ts';

/** What one paper brings to training and scoring: its vector, and (for explanations) its words. */
export interface PaperFeatures {
  paperId: number;
  vector: SparseVector;
  /** bucket → how its first term is written in the paper; only needed for the papers the reader marked */
  surface?: ReadonlyMap<number, string>;
}

export function paperFeatures(textModel: TextModel, paperId: number, text: PaperText, options: { surface?: boolean } = {}): PaperFeatures {
  const vector = vectorizeTerms(textModel, paperTerms(text));
  return options.surface ? { paperId, vector, surface: surfaceByBucket(textModel, text) } : { paperId, vector };
}

/** How the first term of each bucket is written in the paper (the words a model's weights stand for). */
export function surfaceByBucket(textModel: TextModel, text: PaperText): Map<number, string> {
  const surface = new Map<number, string>();
  for (const [term, written] of surfaceForms(text)) {
    const b = termBucket(term, textModel.buckets);
    if (!surface.has(b)) surface.set(b, written);
  }
  return surface;
}

export interface TrainingSet {
  /** "more like this", latest first */
  liked: readonly PaperFeatures[];
  /** "not relevant" */
  disliked: readonly PaperFeatures[];
  /** random stored papers the reader never marked */
  weakNegatives: readonly PaperFeatures[];
  /** papers assumed mildly wanted (see README "Training"); may be empty */
  weakPositives?: readonly PaperFeatures[];
}

export interface TrainingOptions {
  l2: number;
  /** steps of the fit at most (logistic.ts) */
  maxSteps: number;
  weakNegativeWeight: number;
  weakPositiveWeight: number;
  /** at most this many weights kept */
  maxTerms: number;
  maxBytes: number;
}

export const TRAINING: TrainingOptions = { l2: 0.03, maxSteps: 300, weakNegativeWeight: 0.9, weakPositiveWeight: 0.3, maxTerms: 400, maxBytes: 10_000 };

/** How many liked paper ids a model keeps (the "resembles" reason of a suggestion names one). */
const MAX_LIKED_KEPT = 30;

export interface ReaderModel {
  /** the text model's bucket count it was trained over */
  buckets: number;
  bias: number;
  /** buckets ascending, and their weights (dequantised) */
  idx: Int32Array;
  weights: Float32Array;
  /** the word each weight stands for, as written in a marked paper ("" when it came only from random papers) */
  terms: string[];
  /** the liked papers, latest first (at most MAX_LIKED_KEPT) */
  liked: number[];
  /** how many papers were marked each way */
  positives: number;
  negatives: number;
  /**
   * The mean and standard deviation of the model's score (log-odds) over the random stored papers
   * it was trained with: a paper's standard score says how far above an ordinary paper the reader
   * would put it, comparable from one reader to the next (README "Scores").
   */
  center: number;
  spread: number;
}

/**
 * Trains a reader's model, or null when there is nothing to learn from: no paper marked either way,
 * or no wanted side at all (neither a liked paper nor a weak positive).
 */
export function trainReaderModel(textModel: TextModel, set: TrainingSet, options: TrainingOptions = TRAINING): ReaderModel | null {
  const weakPositives = set.weakPositives ?? [];
  if (set.liked.length + set.disliked.length === 0) return null;
  if (set.liked.length + weakPositives.length === 0) return null;
  const examples: Example[] = [];
  for (const p of set.liked) examples.push({ x: p.vector, y: 1, weight: 1 });
  for (const p of weakPositives) examples.push({ x: p.vector, y: 1, weight: options.weakPositiveWeight });
  for (const p of set.disliked) examples.push({ x: p.vector, y: 0, weight: 1 });
  // The model's words are those of the papers the reader's side brings; a random paper counts
  // through them (and the bias) only. Most of a random paper's words would get a weight that
  // never meets a paper this reader is shown, and cost 4× the time (bench/README.md "relevance-cost").
  const own = new Set<number>();
  for (const e of examples) for (const b of e.x.idx) own.add(b);
  for (const p of set.weakNegatives) examples.push({ x: within(p.vector, own), y: 0, weight: options.weakNegativeWeight });
  // Balanced classes: each side weighs as much in total.
  const positive = examples.filter((e) => e.y === 1).reduce((s, e) => s + e.weight, 0);
  const negative = examples.filter((e) => e.y === 0).reduce((s, e) => s + e.weight, 0);
  if (negative > 0) for (const e of examples) if (e.y === 1) e.weight *= negative / positive;
  const fit = fitLogistic(examples, { l2: options.l2, maxSteps: options.maxSteps });

  // The weights that weigh most, with the words they stand for.
  const order = heaviest(fit.weights, options.maxTerms);
  const kept = new Map<number, string>(order.map((i) => [fit.idx[i]!, '']));
  for (const p of [...set.liked, ...set.disliked]) {
    for (const [b, written] of p.surface ?? []) if (kept.get(b) === '') kept.set(b, written);
  }
  const model: ReaderModel = {
    buckets: textModel.buckets,
    bias: fit.bias,
    idx: Int32Array.from(order, (i) => fit.idx[i]!),
    weights: Float32Array.from(order, (i) => fit.weights[i]!),
    terms: order.map((i) => kept.get(fit.idx[i]!)!),
    liked: set.liked.slice(0, MAX_LIKED_KEPT).map((p) => p.paperId),
    positives: set.liked.length,
    negatives: set.disliked.length,
    center: 0,
    spread: 1,
  };
  const quantised = quantise(model);
  const ordinary = set.weakNegatives.map((p) => logOdds(quantised, p.vector));
  const center = ordinary.length ? ordinary.reduce((a, b) => a + b, 0) / ordinary.length : 0;
  const spread = ordinary.length > 1 ? Math.sqrt(ordinary.reduce((a, b) => a + (b - center) ** 2, 0) / (ordinary.length - 1)) : 1;
  return { ...quantised, center: round(center), spread: round(Math.max(spread, 1e-3)) };
}

/** The model's log-odds that the reader wants a paper with this vector. */
function logOdds(model: ReaderModel, vector: SparseVector): number {
  return model.bias + dot({ idx: model.idx, val: model.weights }, vector);
}

/** How many standard deviations above an ordinary stored paper the model puts this one. */
export function standardScore(model: ReaderModel, vector: SparseVector): number {
  return (logOdds(model, vector) - model.center) / model.spread;
}

/** The entries of a vector in these buckets (not normalised again: the rest of the paper still counted in its length). */
function within(v: SparseVector, buckets: ReadonlySet<number>): SparseVector {
  const idx = new Int32Array(v.idx.length);
  const val = new Float32Array(v.idx.length);
  let n = 0;
  for (let k = 0; k < v.idx.length; k++) {
    if (!buckets.has(v.idx[k]!)) continue;
    idx[n] = v.idx[k]!;
    val[n++] = v.val[k]!;
  }
  return { idx: idx.subarray(0, n), val: val.subarray(0, n) };
}

/** The probability (0–1) that the reader wants a paper with this vector. */
export function scorePaper(model: ReaderModel, vector: SparseVector): number {
  return sigmoid(logOdds(model, vector));
}

export interface WeighedTerm {
  term: string;
  weight: number;
}

/** The words that weigh most for and against papers, heaviest first (words from marked papers only). */
export function explainReaderModel(model: ReaderModel, count = 8): { for: WeighedTerm[]; against: WeighedTerm[] } {
  const terms: WeighedTerm[] = [];
  model.terms.forEach((term, i) => {
    if (term) terms.push({ term, weight: model.weights[i]! });
  });
  const pick = (sign: number) =>
    terms
      .filter((t) => Math.sign(t.weight) === sign)
      .sort((a, b) => sign * (b.weight - a.weight))
      .slice(0, count);
  return { for: pick(1), against: pick(-1) };
}

// ——— storage: compact JSON, at most maxBytes ———

interface StoredModel {
  v: 1;
  /** buckets of the text model */
  n: number;
  b: number;
  /** scale of the 8-bit weights */
  s: number;
  /** buckets, delta-encoded */
  i: number[];
  /** weights, −127…127 */
  w: number[];
  /** words, "\u0001"-separated, aligned with i */
  t: string;
  l: number[];
  p: number;
  q: number;
  /** center and spread of the standard score */
  c: number;
  d: number;
}

const SEPARATOR = '\u0001';

/** Weights rounded to what storage keeps (8 bits against the largest), so a stored model scores as trained. */
function quantise(model: ReaderModel): ReaderModel {
  const scale = scaleOf(model.weights);
  return { ...model, bias: round(model.bias), weights: Float32Array.from(model.weights, (w) => Math.round(w / scale) * scale) };
}

function scaleOf(weights: Float32Array): number {
  let max = 0;
  for (const w of weights) max = Math.max(max, Math.abs(w));
  return max > 0 ? max / 127 : 1;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** JSON of at most maxBytes (UTF-8): the lightest weights are left out until it fits. */
export function encodeReaderModel(model: ReaderModel, maxBytes = TRAINING.maxBytes): string {
  let keep = model.idx.length;
  for (;;) {
    const order = heaviest(model.weights, keep);
    const weights = Float32Array.from(order, (i) => model.weights[i]!);
    const scale = scaleOf(weights);
    const stored: StoredModel = {
      v: 1,
      n: model.buckets,
      b: round(model.bias),
      s: scale,
      i: order.map((i, k) => model.idx[i]! - (k === 0 ? 0 : model.idx[order[k - 1]!]!)),
      w: Array.from(weights, (w) => Math.round(w / scale)),
      t: order.map((i) => model.terms[i]!.replaceAll(SEPARATOR, ' ')).join(SEPARATOR),
      l: model.liked,
      p: model.positives,
      q: model.negatives,
      c: model.center,
      d: model.spread,
    };
    const json = JSON.stringify(stored);
    if (Buffer.byteLength(json) <= maxBytes || keep === 0) return json;
    keep = Math.floor(keep * 0.9);
  }
}

export function decodeReaderModel(json: string): ReaderModel {
  const stored = JSON.parse(json) as StoredModel;
  if (stored.v !== 1) throw new Error(`reader model: unknown version ${String(stored.v)}`);
  const idx = new Int32Array(stored.i.length);
  stored.i.forEach((delta, k) => (idx[k] = (k === 0 ? 0 : idx[k - 1]!) + delta));
  return {
    buckets: stored.n,
    bias: stored.b,
    idx,
    weights: Float32Array.from(stored.w, (w) => w * stored.s),
    terms: stored.i.length === 0 ? [] : stored.t.split(SEPARATOR),
    liked: stored.l,
    positives: stored.p,
    negatives: stored.q,
    center: stored.c,
    spread: stored.d,
  };
}

/**
 * The indexes of the `k` weights largest in size, ascending (of equal ones, the first): what a sort of
 * every weight by size would keep, without sorting thousands of them by a comparator per reader.
 */
export function heaviest(weights: ArrayLike<number>, k: number): number[] {
  const n = weights.length;
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  if (k <= 0) return [];
  const sizes = new Float64Array(n);
  for (let i = 0; i < n; i++) sizes[i] = Math.abs(weights[i]!);
  const threshold = sizes.sort()[n - k]!;
  let above = 0;
  for (let i = 0; i < n; i++) if (Math.abs(weights[i]!) > threshold) above++;
  let ties = k - above;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const size = Math.abs(weights[i]!);
    if (size > threshold || (size === threshold && ties-- > 0)) out.push(i);
  }
  return out;
}
