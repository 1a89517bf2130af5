import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Range } from '../../../src/match/index.ts';
import { shortenAround } from '../../../src/render/shorten.ts';

const slices = (text: string, ranges: readonly Range[]): string[] => ranges.map(([s, e]) => text.slice(s, e));

/** `count` sentences of filler words. */
function abstract(count: number): string {
  return Array.from({ length: count }, (_, i) => `Sentence ${i} talks about nothing much at all today.`).join(' ');
}

describe('shortenAround', () => {
  it('keeps a short text and its ranges as they are', () => {
    expect(
      shortenAround(
        'Neural scaling laws.',
        [
          [7, 14],
          [15, 19],
        ],
        100,
      ),
    ).toEqual({
      text: 'Neural scaling laws.',
      ranges: [
        [7, 14],
        [15, 19],
      ],
    });
  });

  it('cuts a long text at a word boundary with an ellipsis', () => {
    const text = abstract(20);
    const { text: short } = shortenAround(text, [], 100);
    expect(short.length).toBeLessThanOrEqual(101);
    expect(short.endsWith('…')).toBe(true);
    expect(text.startsWith(short.slice(0, -1))).toBe(true);
    expect(text[short.length - 1]).toMatch(/[\s.]/); // the last word is whole
  });

  it('moves the window to the first hit, to its sentence start, and shifts the ranges', () => {
    const text = `${abstract(10)} Here scaling laws appear. ${abstract(10)}`;
    const at = text.indexOf('scaling laws');
    const late = text.lastIndexOf('Sentence');
    const hits: Range[] = [
      [late, late + 8],
      [at + 8, at + 12],
      [at, at + 7],
    ];
    const short = shortenAround(text, hits, 200);
    expect(short.text.startsWith('…Here scaling laws appear.')).toBe(true);
    expect(short.text.endsWith('…')).toBe(true);
    expect(slices(short.text, short.ranges)).toEqual(['scaling', 'laws']);
  });

  it('starts a little before the hit when its sentence is longer than the window', () => {
    const text = `${'word '.repeat(200)}target ${'tail '.repeat(200)}`.trim();
    const at = text.indexOf('target');
    const short = shortenAround(text, [[at, at + 6]], 120);
    expect(slices(short.text, short.ranges)).toEqual(['target']);
    expect(short.text.startsWith('…word')).toBe(true);
    expect(short.text.length).toBeLessThanOrEqual(122);
  });

  it('uses a whole window when the hit is near the end', () => {
    const text = abstract(20);
    const at = text.lastIndexOf('nothing');
    const short = shortenAround(text, [[at, at + 7]], 150);
    expect(short.text.length).toBeGreaterThan(120);
    expect(short.text.endsWith('today.')).toBe(true);
    expect(slices(short.text, short.ranges)).toEqual(['nothing']);
  });

  it('for any text and word-aligned hits: the first hit stays visible and every kept range is the same words', () => {
    const words = fc.array(fc.stringMatching(/^[a-zA-Zé]{1,12}[.,]?$/), { minLength: 1, maxLength: 300 });
    fc.assert(
      fc.property(words, fc.array(fc.nat(), { maxLength: 6 }), fc.integer({ min: 60, max: 400 }), (ws, picks, max) => {
        const text = ws.join(' ');
        const starts = ws.map((_, i) => ws.slice(0, i).join(' ').length + (i > 0 ? 1 : 0));
        const ranges: Range[] = picks.map((p) => {
          const i = p % ws.length;
          return [starts[i]!, starts[i]! + ws[i]!.replace(/[.,]$/, '').length];
        });
        const short = shortenAround(text, ranges, max);
        expect(short.text.length).toBeLessThanOrEqual(max + 2);
        for (const [s, e] of short.ranges) {
          expect(s).toBeGreaterThanOrEqual(0);
          expect(e).toBeLessThanOrEqual(short.text.length);
          expect(text).toContain(short.text.slice(s, e));
        }
        const first = [...ranges].sort((a, b) => a[0] - b[0])[0];
        if (first && first[1] - first[0] > 0) {
          expect(slices(short.text, short.ranges)).toContain(text.slice(first[0], first[1]));
        }
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});
