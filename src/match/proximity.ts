// How closely a paper holds a topic: its words as the topic's phrase, near one another, or
// scattered — in the title or in the abstract. The one ranking of a topic's hits, for the live
// preview and the digest alike (see README.md "Ranking"). Pure, and cheap: token positions only.
import type { Closeness, HitField } from './types.ts';

/**
 * One occurrence of a term in a field, packed in one number so hits allocate no objects per occurrence:
 * `at * 64 + (63 - length)` (a term has at most 20 words), so ascending order is text order with the
 * longer of two occurrences at the same token first.
 */
export const pack = (at: number, length: number): number => at * 64 + (63 - length);
export const atOf = (occurrence: number): number => Math.floor(occurrence / 64);
export const lengthOf = (occurrence: number): number => 63 - (occurrence % 64);

/** At most this many other words between a topic's words for them to count as near. */
const NEAR_GAP = 5;
/** Points per tier; within a tier, more occurrences rank higher (at most TIER - 1 of them count). */
const TIER = 1000;

/** The tiers, best first (score = tier × TIER + occurrences). */
const TIERS: Record<`${Closeness}-${HitField}`, number> = {
  'phrase-title': 5,
  'phrase-abstract': 4,
  'near-title': 3,
  'near-abstract': 2,
  'scattered-title': 1,
  'scattered-abstract': 0,
};

export interface Rank {
  score: number;
  closeness: Closeness;
  /** where the closest occurrence is (for scattered: title when any of its words is in the title) */
  field: HitField;
  /** token span [first, last + 1) of the closest occurrence in `field`; null when scattered */
  tokens: readonly [number, number] | null;
}

interface Window {
  start: number;
  end: number;
  phrase: boolean;
}

/**
 * The rank of a topic on a paper, from the occurrences (packed, ascending) of each include group
 * (any of its alternatives) in the title and in the abstract. Every group matched somewhere.
 */
export function rankOf(title: readonly (readonly number[])[], abstract: readonly (readonly number[])[], occurrences: number): Rank {
  const points = Math.min(occurrences, TIER - 1);
  const t = closestWindow(title);
  const a = closestWindow(abstract);
  // other words inside the window: its length less the topic's own words
  const isNear = (w: Window | null, groups: readonly (readonly number[])[]): w is Window =>
    w !== null && w.end - w.start - groups.reduce((sum, g) => sum + shortest(g), 0) <= NEAR_GAP;
  let closeness: Closeness;
  let field: HitField;
  let best: Window | null = null;
  if (t?.phrase) [closeness, field, best] = ['phrase', 'title', t];
  else if (a?.phrase) [closeness, field, best] = ['phrase', 'abstract', a];
  else if (isNear(t, title)) [closeness, field, best] = ['near', 'title', t];
  else if (isNear(a, abstract)) [closeness, field, best] = ['near', 'abstract', a];
  else [closeness, field] = ['scattered', title.some((g) => g.length > 0) ? 'title' : 'abstract'];
  return {
    score: TIERS[`${closeness}-${field}`] * TIER + points,
    closeness,
    field,
    tokens: best ? [best.start, best.end] : null,
  };
}

/** The fewest words an occurrence of the group has (its shortest alternative found). */
function shortest(group: readonly number[]): number {
  let min = Infinity;
  for (const o of group) min = Math.min(min, lengthOf(o));
  return min === Infinity ? 1 : min;
}

/**
 * In one field: the topic's phrase (the groups' occurrences back to back, in the topic's order) if
 * it is there, else the smallest window holding an occurrence of every group; null when a group
 * has none in this field.
 */
function closestWindow(groups: readonly (readonly number[])[]): Window | null {
  if (groups.length === 0 || groups.some((g) => g.length === 0)) return null;
  const phrase = phraseAt(groups);
  if (phrase) return phrase;
  return smallestWindow(groups);
}

function phraseAt(groups: readonly (readonly number[])[]): Window | null {
  const follows = (g: number, at: number): number => {
    if (g === groups.length) return at;
    for (const o of groups[g]!) {
      if (atOf(o) === at) {
        const end = follows(g + 1, at + lengthOf(o));
        if (end >= 0) return end;
      }
    }
    return -1;
  };
  for (const o of groups[0]!) {
    const end = follows(1, atOf(o) + lengthOf(o));
    if (end >= 0) return { start: atOf(o), end, phrase: true };
  }
  return null;
}

/** The smallest [start, end) covering one occurrence of every group (a sweep over all occurrences in text order). */
function smallestWindow(groups: readonly (readonly number[])[]): Window | null {
  const events: Array<[occurrence: number, group: number]> = [];
  groups.forEach((g, i) => {
    for (const o of g) events.push([o, i]);
  });
  events.sort((x, y) => x[0] - y[0]);
  const counts = new Array<number>(groups.length).fill(0);
  let covered = 0;
  let best: Window | null = null;
  let left = 0;
  for (let right = 0; right < events.length; right++) {
    const g = events[right]![1];
    if (counts[g] === 0) covered++;
    counts[g] = counts[g]! + 1;
    while (covered === groups.length) {
      const start = atOf(events[left]![0]);
      let end = 0;
      for (let k = left; k <= right; k++) end = Math.max(end, atOf(events[k]![0]) + lengthOf(events[k]![0]));
      if (!best || end - start < best.end - best.start) best = { start, end, phrase: false };
      const lg = events[left]![1];
      counts[lg] = counts[lg]! - 1;
      if (counts[lg] === 0) covered--;
      left++;
    }
  }
  return best;
}
