// Parses one topic line into its syntax tree (no stemming here: see compile.ts).
//
// Syntax: words are ANDed; "quoted phrases" must appear as consecutive words; `OR` (upper case,
// standing alone) joins the term before it and the term after it into alternatives and binds
// tighter than AND (`a b OR c d` = a AND (b OR c) AND d); `-word` / `-"phrase"` exclude. A bare term
// that punctuation splits into several words is a phrase of them (`self-supervised`, `GPT-4`, `U.S.`).
// Straight and curly double quotes (" “ ”) all open and close phrases.
import { TopicError } from './types.ts';
import { normalizeWord } from './stem.ts';
import { tokenize } from './tokenize.ts';

export const MAX_TOPIC_CHARS = 200;
export const MAX_TOPIC_WORDS = 20;

/** One searchable unit: a single word, or a phrase whose words must be consecutive. */
export interface Term {
  kind: 'word' | 'phrase';
  /** normalized (lower case, accents removed), unstemmed; a word term has exactly one. */
  words: string[];
  /** the term as written, without its `-` or quotes. */
  source: string;
  /** 0-based column of the term (its `-` or opening quote included) in the line given to parseTopic. */
  column: number;
}

/** A topic: every group of `include` must match (any one of its alternatives), no `exclude` term may. */
export interface Query {
  /** the line, trimmed */
  topic: string;
  include: Term[][];
  exclude: Term[];
}

type Item = { type: 'term'; term: Term; negated: boolean } | { type: 'or'; column: number };

const QUOTES = new Set(['"', '\u201c', '\u201d']);
const SPACE = /\s/u;

/** Whitespace as String.prototype.trim sees it; printable ASCII skips the regex. */
const isSpace = (c: string | undefined): boolean => c !== undefined && (c === ' ' || ((c < '!' || c > '~') && SPACE.test(c)));
const isQuote = (c: string | undefined): boolean => c !== undefined && QUOTES.has(c);
/** Columns in messages count from 1, for people; TopicError.column counts from 0. */
const col = (column: number): string => `column ${column + 1}`;

export function parseTopic(line: string): Query {
  const topic = line.trim();
  if (topic === '') throw new TopicError('TOPIC_EMPTY', 'The topic is empty: type a few words to look for.');
  const offset = line.length - line.trimStart().length;
  // characters are code points (an emoji is one); UTF-16 length is never smaller, so check it first
  const chars = topic.length > MAX_TOPIC_CHARS ? [...topic] : [];
  if (chars.length > MAX_TOPIC_CHARS) {
    const cut = offset + chars.slice(0, MAX_TOPIC_CHARS).join('').length;
    throw new TopicError('TOPIC_TOO_LONG', `The topic is ${chars.length} characters long; keep it to ${MAX_TOPIC_CHARS} or fewer.`, cut);
  }
  return build(topic, lex(topic, offset));
}

function lex(s: string, offset: number): Item[] {
  const items: Item[] = [];
  let words = 0;
  let i = 0;
  while (i < s.length) {
    if (isSpace(s[i])) {
      i++;
      continue;
    }
    const start = i;
    const column = offset + start;
    const negated = s[i] === '-';
    if (negated) {
      i++;
      if (i >= s.length || isSpace(s[i])) {
        throw new TopicError(
          'TOPIC_BAD_EXCLUSION',
          `The "-" at ${col(column)} has nothing after it: write the word to exclude right after it, as in -video.`,
          column,
        );
      }
    }
    let term: Term;
    if (isQuote(s[i])) {
      const quote = i;
      let close = quote + 1;
      while (close < s.length && !isQuote(s[close])) close++;
      if (close >= s.length) {
        throw new TopicError('TOPIC_UNBALANCED_QUOTE', `The quote at ${col(offset + quote)} is never closed.`, offset + quote);
      }
      const inner = s.slice(quote + 1, close);
      if (inner.trim() === '') {
        const at = offset + quote;
        throw new TopicError('TOPIC_EMPTY_PHRASE', `The quotes at ${col(at)} contain no words.`, at);
      }
      term = makeTerm('phrase', inner, column);
      i = close + 1;
    } else {
      let end = i;
      while (end < s.length && !isSpace(s[end]) && !isQuote(s[end])) end++;
      const chunk = s.slice(i, end);
      i = end;
      if (chunk === 'OR' && !negated) {
        items.push({ type: 'or', column });
        continue;
      }
      term = makeTerm('word', chunk, column);
    }
    words += term.words.length;
    if (words > MAX_TOPIC_WORDS) {
      throw new TopicError(
        'TOPIC_TOO_MANY_TERMS',
        `The topic has more than ${MAX_TOPIC_WORDS} words (the words of phrases and exclusions count too); ` + `split it into several topics.`,
        column,
      );
    }
    items.push({ type: 'term', term, negated });
  }
  return items;
}

/** A bare term that punctuation splits into several words becomes a phrase of them. */
function makeTerm(kind: 'word' | 'phrase', source: string, column: number): Term {
  const words = tokenize(source).map((t) => normalizeWord(t.text));
  if (words.length === 0) {
    throw new TopicError('TOPIC_NO_WORDS', `"${source}" at ${col(column)} has no letters or digits to look for.`, column);
  }
  return { kind: kind === 'word' && words.length > 1 ? 'phrase' : kind, words, source, column };
}

function build(topic: string, items: Item[]): Query {
  const include: Term[][] = [];
  const exclude: Term[] = [];
  items.forEach((item, k) => {
    const prev = items[k - 1];
    if (item.type === 'or') {
      const next = items[k + 1];
      const at = col(item.column);
      if (prev === undefined) throw badOr(`OR at ${at} needs a word or phrase before it.`, item.column);
      if (prev.type === 'or') {
        throw badOr(`OR at ${at} follows another OR: put a word or phrase between them.`, item.column);
      }
      if (prev.negated || (next?.type === 'term' && next.negated)) {
        const why = 'OR joins words or phrases to look for, not "-" terms';
        throw badOr(`OR at ${at} is next to an exclusion: ${why}.`, item.column);
      }
      if (next === undefined) throw badOr(`OR at ${at} needs a word or phrase after it.`, item.column);
      return;
    }
    if (item.negated) exclude.push(item.term);
    else if (prev?.type === 'or') include.at(-1)?.push(item.term);
    else include.push([item.term]);
  });
  if (include.length === 0) {
    throw new TopicError('TOPIC_ONLY_EXCLUSIONS', 'The topic only excludes words: add at least one word to look for, as in "diffusion -video".');
  }
  return { topic, include, exclude };
}

const badOr = (message: string, column: number): TopicError => new TopicError('TOPIC_BAD_OR', message, column);

/** For forms: one entry per non-empty line, trimmed, with its error or null (columns in the trimmed line). */
export function validateTopics(lines: string[]): Array<{ line: string; error: TopicError | null }> {
  const results: Array<{ line: string; error: TopicError | null }> = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    try {
      parseTopic(line);
      results.push({ line, error: null });
    } catch (err) {
      if (!(err instanceof TopicError)) throw err;
      results.push({ line, error: err });
    }
  }
  return results;
}
