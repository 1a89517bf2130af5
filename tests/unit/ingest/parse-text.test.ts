import { describe, it, expect } from 'vitest';
import { parseSnapshot } from '../../../src/ingest/parse-snapshot.ts';
import { parseTextCapture } from '../../../src/ingest/parse-text.ts';
import { organizationName } from '../../../src/ingest/parse-text-meta.ts';
import { titleKey } from '../../../src/ingest/paper-identity.ts';
import type { ParsedPaper } from '../../../src/ingest/types.ts';
import { capture, FULL_HEADER, NOW, parseError, seed, SEED_CUT, SEED_WHOLE } from './builders.ts';

const byTitle = (papers: ParsedPaper[], title: string): ParsedPaper => {
  const paper = papers.find((p) => p.title === title);
  if (!paper) throw new Error(`no paper titled ${title}`);
  return paper;
};

describe('the first seed (whole, 54,683 bytes)', () => {
  const parsed = parseSnapshot(seed(SEED_WHOLE), { now: NOW });

  it('holds 31 papers, captured Apr 22 of the year before now, not truncated', () => {
    expect(parsed.format).toBe('text');
    expect(parsed.papers).toHaveLength(31);
    expect(parsed.capturedAt.toISOString()).toBe('2026-04-22T00:00:00.000Z');
    expect(parsed.truncated).toBe(false);
    expect(parsed.warnings).toEqual(['entry 20 (line 165): no meta block']);
  });

  it('reads the first paper', () => {
    const first = parsed.papers[0] as ParsedPaper;
    expect(first).toMatchObject({
      arxivId: null,
      title: 'Ergotropy and Capacity Optimization in Heisenberg Spin Chain Quantum Batteries',
      authorCount: 8,
      authors: [],
      organization: null,
      publishedOn: '2024-07-31',
      upvotes: null,
    });
    expect(first.abstract).toMatch(/^This study examines the performance of finite spin quantum batteries \(QBs\)/);
    expect(first.abstract).toMatch(/future research on quantum energy storage devices\.$/);
    expect(first.abstract).toHaveLength(1900);
  });

  it('reads the last paper, whose date line ends the file without a line break', () => {
    expect(parsed.papers[30]).toMatchObject({
      title: 'Combining Electron-Phonon and Dynamical Mean-Field Theory Calculations of Correlated Materials: Transport in the Correlated Metal Sr_2RuO_4',
      authorCount: 5,
      publishedOn: '2023-04-13',
      upvotes: null,
    });
    expect(parsed.papers[30]?.abstract).toMatch(/advancing quantitative studies of correlated materials\.$/);
  });

  it('reads an organization byline instead of an author count', () => {
    expect(parsed.papers[4]).toMatchObject({
      title: 'The Importance of Being Scalable: Improving the Speed and Accuracy of Neural Network Interatomic Potentials Across Chemical Domains',
      authorCount: null,
      organization: 'UC Berkeley',
      publishedOn: '2024-10-31',
      upvotes: null,
    });
  });

  it('reads upvote counts after the date', () => {
    expect(byTitle(parsed.papers, 'Scaling Laws for Robust Comparison of Open Foundation Language-Vision Models and Datasets')).toMatchObject({
      authorCount: 7,
      publishedOn: '2025-06-04',
      upvotes: 2,
    });
    expect(byTitle(parsed.papers, 'Fast and Accurate Model Scaling')).toMatchObject({ publishedOn: '2021-03-11', upvotes: 1 });
  });

  it('keeps an entry without a meta block, and the entry after it', () => {
    const bare = byTitle(parsed.papers, 'Robust Layerwise Scaling Rules by Proper Weight Decay Tuning');
    expect(bare).toMatchObject({ authorCount: null, organization: null, publishedOn: null, upvotes: null });
    expect(bare.abstract).toMatch(/^Empirical scaling laws prescribe/);
    expect(parsed.papers[parsed.papers.indexOf(bare) + 1]).toMatchObject({
      title: 'Multiflavor Mott insulators in quantum materials and ultracold atoms',
      authorCount: 2,
      publishedOn: '2021-12-05',
    });
  });

  it('gives dates without a year the latest year not after the capture date', () => {
    expect(parsed.papers[1]).toMatchObject({ authorCount: 1, publishedOn: '2026-03-08' }); // "Mar 8"
    expect(parsed.papers[2]?.publishedOn).toBe('2026-04-06'); // "Apr 6"
    expect(byTitle(parsed.papers, 'Ghosts of Softmax: Complex Singularities That Limit Safe Step Sizes in Cross-Entropy').publishedOn).toBe('2026-03-13');
  });

  it('parses the same from a string as from bytes', () => {
    expect(parseSnapshot(seed(SEED_WHOLE).toString('utf8'), { now: NOW })).toEqual(parsed);
  });
});

