import { describe, it, expect } from 'vitest';
import { normalizeArxivId, titleKey } from '../../../src/ingest/paper-identity.ts';

describe('titleKey', () => {
  it('gives one key for the same title written differently', () => {
    expect(titleKey('The Importance of Being Scalable:  Improving…')).toBe(titleKey('the importance of being scalable improving…'));
    expect(titleKey('The Importance of Being Scalable:  Improving…')).toBe('the importance of being scalable improving');
  });

  it.each([
    ['curly and straight apostrophes', 'A Hitchhiker’s Guide', "A Hitchhiker's Guide", 'a hitchhikers guide'],
    ['curly and straight quotes', '“Scaling” Laws', '"Scaling" Laws', 'scaling laws'],
    ['en dash, em dash and hyphen', 'Language–Vision — Models', 'Language-Vision - Models', 'language vision models'],
    ['tabs, NBSP and line breaks', 'Broken\tNeural\u00A0Scaling\n Laws ', 'Broken Neural Scaling Laws', 'broken neural scaling laws'],
    ['composed and decomposed accents', 'Caf\u00E9 Models', 'Cafe\u0301 models', 'café models'],
    ['fullwidth letters (NFKC)', 'Ｓｃａｌｉｎｇ Laws', 'Scaling Laws', 'scaling laws'],
    ['ligatures (NFKC)', 'Eﬃcient Transformers', 'Efficient Transformers', 'efficient transformers'],
    ['sharp s (full case folding)', 'Straße Networks', 'STRASSE networks', 'strasse networks'],
    ['final sigma', 'ΟΔΟΣ', 'οδος', 'οδοσ'],
  ])('%s', (_case, a, b, key) => {
    expect(titleKey(a)).toBe(key);
    expect(titleKey(b)).toBe(key);
  });

  it('keeps accents: a different letter is a different title', () => {
    expect(titleKey('Café Models')).not.toBe(titleKey('Cafe Models'));
  });

  it('turns symbols and brackets into word breaks', () => {
    expect(titleKey('Clifford algebra Cl(0,6) approach')).toBe('clifford algebra cl 0 6 approach');
    expect(titleKey('correlations in C^* dynamical systems')).toBe('correlations in c dynamical systems');
    expect(titleKey('Transport in the Correlated Metal Sr_2RuO_4')).toBe('transport in the correlated metal sr 2ruo 4');
  });

  it('keeps digits and non-Latin letters', () => {
    expect(titleKey('GPT-4 技术报告')).toBe('gpt 4 技术报告');
  });

  it('is empty for a title of punctuation only', () => {
    expect(titleKey(' —?! ')).toBe('');
  });

  it('is idempotent', () => {
    for (const title of ['A Hitchhiker’s Guide: Scaling–Law Estimation', 'Straße Ｘ', 'Cafe\u0301 (v2)']) {
      expect(titleKey(titleKey(title))).toBe(titleKey(title));
    }
  });
});

describe('normalizeArxivId', () => {
  it.each([
    ['2406.12345', '2406.12345'],
    ['2406.12345v2', '2406.12345'],
    ['2406.12345v10', '2406.12345'],
    ['arXiv:2406.12345', '2406.12345'],
    ['arxiv:2406.12345v3', '2406.12345'],
    ['  2406.12345\n', '2406.12345'],
    ['0704.0001', '0704.0001'],
    ['1412.9999v1', '1412.9999'],
    ['1501.00001', '1501.00001'],
    ['hep-th/9901001', 'hep-th/9901001'],
    ['hep-th/9901001v3', 'hep-th/9901001'],
    ['arXiv:cond-mat/0102536', 'cond-mat/0102536'],
    ['math.GT/0309136', 'math/0309136'],
    ['Math/0309136', 'math/0309136'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeArxivId(input)).toBe(expected);
  });

  it.each([
    '',
    'abc',
    '2406.1234', // four digits after 2014
    '1412.12345', // five digits before 2015
    '2413.12345', // month 13
    '2400.12345', // month 0
    '0703.1234', // before new-style ids began (April 2007)
    '2406.12345v',
    '2406.12345 extra',
    'https://arxiv.org/abs/2406.12345',
    '10.48550/arXiv.2406.12345',
    'hep-th/99010011',
    'hep-th/990100',
    'hep-th/9913001', // month 13
    'hep-th/0801001', // after old-style ids ended (March 2007)
    'hep-th/9101001', // before arXiv began (August 1991)
    '/9901001',
  ])('%j → null', (input) => {
    expect(normalizeArxivId(input)).toBeNull();
  });
});
