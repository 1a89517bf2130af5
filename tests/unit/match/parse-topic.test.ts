import { describe, expect, it } from 'vitest';
import { parseTopic, TopicError, validateTopics, type Query, type TopicErrorCode } from '../../../src/match/index.ts';

/** The tree as plain words: include groups of alternatives, then exclusions; phrases in quotes. */
function shape(query: Query): { include: string[][]; exclude: string[] } {
  const show = (t: { kind: string; words: string[] }): string => (t.kind === 'phrase' ? `"${t.words.join(' ')}"` : t.words.join(' '));
  return { include: query.include.map((g) => g.map(show)), exclude: query.exclude.map(show) };
}

function errorOf(line: string): TopicError {
  try {
    parseTopic(line);
  } catch (err) {
    if (err instanceof TopicError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(line)} not to parse`);
}

describe('parseTopic', () => {
  it('ANDs words, lower-cased, and trims the line', () => {
    const query = parseTopic('  Scaling Laws ');
    expect(query.topic).toBe('Scaling Laws');
    expect(shape(query)).toEqual({ include: [['scaling'], ['laws']], exclude: [] });
  });

  it('reads quoted phrases, straight or curly', () => {
    expect(shape(parseTopic('"recurrent neural" networks')).include).toEqual([['"recurrent neural"'], ['networks']]);
    expect(shape(parseTopic('\u201cdiffusion model\u201d')).include).toEqual([['"diffusion model"']]);
  });

  it('binds OR tighter than AND', () => {
    expect(shape(parseTopic('a b OR c d')).include).toEqual([['a'], ['b', 'c'], ['d']]);
    expect(shape(parseTopic('"x y" OR z')).include).toEqual([['"x y"', 'z']]);
    expect(shape(parseTopic('a OR b OR c')).include).toEqual([['a', 'b', 'c']]);
  });

  it('treats lower-case "or" as a word', () => {
    expect(shape(parseTopic('this or that')).include).toEqual([['this'], ['or'], ['that']]);
    expect(shape(parseTopic('"OR"')).include).toEqual([['"or"']]);
  });

  it('reads exclusions of words and phrases', () => {
    expect(shape(parseTopic('diffusion -video -"image editing"'))).toEqual({
      include: [['diffusion']],
      exclude: ['video', '"image editing"'],
    });
  });

  it('makes a phrase of a word that punctuation splits', () => {
    expect(shape(parseTopic('self-supervised')).include).toEqual([['"self supervised"']]);
    expect(shape(parseTopic('GPT-4 3D')).include).toEqual([['"gpt 4"'], ['3d']]);
    expect(shape(parseTopic('learning -self-supervised')).exclude).toEqual(['"self supervised"']);
    expect(shape(parseTopic('LLMs, "scaling-laws"')).include).toEqual([['llms'], ['"scaling laws"']]);
  });

  it('keeps an apostrophe inside a word and folds accents', () => {
    expect(shape(parseTopic("isn't Schrödinger model\u2019s")).include).toEqual([["isn't"], ['schrodinger'], ["model's"]]);
    expect(shape(parseTopic('ν Ωmega')).include).toEqual([['ν'], ['ωmega']]);
  });

  it('records where each term starts', () => {
    const ok = parseTopic('  ab -"b c"');
    expect(ok.include[0]?.[0]?.column).toBe(2);
    expect(ok.exclude[0]?.column).toBe(5);
  });
});

describe('parseTopic errors', () => {
  it.each<[string, TopicErrorCode, number | null]>([
    ['', 'TOPIC_EMPTY', null],
    ['   \t ', 'TOPIC_EMPTY', null],
    ['a'.repeat(201), 'TOPIC_TOO_LONG', 200],
    ['w '.repeat(21), 'TOPIC_TOO_MANY_TERMS', 40],
    ['"a b c d e f g h i j" k l m n o p q r s t -"u v"', 'TOPIC_TOO_MANY_TERMS', 42],
    ['scaling "laws', 'TOPIC_UNBALANCED_QUOTE', 8],
    ['-"open', 'TOPIC_UNBALANCED_QUOTE', 1],
    ['-video', 'TOPIC_ONLY_EXCLUSIONS', null],
    ['-video -"image editing"', 'TOPIC_ONLY_EXCLUSIONS', null],
    ['OR b', 'TOPIC_BAD_OR', 0],
    ['a OR', 'TOPIC_BAD_OR', 2],
    ['a OR OR b', 'TOPIC_BAD_OR', 5],
    ['-a OR b', 'TOPIC_BAD_OR', 3],
    ['a OR -b', 'TOPIC_BAD_OR', 2],
    ['OR', 'TOPIC_BAD_OR', 0],
    ['a "" b', 'TOPIC_EMPTY_PHRASE', 2],
    ['a "  "', 'TOPIC_EMPTY_PHRASE', 2],
    ['-""', 'TOPIC_EMPTY_PHRASE', 1],
    ['a - b', 'TOPIC_BAD_EXCLUSION', 2],
    ['a -', 'TOPIC_BAD_EXCLUSION', 2],
    ['a +++', 'TOPIC_NO_WORDS', 2],
    ['a "..."', 'TOPIC_NO_WORDS', 2],
    ['a --', 'TOPIC_NO_WORDS', 2],
  ])('%j → %s at %j', (line, code, column) => {
    const err = errorOf(line);
    expect(err.code).toBe(code);
    expect(err.column).toBe(column);
    expect(err.message.length).toBeGreaterThan(10);
  });

  it('accepts exactly 20 words and 200 characters', () => {
    expect(() => parseTopic('w '.repeat(20))).not.toThrow();
    expect(() => parseTopic('a'.repeat(200))).not.toThrow();
    expect(() => parseTopic(`  ${'a'.repeat(200)}  `)).not.toThrow();
  });

  it('counts columns in the line as given, and from 1 in the message', () => {
    const err = errorOf('   scaling "laws');
    expect(err.column).toBe(11);
    expect(err.message).toBe('The quote at column 12 is never closed.');
  });

  it('names the offending term', () => {
    expect(errorOf('diffusion &').message).toContain('"&"');
  });
});

describe('validateTopics', () => {
  it('returns one entry per non-empty line, trimmed, with its error', () => {
    const results = validateTopics(['scaling laws', '', '  ', ' -video ', 'a OR']);
    expect(results.map((r) => [r.line, r.error?.code ?? null])).toEqual([
      ['scaling laws', null],
      ['-video', 'TOPIC_ONLY_EXCLUSIONS'],
      ['a OR', 'TOPIC_BAD_OR'],
    ]);
  });
});

describe('topic length', () => {
  it('counts characters as code points (𝒜 is one letter, two UTF-16 units)', () => {
    expect(() => parseTopic('𝒜'.repeat(200))).not.toThrow();
    const err = errorOf(` ${'𝒜'.repeat(201)}`);
    expect(err.code).toBe('TOPIC_TOO_LONG');
    expect(err.column).toBe(401);
  });
});
