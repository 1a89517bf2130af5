// Shortens an abstract to a window of about `max` characters cut at word boundaries, placed so that
// its first highlighted range is visible, and moves the highlight ranges with it.
import { mergeRanges, type Range } from '../match/index.ts';

const ABSTRACT_CHARS = 360;
/** words kept after the first hit, and before it when the sentence start is too far back */
const CONTEXT_AFTER = 60;
const CONTEXT_BEFORE = 80;
const ELLIPSIS = '…';

export interface Shortened {
  text: string;
  /** sorted, merged, non-empty, within `text` */
  ranges: Range[];
}

/** `text` itself when it is short enough; otherwise a window with "…" where text was left out. */
export function shortenAround(text: string, ranges: readonly Range[], max = ABSTRACT_CHARS): Shortened {
  const clamp = (n: number): number => Math.min(Math.max(n, 0), text.length);
  const merged = mergeRanges(ranges.map(([s, e]): Range => [clamp(s), clamp(e)]));
  if (text.length <= max) return { text, ranges: merged };

  let start = 0;
  const first = merged[0];
  const after = Math.min(CONTEXT_AFTER, Math.floor(max / 5));
  if (first && first[1] > max - after) {
    // begin at the hit's sentence when it fits, else a little before the hit, else at the hit
    const sentence = sentenceStart(text, first[0]);
    start = first[1] - sentence <= max - after ? sentence : wordStartBefore(text, first[0] - Math.min(CONTEXT_BEFORE, Math.floor(max / 4)));
    if (first[1] - start > max - after) start = first[0];
    // near the end of the text: use the whole window
    start = Math.min(start, wordStartAfter(text, text.length - max));
  }
  while (start < text.length && isSpace(text, start)) start++;

  let end = Math.min(text.length, start + max);
  if (end < text.length) end = cutPoint(text, start, end);

  const prefix = start > 0 ? ELLIPSIS : '';
  const suffix = end < text.length ? ELLIPSIS : '';
  const shift = prefix.length - start;
  const moved: Range[] = [];
  for (const [s, e] of merged) {
    const from = Math.max(s, start);
    const to = Math.min(e, end);
    if (to > from) moved.push([from + shift, to + shift]);
  }
  return { text: prefix + text.slice(start, end) + suffix, ranges: moved };
}

const isSpace = (text: string, i: number): boolean => /\s/.test(text[i] ?? '');

/** Where the sentence holding position `at` begins (after ". ", "! ", "? "), or 0. */
function sentenceStart(text: string, at: number): number {
  for (let i = Math.min(at, text.length) - 1; i > 0; i--) {
    if (isSpace(text, i) && /[.!?]/.test(text[i - 1] ?? '')) return i + 1;
  }
  return 0;
}

/** The start of the word at or before `at`. */
function wordStartBefore(text: string, at: number): number {
  let i = Math.max(0, at);
  while (i > 0 && !isSpace(text, i - 1)) i--;
  return i;
}

/** The start of the first word that begins at or after `at`. */
function wordStartAfter(text: string, at: number): number {
  let i = Math.max(0, at);
  while (i > 0 && i < text.length && !isSpace(text, i - 1)) i++;
  return i;
}

/** The end of the last whole word before `end` (trailing spaces and punctuation dropped: "…" follows). */
function cutPoint(text: string, start: number, end: number): number {
  let cut = end;
  // cut where a space follows: the word before it is whole
  while (cut > start && !isSpace(text, cut)) cut--;
  if (cut - start < (end - start) / 2) {
    cut = end; // one enormous word: cut it, but never between the halves of a surrogate pair
    if (/[\ud800-\udbff]/.test(text[cut - 1] ?? '')) cut--;
  }
  while (cut > start && /[\s.,;:([{–—-]/.test(text[cut - 1] ?? '')) cut--;
  return cut;
}

/** "e.g." and such: a full stop after one of these does not end a sentence. */
const ABBREVIATIONS = /(?:\b(?:e\.g|i\.e|et al|etc|vs|cf|Fig|Figs|Eq|Eqs|Sec|Ref|Refs|No|approx|resp|viz)|\b[A-Z])\.$/;
const LEAD_CHARS = 280;

/**
 * The first sentence or two of `text` (as many whole sentences as fit in `max` characters, at least
 * one), else the first sentence cut at a word boundary with "…": a TL;DR standing in for the
 * API's. Ranges are kept where they fall inside it.
 */
export function leadSentences(text: string, ranges: readonly Range[], max = LEAD_CHARS): Shortened {
  let end = 0;
  for (const m of text.matchAll(/[.!?](?=\s+[\p{Lu}\p{N}("“'])/gu)) {
    const at = m.index + 1;
    if (ABBREVIATIONS.test(text.slice(Math.max(0, at - 8), at))) continue;
    if (at > max) break;
    end = at;
    if (end >= max / 2) break; // a sentence or two, not a paragraph
  }
  if (end === 0) {
    if (text.length <= max) return shortenAround(text, ranges, max);
    // one long sentence: cut at a word, keeping its beginning
    const cut = shortenAround(text, [], max);
    return { text: cut.text, ranges: clipRanges(ranges, cut.text.length - 1) };
  }
  return { text: text.slice(0, end), ranges: clipRanges(ranges, end) };
}

function clipRanges(ranges: readonly Range[], end: number): Range[] {
  const out: Range[] = [];
  for (const [s, e] of mergeRanges(ranges)) if (s < end) out.push([s, Math.min(e, end)]);
  return out;
}
