import { describe, expect, it } from 'vitest';
import { mergeChanges, resolvePapers } from '../../../src/ingest/resolve-papers.ts';
import { titleKey } from '../../../src/ingest/paper-identity.ts';
import type { ParsedPaper } from '../../../src/ingest/types.ts';
import type { KnownPaper } from '../../../src/model/paper.ts';

const T1 = new Date('2026-06-10T00:00:00Z');
const T2 = new Date('2026-06-11T00:00:00Z');

function parsed(title: string, extra: Partial<ParsedPaper> = {}): ParsedPaper {
  return {
    arxivId: null,
    arxivVersion: null,
    title,
    abstract: `About ${title}.`,
    authorCount: null,
    authors: [],
    organization: null,
    publishedOn: null,
    upvotes: null,
    ...extra,
  };
}
function known(id: number, title: string, extra: Partial<KnownPaper> = {}): KnownPaper {
  return { ...parsed(title), id, titleKey: titleKey(title), firstSeenAt: T1, lastSeenAt: T1, ...extra };
}

describe('the daily papers details (TL;DR, links, stars, comments)', () => {
  const details = {
    aiSummary: 'A TL;DR.',
    aiKeywords: ['scaling'],
    githubRepo: 'https://github.com/a/b',
    githubStars: 10,
    comments: 1,
    listedOn: '2026-06-10',
  };

  it('a later snapshot that brings them updates the paper; one that lacks them keeps them', () => {
    const id = { arxivId: '2001.08361' };
    expect(mergeChanges(known(7, 'Scaling Laws', id), parsed('Scaling Laws', { ...id, ...details }), titleKey('Scaling Laws'), T2)).toEqual({
      ...details,
      lastSeenAt: T2,
    });
    const had = known(7, 'Scaling Laws', { ...id, ...details });
    expect(mergeChanges(had, parsed('Scaling Laws', id), titleKey('Scaling Laws'), T2)).toEqual({ lastSeenAt: T2 });
    expect(mergeChanges(had, parsed('Scaling Laws', { ...id, githubStars: 12, aiKeywords: [] }), titleKey('Scaling Laws'), T2)).toEqual({
      githubStars: 12,
      lastSeenAt: T2,
    });
  });

  it('an older capture fills what is missing but never overwrites', () => {
    const had = known(7, 'Scaling Laws', { githubStars: 10, lastSeenAt: T2 });
    expect(mergeChanges(had, parsed('Scaling Laws', { githubStars: 3, aiSummary: 'Old TL;DR.' }), titleKey('Scaling Laws'), T1)).toEqual({
      aiSummary: 'Old TL;DR.',
    });
  });
});

describe('resolvePapers', () => {
  it('a new title is a new paper', () => {
    const r = resolvePapers([parsed('Scaling Laws')], [], T1);
    expect(r.entries).toEqual([expect.objectContaining({ kind: 'new', position: 0 })]);
  });

  it('text then JSON: the title finds the id-less paper and the id is learned', () => {
    const r = resolvePapers([parsed('Scaling  laws!', { arxivId: '2001.08361' })], [known(7, 'Scaling Laws')], T2);
    expect(r.entries[0]).toMatchObject({ kind: 'existing', paperId: 7, changes: { arxivId: '2001.08361' } });
  });

  it('JSON then text: a paper without id finds the one with an id by its title', () => {
    const r = resolvePapers([parsed('Scaling Laws')], [known(7, 'Scaling Laws', { arxivId: '2001.08361' })], T2);
    expect(r.entries[0]).toMatchObject({ kind: 'existing', paperId: 7 });
  });

  it('two ids never merge, even with the same title', () => {
    const r = resolvePapers([parsed('Survey', { arxivId: '2401.00002' })], [known(7, 'Survey', { arxivId: '2401.00001' })], T2);
    expect(r.entries[0]!.kind).toBe('new');
  });

  it('the arXiv id wins over a changed title', () => {
    const r = resolvePapers([parsed('Scaling Laws (v2)', { arxivId: '2001.08361' })], [known(7, 'Scaling Laws', { arxivId: '2001.08361' })], T2);
    expect(r.entries[0]).toMatchObject({ kind: 'existing', paperId: 7, changes: { title: 'Scaling Laws (v2)' } });
  });

  it('a paper listed twice in one snapshot is kept once, at its first place', () => {
    const r = resolvePapers([parsed('A'), parsed('B'), parsed('a.')], [], T1);
    expect(r.entries.map((e) => e.position)).toEqual([0, 1]);
    expect(r.duplicates).toEqual([2]);
  });
});

describe('mergeChanges', () => {
  const old = known(1, 'Title', { abstract: 'We study scaling in deep lear', upvotes: 3, authorCount: 4 });
  it('a longer abstract after a cut-off replaces the cut one; upvotes follow the newer snapshot', () => {
    const c = mergeChanges(old, parsed('Title', { abstract: 'We study scaling in deep learning models.', upvotes: 9 }), titleKey('Title'), T2);
    expect(c).toEqual({ abstract: 'We study scaling in deep learning models.', upvotes: 9, lastSeenAt: T2 });
  });
  it('a cut abstract never replaces the whole one', () => {
    const whole = known(1, 'Title', { abstract: 'We study scaling in deep learning models.' });
    expect(mergeChanges(whole, parsed('Title', { abstract: 'We study scaling in deep' }), titleKey('Title'), T2).abstract).toBeUndefined();
  });
  it('a field the source does not give is kept', () => {
    const c = mergeChanges(old, parsed('Title', { abstract: old.abstract }), titleKey('Title'), T2);
    expect(c).toEqual({ lastSeenAt: T2 });
  });
  it('an older snapshot ingested late does not overwrite newer values but moves first-seen back', () => {
    const seen = known(1, 'Title', { upvotes: 9, firstSeenAt: T2, lastSeenAt: T2 });
    const c = mergeChanges(seen, parsed('Title', { abstract: seen.abstract, upvotes: 2 }), titleKey('Title'), T1);
    expect(c).toEqual({ firstSeenAt: T1 });
  });
});
