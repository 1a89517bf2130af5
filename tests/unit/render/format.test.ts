import { describe, expect, it } from 'vitest';
import { authorsLine, formatDay, formatUtc, metaParts } from '../../../src/render/format.ts';
import { clip, digestSubject } from '../../../src/render/subject.ts';
import { markText, wrap } from '../../../src/render/text.ts';
import { paper } from './builders.ts';

describe('formatting', () => {
  it('writes dates without a clock or a time zone', () => {
    expect(formatDay('2025-06-10', 'short')).toBe('Jun 10');
    expect(formatDay('2025-06-10', 'medium')).toBe('Jun 10, 2025');
    expect(formatDay('2025-06-01', 'long')).toBe('June 1, 2025');
    expect(formatDay('garbage', 'long')).toBe('garbage');
    expect(formatUtc(new Date('2025-12-31T23:05:00Z'))).toBe('December 31, 2025 at 23:05 UTC');
  });

  it('names the first three authors, then counts', () => {
    const names = ['A One', 'B Two', 'C Three', 'D Four'];
    expect(authorsLine(paper({ paperId: 1, authors: names, authorCount: 9 }))).toBe('A One, B Two, C Three et al.');
    expect(authorsLine(paper({ paperId: 1, authors: names, authorCount: null }))).toBe('A One, B Two, C Three et al.');
    // hidden authors: counted (authorCount), never named (ingest leaves their names out)
    expect(authorsLine(paper({ paperId: 1, authors: names.slice(0, 2), authorCount: 3 }))).toBe('A One, B Two et al.');
    expect(authorsLine(paper({ paperId: 1, authors: names.slice(0, 2), authorCount: 2 }))).toBe('A One and B Two');
    expect(authorsLine(paper({ paperId: 1, authors: [], authorCount: 1 }))).toBe('1 author');
    expect(authorsLine(paper({ paperId: 1, authors: [], authorCount: null }))).toBeNull();
  });

  it('puts authors, organization, upvotes and date on the meta line when known', () => {
    const p = paper({ paperId: 1, authorCount: 8, organization: 'UC Berkeley', upvotes: 12, publishedOn: '2024-07-31', comments: 3 });
    expect(metaParts(p, '2025')).toEqual(['8 authors', 'UC Berkeley', '▲ 12', '3 comments', 'published Jul 31, 2024']);
    expect(metaParts({ ...p, upvotes: 12_345, comments: 1 }, '2024')).toEqual(['8 authors', 'UC Berkeley', '▲ 12k', '1 comment', 'published Jul 31']);
    expect(metaParts({ ...p, comments: 0 }, '2024')).not.toContain('0 comments');
    expect(metaParts(paper({ paperId: 1, authorCount: null, publishedOn: null }))).toEqual([]);
  });

  it('clips subjects between code points', () => {
    expect(clip('abc', 5)).toBe('abc');
    expect(clip('ab😀cdef', 4)).toBe('ab…');
    expect(digestSubject(2, ['x'], '2025-06-10')).toBe('2 new papers on x — Jun 10');
  });

  it('marks and wraps plain text', () => {
    expect(markText('Neural scaling laws', [[7, 14]])).toBe('Neural *scaling* laws');
    const url = `https://example.com/${'x'.repeat(90)}`;
    expect(wrap(`${'word '.repeat(30)} ${url} end`, '  ').split('\n')).toEqual([
      `  ${'word '.repeat(15).trim()}`,
      `  ${'word '.repeat(15).trim()}`,
      `  ${url}`,
      '  end',
    ]);
  });
});