describe('the second seed (cut at 64,000 bytes)', () => {
  const parsed = parseSnapshot(seed(SEED_CUT), { now: NOW });
  const first = parseSnapshot(seed(SEED_WHOLE), { now: NOW });

  it('holds 36 papers, captured Jun 10', () => {
    expect(parsed.papers).toHaveLength(36);
    expect(parsed.capturedAt.toISOString()).toBe('2026-06-10T00:00:00.000Z');
    expect(parsed.warnings).toEqual(['entry 26 (line 213): no meta block']);
  });

  it('takes the final unterminated "May 4" as a whole date line', () => {
    expect(parsed.truncated).toBe(false);
    expect(parsed.papers[35]).toMatchObject({
      title: 'Linear equivalence of nonlinear recurrent neural networks',
      authorCount: 1,
      publishedOn: '2026-05-04',
      upvotes: null,
    });
  });

  it('has exactly these 10 papers that the first seed does not', () => {
    const known = new Set(first.papers.map((p) => titleKey(p.title)));
    expect(parsed.papers.filter((p) => !known.has(titleKey(p.title))).map((p) => p.title)).toEqual([
      'Particle contact dynamics as the origin for non-integer power expansion rheology in attractive suspension networks',
      'Scaling Laws for Uncertainty in Deep Learning',
      'Clustering of higher order connected correlations in C^* dynamical systems',
      'Clifford algebra Cl(0,6) approach to beyond the standard model and naturalness problems',
      'What Shape is the Inflationary Bispectrum?',
      'Learning quantum many-body data locally: A provably scalable framework',
      'CMT-Benchmark: A Benchmark for Condensed Matter Theory Built by Expert Researchers',
      'Broken Neural Scaling Laws',
      'Lying Is Just a Phase: The Hidden Alignment Transition in Language Model Scaling',
      'Linear equivalence of nonlinear recurrent neural networks',
    ]);
  });

  it('reads the year-less dates against Jun 10', () => {
    expect(byTitle(parsed.papers, 'Scaling Laws for Uncertainty in Deep Learning').publishedOn).toBe('2026-02-08');
    expect(byTitle(parsed.papers, 'What Shape is the Inflationary Bispectrum?').publishedOn).toBe('2026-03-25');
    expect(byTitle(parsed.papers, 'Lying Is Just a Phase: The Hidden Alignment Transition in Language Model Scaling').publishedOn).toBe('2026-05-12');
  });

  it('has the same organization, upvote and no-meta entries as the first seed', () => {
    expect(parsed.papers[4]?.organization).toBe('UC Berkeley');
    expect(parsed.papers[9]).toMatchObject({
      title: 'Scaling Laws for Robust Comparison of Open Foundation Language-Vision Models and Datasets',
      upvotes: 2,
    });
    expect(byTitle(parsed.papers, 'Robust Layerwise Scaling Rules by Proper Weight Decay Tuning').publishedOn).toBeNull();
  });
});

describe('text capture variants', () => {
  const now = { now: NOW };
  const entries = [
    { title: 'First Paper', abstract: 'First abstract.', byline: '  • 8 authors', date: 'Jun 4, 2025 3' },
    { title: 'Second Paper', abstract: 'Second abstract.', byline: 'Berkeley UC Berkeley', date: 'Mar 8' },
  ];
  const expected = parseSnapshot(capture('Jun 10', entries), now);

  it('reads a small capture', () => {
    expect(expected.papers).toEqual([
      {
        arxivId: null,
        arxivVersion: null,
        title: 'First Paper',
        abstract: 'First abstract.',
        authorCount: 8,
        authors: [],
        organization: null,
        publishedOn: '2025-06-04',
        upvotes: 3,
      },
      {
        arxivId: null,
        arxivVersion: null,
        title: 'Second Paper',
        abstract: 'Second abstract.',
        authorCount: null,
        authors: [],
        organization: 'UC Berkeley',
        publishedOn: '2026-03-08',
        upvotes: null,
      },
    ]);
    expect(expected.truncated).toBe(false);
    expect(expected.warnings).toEqual([]);
  });

  it.each([
    ['CRLF line endings', (t: string) => t.replace(/\n/g, '\r\n')],
    ['a BOM', (t: string) => `\uFEFF${t}`],
    ['trailing spaces and tabs', (t: string) => t.replace(/\n/g, ' \t\n')],
    ['several blank lines', (t: string) => t.replace(/\n\n/g, '\n\n\n\n')],
    ['no blank lines at all', (t: string) => t.replace(/\n\n/g, '\n')],
    ['a final line break', (t: string) => `${t}\n`],
    ['final blank lines', (t: string) => `${t}\r\n\r\n\r\n`],
  ])('tolerates %s', (_name, change) => {
    expect(parseSnapshot(change(capture('Jun 10', entries)), now)).toEqual(expected);
  });

  it('tolerates a copy that starts with the site navigation', () => {
    const nav = ['Hugging Face', 'Models', 'Datasets', 'Spaces', 'Community', 'Docs', 'Enterprise', 'Pricing', 'Log In', 'Sign Up'];
    expect(parseSnapshot(capture('Jun 10', entries, [...nav, ...FULL_HEADER]), now).papers).toEqual(expected.papers);
  });

  it('tolerates a header without the lines before "Daily Papers"', () => {
    expect(parseSnapshot(capture('Jun 10', entries, ['Daily Papers']), now)).toEqual(expected);
    expect(parseSnapshot(capture('Jun 10', entries, FULL_HEADER.slice(3)), now)).toEqual(expected);
  });

  it('can be called on decoded text directly', () => {
    expect(parseTextCapture(capture('Jun 10', entries), now)).toEqual(expected);
  });

  it('reads "1 author" and a meta block without its "·" line', () => {
    const text = 'Daily Papers\n\nJun 10\n\nT\n\nA.\n\n• 1 author\nMay 2, 2024';
    expect(parseSnapshot(text, now).papers[0]).toMatchObject({ authorCount: 1, publishedOn: '2024-05-02' });
  });

  it('keeps a paper whose meta block has no date, with a warning', () => {
    const parsed = parseSnapshot(capture('Jun 10', [{ title: 'No Date', date: null }, { title: 'Next' }]), now);
    expect(parsed.papers.map((p) => [p.title, p.authorCount, p.publishedOn])).toEqual([
      ['No Date', 3, null],
      ['Next', 3, '2025-06-04'],
    ]);
    expect(parsed.warnings).toEqual(['entry 1 (line 13): meta block has no date']);
  });

  it('warns about an author line it cannot read', () => {
    const parsed = parseSnapshot(capture('Jun 10', [{ title: 'Odd', byline: '• many authors' }]), now);
    expect(parsed.papers[0]).toMatchObject({ authorCount: null, organization: null, publishedOn: '2025-06-04' });
    expect(parsed.warnings).toEqual(['entry 1 (line 13): unreadable author line "• many authors"']);
  });

  it('lists a paper listed twice once, in its first place', () => {
    const parsed = parseSnapshot(capture('Jun 10', [{ title: 'Same Title: Here' }, { title: 'Other' }, { title: 'same title — here', date: 'Mar 8' }]), now);
    expect(parsed.papers.map((p) => p.title)).toEqual(['Same Title: Here', 'Other']);
    expect(parsed.papers[0]?.publishedOn).toBe('2025-06-04');
    expect(parsed.warnings).toEqual(['entry 3 (line 29): same title as entry 1; kept the first']);
  });
});

