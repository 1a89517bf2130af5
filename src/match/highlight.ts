// Ranges to highlight, and cutting a text into plain and highlighted pieces for renderers.
import type { Range } from './types.ts';

/** Sorted, with overlapping or touching ranges merged and empty ones dropped. */
export function mergeRanges(ranges: readonly Range[]): Range[] {
  const sorted = ranges.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/**
 * Highlights separated only by spaces become one ("*Scaling Laws*", not "*Scaling* *Laws*"):
 * the ranges, sorted and merged, with the gaps of blanks between them closed. Used by the digest
 * and the live preview alike.
 */
export function joinAdjacent(text: string, ranges: readonly Range[]): Range[] {
  const joined: Array<[number, number]> = [];
  for (const [start, end] of mergeRanges(ranges)) {
    const last = joined.at(-1);
    if (last && /^[ \t]*$/.test(text.slice(last[1], start))) last[1] = Math.max(last[1], end);
    else joined.push([start, end]);
  }
  return joined;
}

/**
 * Cuts `text` into consecutive pieces, `hit` for those inside a range (overlapping and adjacent
 * ranges merged, ranges clamped to the text). The pieces concatenate back to `text`; none is empty.
 * Pieces are raw text: the renderer escapes each one.
 */
export function splitByRanges(text: string, ranges: readonly Range[]): Array<{ text: string; hit: boolean }> {
  const clamp = (n: number): number => Math.min(Math.max(n, 0), text.length);
  const pieces: Array<{ text: string; hit: boolean }> = [];
  let at = 0;
  for (const [start, end] of mergeRanges(ranges.map(([s, e]): Range => [clamp(s), clamp(e)]))) {
    if (start > at) pieces.push({ text: text.slice(at, start), hit: false });
    pieces.push({ text: text.slice(start, end), hit: true });
    at = end;
  }
  if (at < text.length) pieces.push({ text: text.slice(at), hit: false });
  return pieces;
}
