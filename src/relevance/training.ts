// From a reader's feedback events to what their model is trained on: the latest word on each paper
// counts ("more like this" then "not relevant" on the same paper: not relevant), and random stored
// papers they never marked are the weak negatives, drawn the same way for the same reader and pool. Pure.

import type { FeedbackMark } from '../model/reader.ts';

export interface Marks {
  /** latest first */
  liked: number[];
  disliked: number[];
}

export function latestMarks(events: readonly FeedbackMark[]): Marks {
  const latest = new Map<number, FeedbackMark>();
  for (const e of events) {
    const known = latest.get(e.paperId);
    if (!known || e.at >= known.at) latest.set(e.paperId, e);
  }
  const byTime = [...latest.values()].sort((a, b) => b.at - a.at || b.paperId - a.paperId);
  return {
    liked: byTime.filter((e) => e.kind === 'more_like_this').map((e) => e.paperId),
    disliked: byTime.filter((e) => e.kind === 'not_relevant').map((e) => e.paperId),
  };
}

/** How many random stored papers a reader's model takes as weak negatives. */
const WEAK_NEGATIVES = 60;

/**
 * `count` papers of the pool, drawn for this reader (the same pool and reader: the same papers), none
 * of them one they marked. The pool is a random sample of the stored papers, drawn once per run.
 */
export function pickWeakNegatives(pool: readonly number[], subscriberId: number, exclude: ReadonlySet<number>, count = WEAK_NEGATIVES): number[] {
  const out: number[] = [];
  if (pool.length === 0) return out;
  let state = (Math.imul(subscriberId, 0x9e3779b1) ^ 0x85ebca6b) >>> 0;
  const next = () => {
    // xorshift32: deterministic, fast, good enough to spread readers over the pool
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  const taken = new Set<number>();
  for (let tries = 0; out.length < count && tries < count * 4; tries++) {
    const paperId = pool[Math.floor(next() * pool.length)]!;
    if (exclude.has(paperId) || taken.has(paperId)) continue;
    taken.add(paperId);
    out.push(paperId);
  }
  return out;
}

/** How many of the papers last mailed to a reader stand in for what they want when they liked none. */
export const WEAK_POSITIVES = 30;

/**
 * A reader who only ever said "not relevant" has no wanted side to learn from: the papers their
 * topics brought them that they did not mark stand in for it, weakly (they subscribed to those
 * topics). Once they like a paper, only their own marks count.
 */
export function weakPositivesFor(marks: Marks, recentlyMailed: readonly number[], count = WEAK_POSITIVES): number[] {
  if (marks.liked.length > 0) return [];
  const marked = new Set(marks.disliked);
  return recentlyMailed.filter((id) => !marked.has(id)).slice(0, count);
}
