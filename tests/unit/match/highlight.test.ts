import { describe, expect, it } from 'vitest';
import { mergeRanges, splitByRanges, tokenize } from '../../../src/match/index.ts';

describe('splitByRanges', () => {
  it('cuts the text into plain and highlighted pieces', () => {
    expect(splitByRanges('Neural scaling laws', [[7, 14]])).toEqual([
      { text: 'Neural ', hit: false },
      { text: 'scaling', hit: true },
      { text: ' laws', hit: false },
    ]);
  });

  it('merges overlapping and adjacent ranges, in any order', () => {
    expect(
      splitByRanges('abcdefgh', [
        [4, 6],
        [1, 3],
        [2, 4],
        [6, 7],
      ]),
    ).toEqual([
      { text: 'a', hit: false },
      { text: 'bcdefg', hit: true },
      { text: 'h', hit: false },
    ]);
  });

  it('handles no ranges, the whole text, empty and out-of-bounds ranges', () => {
    expect(splitByRanges('abc', [])).toEqual([{ text: 'abc', hit: false }]);
    expect(splitByRanges('abc', [[0, 3]])).toEqual([{ text: 'abc', hit: true }]);
    expect(
      splitByRanges('abc', [
        [1, 1],
        [-5, 1],
        [2, 99],
      ]),
    ).toEqual([
      { text: 'a', hit: true },
      { text: 'b', hit: false },
      { text: 'c', hit: true },
    ]);
    expect(splitByRanges('', [[0, 2]])).toEqual([]);
  });

  it('leaves escaping to the renderer', () => {
    expect(splitByRanges('<b>&', [[0, 3]])).toEqual([
      { text: '<b>', hit: true },
      { text: '&', hit: false },
    ]);
  });
});

describe('mergeRanges', () => {
  it('sorts, merges and drops empty ranges', () => {
    expect(
      mergeRanges([
        [5, 9],
        [0, 2],
        [1, 3],
        [3, 3],
        [9, 10],
      ]),
    ).toEqual([
      [0, 3],
      [5, 10],
    ]);
  });
});

describe('tokenize', () => {
  it('splits on anything but letters, digits and inner apostrophes, keeping ranges', () => {
    const text = "Self-supervised GPT-4 isn't 'quoted' 3D café ν=1 e\u0301t\u00e9";
    const tokens = tokenize(text);
    expect(tokens.map((t) => t.text)).toEqual(['Self', 'supervised', 'GPT', '4', "isn't", 'quoted', '3D', 'café', 'ν', '1', 'e\u0301t\u00e9']);
    for (const t of tokens) expect(text.slice(t.start, t.end)).toBe(t.text);
  });
});
