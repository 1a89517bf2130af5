// The text model: how many stored papers contain each term (document frequency), over a fixed number
// of hashed buckets (the hashing trick, as scikit-learn's HashingVectorizer + TfidfTransformer), so it
// stays the same size whatever is ingested — one row the database shares with every process — and a
// snapshot's new papers are added by counting their terms, never by re-reading the corpus. A paper's
// vector is TF-IDF with sublinear tf over the buckets inside the document-frequency cut-offs,
// L2-normalised. Pure: the database row is read and written by db/text-model.ts; its shape is
// model/text-model.ts.
import type { PaperText, TextModel } from '../model/text-model.ts';
import { paperTerms } from './terms.ts';

export { decodeDf, DEFAULT_BUCKETS, emptyTextModel, encodeDf, type TextModel } from '../model/text-model.ts';

/** a term in fewer stored papers than this is noise for a model (a typo, a one-off name) */
const MIN_DF = 2;
/** a term in more than this share of the stored papers says nothing about any of them */
const MAX_DF_SHARE = 0.5;

/** A sparse vector: bucket indexes ascending, with their values. */
export interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
}

/** FNV-1a over the UTF-16 code units of a term: stable across processes and versions of Node. */
export function termBucket(term: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < term.length; i++) {
    h ^= term.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % buckets;
}

/** Counts these papers into the model (in place): each bucket once per paper. */
export function addPapers(model: TextModel, papers: Iterable<PaperText>): void {
  const seen = new Set<number>();
  for (const paper of papers) {
    seen.clear();
    for (const term of paperTerms(paper).keys()) seen.add(termBucket(term, model.buckets));
    for (const b of seen) model.df[b]!++;
    model.documents++;
  }
}

/** Whether a bucket is inside the document-frequency cut-offs (MIN_DF … MAX_DF_SHARE of the papers). */
export function inVocabulary(model: TextModel, bucket: number): boolean {
  const df = model.df[bucket]!;
  return df >= MIN_DF && df <= Math.max(MIN_DF, MAX_DF_SHARE * model.documents);
}

/** smoothed idf, as scikit-learn's: ln((1 + n) / (1 + df)) + 1 */
function idf(model: TextModel, bucket: number): number {
  return Math.log((1 + model.documents) / (1 + model.df[bucket]!)) + 1;
}

/** How many buckets are in the vocabulary now. */
export function vocabularySize(model: TextModel): number {
  let n = 0;
  for (let b = 0; b < model.buckets; b++) if (inVocabulary(model, b)) n++;
  return n;
}

/** The TF-IDF vector of a paper (sublinear tf: 1 + ln tf), L2-normalised; terms outside the cut-offs left out. */
export function vectorize(model: TextModel, paper: PaperText): SparseVector {
  return vectorizeTerms(model, paperTerms(paper));
}

export function vectorizeTerms(model: TextModel, terms: ReadonlyMap<string, number>): SparseVector {
  const byBucket = new Map<number, number>();
  for (const [term, count] of terms) {
    const b = termBucket(term, model.buckets);
    byBucket.set(b, (byBucket.get(b) ?? 0) + count);
  }
  const idx: number[] = [];
  for (const b of byBucket.keys()) if (inVocabulary(model, b)) idx.push(b);
  idx.sort((a, b) => a - b);
  const val = new Float32Array(idx.length);
  let norm = 0;
  idx.forEach((b, i) => {
    const v = (1 + Math.log(byBucket.get(b)!)) * idf(model, b);
    val[i] = v;
    norm += v * v;
  });
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < val.length; i++) val[i]! /= norm;
  return { idx: Int32Array.from(idx), val };
}

/** Cosine similarity of two L2-normalised vectors (their dot product). */
export function cosine(a: SparseVector, b: SparseVector): number {
  return dot(a, b);
}

/** The dot product of two sparse vectors (indexes ascending). */
export function dot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  while (i < a.idx.length && j < b.idx.length) {
    const x = a.idx[i]!;
    const y = b.idx[j]!;
    if (x === y) sum += a.val[i++]! * b.val[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return sum;
}
