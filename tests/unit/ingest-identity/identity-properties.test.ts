// Property tests of paper identity: any perturbation a source, a copy-paste or an editor can make to
// a title or an arXiv id — invisible characters, other dashes and quotes, other whitespace, case,
// composed or decomposed accents, fullwidth forms, a version suffix — maps to the same paper.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeArxivId, parseArxivId, titleKey } from '../../../src/ingest/paper-identity.ts';

// Soft hyphen, ZW space / non-joiner / joiner, word joiner, BOM, Mongolian vowel separator,
// combining grapheme joiner, variation selector 16, LRM, RLM, bidi isolates.
const INVISIBLE = ['\u00AD', '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u180E', '\u034F', '\uFE0F', '\u200E', '\u200F', '\u2066', '\u2069'];
const SPACES = [' ', '  ', '\t', '\n', '\u00A0', '\u2009', '\u202F', '\u3000', ' \r\n '];
const DASHES = ['-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\uFE63', '\uFF0D'];
const QUOTES: Array<[string, string]> = [
  ['"', '"'],
  ['\u201C', '\u201D'],
  ['\u00AB', '\u00BB'],
  ["'", "'"],
  ['\u2018', '\u2019'],
  ['\u300C', '\u300D'],
];

const letter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éüçñøåßΣλж'.split(''));
const word = fc.array(letter, { minLength: 1, maxLength: 9 }).map((l) => l.join(''));
/** A title: words joined by spaces, dashes or ": ", some words quoted. */
const title = fc
  .array(fc.record({ word, joiner: fc.constantFrom(' ', ' ', '-', ': ', ' — '), quoted: fc.boolean() }), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.map((p, i) => (i > 0 ? p.joiner : '') + (p.quoted ? `"${p.word}"` : p.word)).join(''));

type Perturb = (text: string, rnd: () => number) => string;
const pick = <T>(items: readonly T[], rnd: () => number): T => items[Math.floor(rnd() * items.length)]!;

