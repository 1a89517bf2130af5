// Matches compiled topics against an indexed snapshot: map lookups and array reads only. The score
// of a hit is its rank (proximity.ts): closeness, then field, then occurrences.
import type { PaperMatch, Range, TopicHit } from './types.ts';
import type { CompiledTerm, CompiledTopic } from './compile.ts';
import { indexField, type IndexedField, type IndexedPaper, type PaperIndex } from './index-papers.ts';
import { atOf, lengthOf, pack, rankOf } from './proximity.ts';

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
function occurrences(term: CompiledTerm, field: IndexedField): readonly number[] {
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

const occursIn = (term: CompiledTerm, paper: IndexedPaper): boolean =>
  occurrences(term, paper.title).length > 0 || occurrences(term, paper.abstract).length > 0;

/**
 * Each include group's occurrences (any of its alternatives; packed, ascending) in the title and in
 * the abstract, or null when the topic does not catch the paper (an exclusion is there, or a group
 * is nowhere). Shared by the hits (here) and the scores (score.ts): one decision, one rank.
 */
export function groupOccurrences(topic: CompiledTopic, paper: IndexedPaper): { title: number[][]; abstract: number[][]; count: number } | null {
  for (const term of topic.exclude) if (occursIn(term, paper)) return null;
  const title: number[][] = [];
  const abstract: number[][] = [];
  let count = 0;
  for (const group of topic.include) {
    const inTitle: number[] = [];
    const inAbstract: number[] = [];
    for (const term of group) {
      const length = term.stems.length;
      for (const at of occurrences(term, paper.title)) inTitle.push(pack(at, length));
      for (const at of occurrences(term, paper.abstract)) inAbstract.push(pack(at, length));
    }
    if (inTitle.length === 0 && inAbstract.length === 0) return null;
    if (group.length > 1) {
      inTitle.sort(ascending);
      inAbstract.sort(ascending);
    }
    count += inTitle.length + inAbstract.length;
    title.push(inTitle);
    abstract.push(inAbstract);
  }
  return { title, abstract, count };
}

function hitOn(topic: CompiledTopic, paper: IndexedPaper): TopicHit | null {
  const found = groupOccurrences(topic, paper);
  if (!found) return null;
  const rank = rankOf(found.title, found.abstract, found.count);
  // every group's occurrences together, in text order
  const title = found.title.flat();
  const abstract = found.abstract.flat();
  if (found.title.length > 1) {
    title.sort(ascending);
    abstract.sort(ascending);
  }
  const words: string[] = [];
  const seen = new Set<string>();
  collectWords(paper.title, title, words, seen);
  collectWords(paper.abstract, abstract, words, seen);
  const field = rank.field === 'title' ? paper.title : paper.abstract;
  return {
    topic: topic.topic,
    words,
    title: ranges(paper.title, title),
    abstract: ranges(paper.abstract, abstract),
    score: rank.score,
    closeness: rank.closeness,
    field: rank.field,
    closest: rank.tokens ? [field.tokens[rank.tokens[0]]?.start ?? 0, field.tokens[rank.tokens[1] - 1]?.end ?? 0] : null,
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

/**
 * Where a topic's included words and phrases occur in some other text (a TL;DR): ranges to
 * highlight, as in a hit. Matching decides nothing here: the text is only shown.
 */
export function rangesIn(topic: CompiledTopic, text: string): Range[] {
  const field = indexField(text);
  const found: number[] = [];
  for (const group of topic.include) for (const term of group) for (const at of occurrences(term, field)) found.push(pack(at, term.stems.length));
  return ranges(field, found.sort(ascending));
}
