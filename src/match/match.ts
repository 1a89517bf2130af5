// Matches compiled topics against an indexed snapshot: map lookups and array reads only.
//
// Score of one topic on one paper (integers, higher is better):
//   1000 if at least one include group matched in the title
//   + round(500 × groups matched in the title / groups)      (0..500)
//   + min(occurrences of the matched terms in title and abstract, 499)
// so every title hit (≥ 1000) ranks above every abstract-only hit (≤ 499).
import type { PaperMatch, Range, TopicHit } from './types.ts';
import type { CompiledTerm, CompiledTopic } from './compile.ts';
import type { IndexedField, IndexedPaper, PaperIndex } from './index-papers.ts';

export const TITLE_BONUS = 1000;
export const TITLE_SHARE = 500;
export const MAX_OCCURRENCE_POINTS = 499;

const NO_HITS: ReadonlyMap<number, TopicHit> = new Map();
const NOTHING: readonly number[] = [];

/** The papers of the index that one topic catches, by paper id, in index order. */
export function matchTopic(topic: CompiledTopic, index: PaperIndex): ReadonlyMap<number, TopicHit> {
  const candidates = candidatePapers(topic, index);
  if (candidates.length === 0) return NO_HITS;
  const hits = new Map<number, TopicHit>();
  for (const at of candidates) {
    const paper = index.papers[at];
    if (!paper) continue;
    const hit = hitOn(topic, paper);
    if (hit) hits.set(paper.id, hit);
  }
  return hits.size === 0 ? NO_HITS : hits;
}

/** One subscriber's topics: each caught paper once, best first, with every topic that caught it. */
export function matchTopics(topics: readonly CompiledTopic[], index: PaperIndex): PaperMatch[] {
  return mergeTopicHits(
    topics.map((topic) => matchTopic(topic, index)),
    index,
  );
}

/**
 * Combines per-topic results (as matchTopic returns them, e.g. from a cache keyed by topic string)
 * into one list: papers by best score, ties in index order; each paper's hits best first, ties in
 * topic order; a topic string present twice counts once.
 */
export function mergeTopicHits(perTopic: readonly ReadonlyMap<number, TopicHit>[], index: PaperIndex): PaperMatch[] {
  const byPaper = new Map<number, TopicHit[]>();
  for (const hits of perTopic) {
    for (const [paperId, hit] of hits) {
      const list = byPaper.get(paperId);
      if (!list) byPaper.set(paperId, [hit]);
      else if (!list.some((h) => h.topic === hit.topic)) list.push(hit);
    }
  }
  if (byPaper.size === 0) return [];
  const matches: PaperMatch[] = [];
  for (const paper of index.papers) {
    const hits = byPaper.get(paper.id);
    if (!hits) continue;
    byPaper.delete(paper.id); // a paper id listed twice in the index is still one match
    hits.sort((a, b) => b.score - a.score);
    matches.push({ paperId: paper.id, hits, score: hits[0]?.score ?? 0 });
  }
  return matches.sort((a, b) => b.score - a.score);
}

/** Papers holding some alternative's first stem in every include group: a cheap superset. */
export function candidatePapers(topic: CompiledTopic, index: PaperIndex): readonly number[] {
  let candidates: readonly number[] | null = null;
  for (const group of topic.include) {
    let union: readonly number[] = NOTHING;
    for (const term of group) {
      const list = index.papersByStem.get(term.stems[0] ?? '');
      if (list) union = union.length === 0 ? list : unionSorted(union, list);
    }
    candidates = candidates === null ? union : intersectSorted(candidates, union);
    if (candidates.length === 0) return NOTHING;
  }
  return candidates ?? NOTHING;
}

function unionSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i] ?? Infinity;
    const y = b[j] ?? Infinity;
    out.push(Math.min(x, y));
    if (x <= y) i++;
    if (y <= x) j++;
  }
  return out;
}

function intersectSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let j = 0;
  for (const x of a) {
    while ((b[j] ?? Infinity) < x) j++;
    if (b[j] === x) out.push(x);
  }
  return out;
}

