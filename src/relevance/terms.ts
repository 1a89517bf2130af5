// The terms of a paper's text for the text model: the words of src/match (tokenize, Snowball stems),
// without English stop words, numbers and one-letter words, and the bigrams of the words kept
// (as scikit-learn's TfidfVectorizer forms them after removing stop words, the way arxiv-sanity-lite
// configures it). The title counts twice; each ai_keyword is a short text of its own. Pure.
import { stemWord, tokenize } from '../match/index.ts';
import { STOP_WORDS } from './stop-words.ts';
import type { PaperText } from '../model/text-model.ts';

export type { PaperText } from '../model/text-model.ts';

/** At most this many characters of an abstract are read (a long one says nothing more per word). */
const MAX_TEXT_CHARS = 5_000;
const TITLE_WEIGHT = 2;
const HAS_LETTER = /\p{L}/u;

/** The stems of a text's words that carry meaning, in order (stop words, numbers, single letters left out). */
export function contentStems(text: string): string[] {
  const out: string[] = [];
  for (const token of tokenize(text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text)) {
    const stem = keptStem(token.text);
    if (stem !== null) out.push(stem);
  }
  return out;
}

/** The stem of a word the model keeps, or null for a stop word, a number or a single letter. */
function keptStem(word: string): string | null {
  if (word.length < 2 || !HAS_LETTER.test(word) || STOP_WORDS.has(word.toLowerCase())) return null;
  const stem = stemWord(word);
  return stem.length < 2 || STOP_WORDS.has(stem) ? null : stem;
}

function addField(counts: Map<string, number>, text: string, weight: number): void {
  const stems = contentStems(text);
  for (let i = 0; i < stems.length; i++) {
    counts.set(stems[i]!, (counts.get(stems[i]!) ?? 0) + weight);
    if (i > 0) {
      const bigram = `${stems[i - 1]} ${stems[i]}`;
      counts.set(bigram, (counts.get(bigram) ?? 0) + weight);
    }
  }
}

/**
 * How each term of a paper is written in it, lower-cased, as a reader would recognise it
 * ("diffus model" → "diffusion models"): the first occurrence. For the explanations of a reader model.
 */
export function surfaceForms(paper: PaperText): Map<string, string> {
  const out = new Map<string, string>();
  for (const text of [paper.title, paper.abstract, ...(paper.keywords ?? [])]) {
    let previous: { stem: string; word: string } | null = null;
    for (const token of tokenize(text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text)) {
      const word = token.text.toLowerCase();
      const stem = keptStem(token.text);
      if (stem === null) continue; // as contentStems: a bigram spans a stop word left out
      if (!out.has(stem)) out.set(stem, word);
      if (previous) {
        const bigram = `${previous.stem} ${stem}`;
        if (!out.has(bigram)) out.set(bigram, `${previous.word} ${word}`);
      }
      previous = { stem, word };
    }
  }
  return out;
}

/** Each term of a paper (a stem, or two stems "diffus model") with its count. */
export function paperTerms(paper: PaperText): Map<string, number> {
  const counts = new Map<string, number>();
  addField(counts, paper.title, TITLE_WEIGHT);
  addField(counts, paper.abstract, 1);
  for (const keyword of paper.keywords ?? []) addField(counts, keyword, 1);
  return counts;
}
