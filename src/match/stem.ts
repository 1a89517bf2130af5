// Word normalization and English stemming, shared by topics and papers so both sides agree.
import { newStemmer } from 'snowball-stemmers';

const english = newStemmer('english');

/** Bounded so a long-running process cannot grow it without limit; refilling it is cheap. */
const MAX_CACHED = 100_000;
const cache = new Map<string, string>();

const MARKS = /\p{M}/gu;
const CURLY_APOSTROPHE = /\u2019/g;
const ASCII = /^\p{ASCII}*$/u;

/**
 * Lower case, accents removed ("Schrödinger" → "schrodinger", "É" → "e"), curly apostrophe → "'".
 * Idempotent, so normalizing an already normalized word is harmless.
 */
export function normalizeWord(raw: string): string {
  if (ASCII.test(raw)) return raw.toLowerCase();
  return raw.toLowerCase().normalize('NFD').replace(MARKS, '').normalize('NFC').replace(CURLY_APOSTROPHE, "'");
}

/** The Snowball English stem of a word as written (or already normalized); memoized. */
export function stemWord(raw: string): string {
  const cached = cache.get(raw);
  if (cached !== undefined) return cached;
  const stem = english.stem(normalizeWord(raw));
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(raw, stem);
  return stem;
}
