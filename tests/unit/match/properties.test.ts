import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileTopic,
  indexPapers,
  matchTopic,
  normalizeWord,
  parseTopic,
  splitByRanges,
  tokenize,
  TopicError,
  type TopicErrorCode,
} from '../../../src/match/index.ts';

const CODES = new Set<TopicErrorCode>([
  'TOPIC_EMPTY',
  'TOPIC_TOO_LONG',
  'TOPIC_TOO_MANY_TERMS',
  'TOPIC_UNBALANCED_QUOTE',
  'TOPIC_ONLY_EXCLUSIONS',
  'TOPIC_BAD_OR',
  'TOPIC_EMPTY_PHRASE',
  'TOPIC_BAD_EXCLUSION',
  'TOPIC_NO_WORDS',
]);

/** Any string at all, and strings made of the pieces of the syntax (far likelier to hit edge cases). */
const anyLine = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 260 }),
  fc
    .array(fc.constantFrom('"', '\u201c', '-', 'OR', 'or', ' ', '  ', 'a', 'law', 'ν', 'é', '4', '+', ',', "'", '\t'), {
      maxLength: 40,
    })
    .map((parts) => parts.join('')),
  fc.array(fc.constantFrom('w ', '"a b" ', '-x ', 'OR ', 'yy '), { maxLength: 30 }).map((parts) => parts.join('')),
);

/** A word of letters or digits, sometimes capitalized, accented or Greek; never the operator OR. */
const word = fc
  .array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789éüñßνηΩ'.split('')), { minLength: 1, maxLength: 8 })
  .map((chars) => chars.join(''))
  .filter((w) => w !== 'OR');

type GenTerm = { words: string[]; phrase: boolean };
const term: fc.Arbitrary<GenTerm> = fc.oneof(
  word.map((w) => ({ words: [w], phrase: false })),
  fc.array(word, { minLength: 1, maxLength: 4 }).map((words) => ({ words, phrase: true })),
);
const show = (t: GenTerm): string => (t.phrase ? `"${t.words.join(' ')}"` : (t.words[0] ?? ''));

/** A valid topic: 1–4 AND groups of 1–3 OR alternatives, then 0–2 exclusions, at most 20 words. */
const validTopic = fc
  .record({
    groups: fc.array(fc.array(term, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
    exclusions: fc.array(term, { maxLength: 2 }),
  })
  .filter(({ groups, exclusions }) => [...groups.flat(), ...exclusions].reduce((n, t) => n + t.words.length, 0) <= 20)
  .map(({ groups, exclusions }) => ({
    groups,
    exclusions,
    line: [...groups.map((g) => g.map(show).join(' OR ')), ...exclusions.map((t) => `-${show(t)}`)].join(' '),
  }))
  .filter(({ line }) => line.length <= 200);

describe('parseTopic properties', () => {
  it('throws nothing but TopicError, with a known code and a column inside the line', () => {
    fc.assert(
      fc.property(anyLine, (line) => {
        try {
          parseTopic(line);
        } catch (err) {
          expect(err).toBeInstanceOf(TopicError);
          const e = err as TopicError;
          expect(CODES.has(e.code)).toBe(true);
          expect(e.message).not.toBe('');
          if (e.column !== null) {
            expect(Number.isInteger(e.column)).toBe(true);
            expect(e.column).toBeGreaterThanOrEqual(0);
            expect(e.column).toBeLessThan(line.length);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('parses every valid topic into the tree it was built from', () => {
    fc.assert(
      fc.property(validTopic, ({ groups, exclusions, line }) => {
        const query = parseTopic(line);
        const norm = (terms: GenTerm[]): string[][] => terms.map((t) => t.words.map(normalizeWord));
        expect(query.include.map((g) => g.map((t) => t.words))).toEqual(groups.map(norm));
        expect(query.exclude.map((t) => t.words)).toEqual(norm(exclusions));
      }),
      { numRuns: 500 },
    );
  });
});

describe('matching properties', () => {
  const words = fc.array(word, { minLength: 1, maxLength: 6 });
  const catches = (topic: string, title: string, abstract: string): boolean =>
    matchTopic(compileTopic(topic), indexPapers([{ id: 1, title, abstract }])).has(1);

  it('a paper whose text is exactly the words of a word or phrase topic is caught', () => {
    fc.assert(
      fc.property(words, fc.boolean(), (ws, inTitle) => {
        const text = ws.join(' ');
        const topic = ws.length === 1 ? (ws[0] ?? '') : `"${text}"`;
        expect(catches(topic, inTitle ? text : 'x', inTitle ? 'x' : text)).toBe(true);
      }),
    );
  });

  it('excluding a word of the paper removes the match', () => {
    fc.assert(
      fc.property(words, fc.nat(), fc.nat(), (ws, i, j) => {
        const text = ws.join(' ');
        const wanted = ws[i % ws.length] ?? '';
        const unwanted = ws[j % ws.length] ?? '';
        expect(catches(wanted, text, '')).toBe(true);
        expect(catches(`${wanted} -${unwanted}`, text, '')).toBe(false);
        expect(catches(`${wanted} -"${unwanted}"`, '', text)).toBe(false);
      }),
    );
  });

  it('indexes and matches any text without throwing, ranges inside the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), validTopic, (text, { line }) => {
        const hit = matchTopic(compileTopic(line), indexPapers([{ id: 1, title: text, abstract: text }])).get(1);
        for (const [s, e] of [...(hit?.title ?? []), ...(hit?.abstract ?? [])]) {
          expect(0 <= s && s < e && e <= text.length).toBe(true);
        }
      }),
    );
  });

  it('highlights whole words of the text, at word boundaries', () => {
    const text = fc.array(fc.oneof(word, fc.constantFrom(' ', '-', ', ', '(', ')', "'", '.')), { minLength: 1, maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.nat(), (t, k) => {
        const tokens = tokenize(t);
        fc.pre(tokens.length > 0);
        const token = tokens[k % tokens.length]!;
        const hit = matchTopic(compileTopic(token.text), indexPapers([{ id: 1, title: t, abstract: '' }])).get(1);
        expect(hit).toBeDefined();
        const starts = new Set(tokens.map((x) => x.start));
        const ends = new Set(tokens.map((x) => x.end));
        for (const [s, e] of hit?.title ?? []) {
          expect(starts.has(s) && ends.has(e)).toBe(true);
        }
        expect(hit?.title.some(([s, e]) => s <= token.start && token.end <= e)).toBe(true);
      }),
    );
  });
});

describe('splitByRanges properties', () => {
  it('pieces concatenate back to the text, none empty, no two highlighted pieces in a row', () => {
    const input = fc.string({ maxLength: 60 }).chain((text) =>
      fc.record({
        text: fc.constant(text),
        ranges: fc.array(fc.tuple(fc.integer({ min: -3, max: text.length + 3 }), fc.integer({ min: -3, max: text.length + 3 })), { maxLength: 8 }),
      }),
    );
    fc.assert(
      fc.property(input, ({ text, ranges }) => {
        const pieces = splitByRanges(text, ranges);
        expect(pieces.map((p) => p.text).join('')).toBe(text);
        for (const [i, p] of pieces.entries()) {
          expect(p.text).not.toBe('');
          if (i > 0) expect(p.hit && pieces[i - 1]?.hit).toBe(false);
        }
      }),
    );
  });
});