describe('organizationName', () => {
  it.each([
    ['Berkeley UC Berkeley', 'UC Berkeley'],
    ['Google Google', 'Google'],
    ['Meta AI Meta AI', 'Meta AI'],
    ['ByteDance ByteDance Seed', 'ByteDance Seed'],
    ['nvidia NVIDIA', 'NVIDIA'],
    ['UC Berkeley', 'UC Berkeley'],
    ['Allen Institute for AI', 'Allen Institute for AI'],
    ['MIT Massachusetts Institute of Technology', 'MIT Massachusetts Institute of Technology'],
    ['Tsinghua', 'Tsinghua'],
    ['  Berkeley   UC  Berkeley ', 'UC Berkeley'],
  ])('%j → %j', (line, expected) => {
    expect(organizationName(line)).toBe(expected);
  });
});

describe('text that is not a capture', () => {
  const now = { now: NOW };

  it('rejects a header with no whole entry', () => {
    const error = parseError(() => parseSnapshot(capture('Jun 10', []), now));
    expect(error.message).toBe('text capture has a Daily Papers header but no whole entry after line 11');
    expect(error.line).toBe(11);
  });

  it('rejects a header whose only entry is cut in its abstract', () => {
    const text = `${capture('Jun 10', [])}\n\nA Title\n\nAn abstract that stops`;
    const error = parseError(() => parseSnapshot(text, now));
    expect(error.message).toMatch(/no whole entry/);
    expect(error.line).toBe(13);
  });

  it('rejects "Daily Papers" without a capture date', () => {
    const text = 'Daily Papers\n\nbyAK and the research community\n\nA Title\n\nAn abstract.\n\n  • 2 authors\n·\nJun 4, 2025';
    const error = parseError(() => parseSnapshot(text, now));
    expect(error.message).toBe('text capture has no capture date (such as "Jun 10") after "Daily Papers" at line 1');
    expect(error.line).toBe(1);
  });

  it('rejects text without the "Daily Papers" header near the top', () => {
    const text = `${Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n')}\nDaily Papers\nJun 10\n\nT\n\nA.`;
    const error = parseError(() => parseSnapshot(text, now));
    expect(error.message).toMatch(/^not a snapshot: neither JSON nor a Daily Papers text capture/);
    expect(error.line).toBe(1);
  });

  it('rejects "Daily Papers" that comes after an abstract-sized line', () => {
    const text = `Title\n\n${'word '.repeat(60)}\n\nDaily Papers\n\nJun 10\n\nT\n\nA.\n\n• 1 authors\n·\nJun 4, 2025`;
    expect(parseError(() => parseSnapshot(text, now)).message).toMatch(/no "Daily Papers" header/);
  });

  it('rejects plain text, naming the first line', () => {
    const error = parseError(() => parseSnapshot('\n\n  hello world\nsecond line', now));
    expect(error.message).toMatch(/neither JSON nor a Daily Papers text capture/);
    expect(error.line).toBe(3);
  });
});