/** Token positions where the term starts in the field (a phrase: its stems consecutive). */
export function occurrences(term: CompiledTerm, field: IndexedField): readonly number[] {
  const stems = term.stems;
  const starts = field.positions.get(stems[0] ?? '');
  if (!starts) return NOTHING;
  if (stems.length === 1) return starts;
  const found: number[] = [];
  for (const p of starts) {
    let k = 1;
    while (k < stems.length && field.stems[p + k] === stems[k]) k++;
    if (k === stems.length) found.push(p);
  }
  return found;
}

export const occursIn = (term: CompiledTerm, paper: IndexedPaper): boolean =>
  occurrences(term, paper.title).length > 0 || occurrences(term, paper.abstract).length > 0;

/**
 * One occurrence of a term in a field, packed in one number so hits allocate no objects per occurrence:
 * `at * 64 + (63 - length)` (a term has at most 20 words), so ascending order is text order with the
 * longer of two occurrences at the same token first.
 */
const pack = (at: number, length: number): number => at * 64 + (63 - length);
const atOf = (occurrence: number): number => Math.floor(occurrence / 64);
const lengthOf = (occurrence: number): number => 63 - (occurrence % 64);

function hitOn(topic: CompiledTopic, paper: IndexedPaper): TopicHit | null {
  for (const term of topic.exclude) if (occursIn(term, paper)) return null;
  const title: number[] = [];
  const abstract: number[] = [];
  let groupsInTitle = 0;
  for (const group of topic.include) {
    let matched = false;
    let inTitle = false;
    for (const term of group) {
      const length = term.stems.length;
      const inTitleAt = occurrences(term, paper.title);
      const inAbstractAt = occurrences(term, paper.abstract);
      for (const at of inTitleAt) title.push(pack(at, length));
      for (const at of inAbstractAt) abstract.push(pack(at, length));
      if (inTitleAt.length > 0) inTitle = true;
      if (inTitleAt.length > 0 || inAbstractAt.length > 0) matched = true;
    }
    if (!matched) return null;
    if (inTitle) groupsInTitle++;
  }
  const score =
    (groupsInTitle > 0 ? TITLE_BONUS : 0) +
    Math.round((TITLE_SHARE * groupsInTitle) / topic.include.length) +
    Math.min(title.length + abstract.length, MAX_OCCURRENCE_POINTS);
  // several terms: put their occurrences in text order (one term's are in order already)
  if (topic.include.length > 1 || (topic.include[0]?.length ?? 0) > 1) {
    title.sort(ascending);
    abstract.sort(ascending);
  }
  const words: string[] = [];
  const seen = new Set<string>();
  collectWords(paper.title, title, words, seen);
  collectWords(paper.abstract, abstract, words, seen);
  return {
    topic: topic.topic,
    words,
    title: ranges(paper.title, title),
    abstract: ranges(paper.abstract, abstract),
    score,
  };
}

const ascending = (a: number, b: number): number => a - b;

/** The occurrences' words as written (a phrase's inner whitespace collapsed), de-duplicated ignoring case. */
function collectWords(field: IndexedField, found: readonly number[], words: string[], seen: Set<string>): void {
  for (const occurrence of found) {
    const at = atOf(occurrence);
    const length = lengthOf(occurrence);
    const key = length === 1 ? (field.norms[at] ?? '') : field.norms.slice(at, at + length).join(' ');
    if (seen.has(key)) continue;
    seen.add(key);
    const first = field.tokens[at];
    const last = field.tokens[at + length - 1];
    if (!first || !last) continue;
    words.push(length === 1 ? first.text : field.text.slice(first.start, last.end).replace(/\s+/gu, ' '));
  }
}

/** Ranges of the occurrences (in text order), overlapping or touching ones merged. */
function ranges(field: IndexedField, found: readonly number[]): Range[] {
  const out: Array<[number, number]> = [];
  for (const occurrence of found) {
    const at = atOf(occurrence);
    const start = field.tokens[at]?.start ?? 0;
    const end = field.tokens[at + lengthOf(occurrence) - 1]?.end ?? 0;
    const last = out.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}