const perturbations: Record<string, Perturb> = {
  invisible: (t, rnd) => [...t].map((c) => (rnd() < 0.3 ? pick(INVISIBLE, rnd) : '') + c).join('') + (rnd() < 0.5 ? pick(INVISIBLE, rnd) : ''),
  whitespace: (t, rnd) => pick(SPACES, rnd) + t.replace(/ /g, () => pick(SPACES, rnd)) + pick(SPACES, rnd),
  dashes: (t, rnd) => t.replace(/-|\u2014/g, () => pick(DASHES, rnd)),
  quotes: (t, rnd) =>
    t.replace(/"([^"]*)"/g, (_m, inner: string) => {
      const [open, close] = pick(QUOTES, rnd);
      return `${open}${inner}${close}`;
    }),
  case: (t, rnd) => [...t].map((c) => (rnd() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join(''),
  decomposed: (t) => t.normalize('NFD'),
  fullwidth: (t, rnd) => t.replace(/[A-Za-z0-9]/g, (c) => (rnd() < 0.5 ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)),
};

/** A seeded random stream from fast-check's own randomness, so failures shrink and replay. */
const seeded = fc.integer().map((seed) => {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
});
const someOf = fc.subarray(Object.keys(perturbations), { minLength: 1 });

describe('titleKey: perturbations of a title map to one key', () => {
  it.each(Object.keys(perturbations))('%s', (name) => {
    fc.assert(
      fc.property(title, seeded, (t, rnd) => {
        expect(titleKey(perturbations[name]!(t, rnd))).toBe(titleKey(t));
      }),
      { numRuns: 300 },
    );
  });

  it('any combination of them, in any order', () => {
    fc.assert(
      fc.property(title, someOf, seeded, (t, names, rnd) => {
        const perturbed = names.reduce((text, name) => perturbations[name]!(text, rnd), t);
        expect(titleKey(perturbed)).toBe(titleKey(t));
      }),
      { numRuns: 1000 },
    );
  });

  it('and the key is never empty for a title with a letter, nor holds an invisible character', () => {
    fc.assert(
      fc.property(title, seeded, (t, rnd) => {
        const key = titleKey(perturbations.invisible!(t, rnd));
        expect(key).not.toBe('');
        expect(key).not.toMatch(/[\p{Cf}\p{Default_Ignorable_Code_Point}]/u);
      }),
    );
  });
});

// New-style ids: YYMM.NNNN (April 2007 – December 2014) or YYMM.NNNNN (2015 on).
const newStyle = fc
  .record({ year: fc.integer({ min: 7, max: 26 }), month: fc.integer({ min: 1, max: 12 }), n: fc.integer({ min: 1, max: 99_999 }) })
  .filter(({ year, month }) => year * 100 + month >= 704)
  .map(({ year, month, n }) => {
    const yymm = `${String(year).padStart(2, '0')}${String(month).padStart(2, '0')}`;
    return `${yymm}.${String(n % (Number(yymm) >= 1501 ? 100_000 : 10_000)).padStart(Number(yymm) >= 1501 ? 5 : 4, '0')}`;
  });
// Old-style ids: archive/YYMMNNN (August 1991 – March 2007).
const oldStyle = fc
  .record({
    archive: fc.constantFrom('hep-th', 'hep-ph', 'cond-mat', 'math', 'quant-ph', 'astro-ph', 'gr-qc', 'nucl-th'),
    ym: fc.integer({ min: 1991 * 12 + 7, max: 2007 * 12 + 2 }),
    n: fc.integer({ min: 1, max: 999 }),
  })
  .map(({ archive, ym, n }) => {
    const year = Math.floor(ym / 12);
    const month = (ym % 12) + 1;
    return `${archive}/${String(year % 100).padStart(2, '0')}${String(month).padStart(2, '0')}${String(n).padStart(3, '0')}`;
  });
const arxivId = fc.oneof(newStyle, oldStyle);

const idPerturbations: Record<string, Perturb> = {
  version: (id, rnd) => `${id}${rnd() < 0.5 ? 'v' : 'V'}${1 + Math.floor(rnd() * 12)}`,
  prefix: (id, rnd) => `${pick(['arXiv:', 'arxiv:', 'ARXIV:', 'arXiv: '], rnd)}${id}`,
  invisible: perturbations.invisible!,
  space: (id, rnd) => `${pick(SPACES, rnd)}${id}${pick(SPACES, rnd)}`,
  fullwidth: (id, rnd) => id.replace(/[0-9]/g, (c) => (rnd() < 0.5 ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)),
  archiveCase: (id) => id.replace(/^[a-z-]+\//, (a) => a.toUpperCase()),
};

describe('arXiv ids: perturbations of an id map to one paper', () => {
  it('every valid id is its own canonical form', () => {
    fc.assert(
      fc.property(arxivId, (id) => {
        expect(normalizeArxivId(id)).toBe(id);
      }),
    );
  });

  it('any combination of version suffix, prefix, invisible characters, space, fullwidth digits and case', () => {
    fc.assert(
      fc.property(arxivId, fc.subarray(Object.keys(idPerturbations), { minLength: 1 }), seeded, (id, names, rnd) => {
        // The prefix goes first and the version last, as sources write them; the rest anywhere.
        const order = ['archiveCase', 'version', 'fullwidth', 'prefix', 'invisible', 'space'].filter((n) => names.includes(n));
        const perturbed = order.reduce((text, name) => idPerturbations[name]!(text, rnd), id);
        expect(normalizeArxivId(perturbed)).toBe(id);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps the version as an attribute', () => {
    fc.assert(
      fc.property(arxivId, fc.integer({ min: 1, max: 999 }), (id, version) => {
        expect(parseArxivId(`${id}v${version}`)).toEqual({ id, version });
        expect(parseArxivId(id)).toEqual({ id, version: null });
      }),
    );
  });
});
