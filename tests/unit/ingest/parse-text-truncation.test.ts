// Captures are cut at 64,000 bytes, anywhere. Whatever the cut, parsing must either give the papers
// before the cut, each one whole, or reject the input as a SnapshotParseError — nothing else.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseSnapshot } from '../../../src/ingest/parse-snapshot.ts';
import { SnapshotParseError, type ParsedPaper, type ParsedSnapshot } from '../../../src/ingest/types.ts';
import { capture, NOW, seed, SEED_CUT, SEED_WHOLE } from './builders.ts';

const options = { now: NOW };

/** What a cut of `bytes` is checked against: the full parse and where each paper's text ends. */
interface Reference {
  bytes: Buffer;
  full: ParsedSnapshot;
  /** byte offset just after each paper's abstract line break: a cut at or after it keeps the paper */
  abstractEnds: number[];
  /** byte range [start, end) of each paper's date line, when it has one */
  dateLines: Array<[number, number] | null>;
}

function reference(bytes: Buffer): Reference {
  const full = parseSnapshot(bytes, options);
  let from = 0;
  const abstractEnds: number[] = [];
  const dateLines: Array<[number, number] | null> = [];
  for (const paper of full.papers) {
    const end = bytes.indexOf(`${paper.abstract}\n`, from) + Buffer.byteLength(`${paper.abstract}\n`);
    abstractEnds.push(end);
    from = end;
    dateLines.push(paper.publishedOn ? dateLineAfter(bytes, end) : null);
  }
  return { bytes, full, abstractEnds, dateLines };
}

/** The date line is the third non-blank line after the abstract ("• N authors", "·", date). */
function dateLineAfter(bytes: Buffer, from: number): [number, number] {
  // latin1 keeps one character per byte, so offsets stay byte offsets; "·" is the bytes C2 B7.
  const text = bytes.toString('latin1', from);
  const match = /^\n*[^\n]+\n\xC2\xB7\n([^\n]+)/.exec(text) as RegExpExecArray;
  const start = from + match[0].length - (match[1] as string).length;
  return [start, start + (match[1] as string).length];
}

/** Parses the first `cut` bytes (or their lenient decoding as a string) and checks the outcome. */
function checkCut(ref: Reference, cut: number, asString = false): void {
  const bytes = ref.bytes.subarray(0, cut);
  const input = asString ? new TextDecoder().decode(bytes) : bytes;
  let parsed: ParsedSnapshot;
  try {
    parsed = parseSnapshot(input, options);
  } catch (error) {
    // Rejecting is only right when not even the first entry's abstract got through whole.
    expect(error, `cut at ${cut}`).toBeInstanceOf(SnapshotParseError);
    expect(cut, `cut at ${cut} was rejected`).toBeLessThan(ref.abstractEnds[0] as number);
    return;
  }
  const { papers } = parsed;
  const kept = ref.abstractEnds.filter((end) => end <= cut).length;
  expect(parsed.capturedAt, `cut at ${cut}`).toEqual(ref.full.capturedAt);
  // A cut is not a problem of the capture: it adds no warning that the whole capture lacks.
  for (const warning of parsed.warnings) expect(ref.full.warnings, `cut at ${cut}`).toContain(warning);
  // Every paper whose abstract line ended before the cut is kept, and no other.
  expect(papers.length, `cut at ${cut}`).toBe(kept);
  papers.slice(0, -1).forEach((paper, i) => expect(paper, `cut at ${cut}`).toEqual(ref.full.papers[i]));
  const last = papers.at(-1);
  if (last) checkLastPaper(ref, cut, last, papers.length - 1, parsed.truncated);
}

/** The last kept paper is whole in title and abstract; its meta fields are either whole or null. */
function checkLastPaper(ref: Reference, cut: number, paper: ParsedPaper, index: number, truncated: boolean): void {
  const whole = ref.full.papers[index] as ParsedPaper;
  const message = `cut at ${cut}`;
  expect(paper.title, message).toBe(whole.title);
  expect(paper.abstract, message).toBe(whole.abstract);
  expect([whole.authorCount, null], message).toContain(paper.authorCount);
  expect([whole.organization, null], message).toContain(paper.organization);
  const date = ref.dateLines[index];
  const cutInsideDateLine = date !== null && date !== undefined && cut > date[0] && cut < date[1];
  if (cutInsideDateLine) {
    // Known ambiguity: a cut date line that still parses ("Jun 4, 2025" of "Jun 4, 2025 2", "Jun 1"
    // of "Jun 14") cannot be told from a whole one, since whole captures end without a line break.
    return;
  }
  expect([whole.publishedOn, null], message).toContain(paper.publishedOn);
  expect([whole.upvotes, null], message).toContain(paper.upvotes);
  // Not truncated means nothing of the last entry was lost.
  if (!truncated) expect(paper, message).toEqual(whole);
}

describe('a capture cut anywhere', () => {
  const cutSeed = reference(seed(SEED_CUT));
  const wholeSeed = reference(seed(SEED_WHOLE));

  it('finds where each paper ends in the seeds (self-check of this test)', () => {
    expect(cutSeed.abstractEnds).toHaveLength(36);
    expect(cutSeed.abstractEnds.every((end, i) => i === 0 || end > (cutSeed.abstractEnds[i - 1] as number))).toBe(true);
    expect(cutSeed.dateLines.filter((d) => d !== null)).toHaveLength(35);
    const [start, end] = cutSeed.dateLines[9] as [number, number];
    expect(cutSeed.bytes.toString('utf8', start, end)).toBe('Jun 4, 2025 2');
  });

  it('keeps a prefix of whole papers when the second seed is cut at every 1,000th byte', () => {
    for (let cut = 0; cut <= cutSeed.bytes.length; cut += 1000) checkCut(cutSeed, cut);
  });

  it('does the same when the cut bytes were decoded to a string leniently', () => {
    for (let cut = 0; cut <= cutSeed.bytes.length; cut += 1000) checkCut(cutSeed, cut, true);
  });

  it('keeps a prefix of whole papers at 400 random cuts of each seed (fixed seed)', () => {
    for (const ref of [cutSeed, wholeSeed]) {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: ref.bytes.length }), fc.boolean(), (cut, asString) => {
          checkCut(ref, cut, asString);
        }),
        { seed: 20260610, numRuns: 400 },
      );
    }
  });

  it('survives a cut at every byte of the organization and upvote entries', () => {
    // Entries 5 (a "Berkeley UC Berkeley" byline) and 10 ("Jun 4, 2025 2") of the second seed,
    // from the end of the previous abstract to the start of the next title.
    for (const entry of [4, 9]) {
      const from = cutSeed.abstractEnds[entry - 1] as number;
      const to = (cutSeed.abstractEnds[entry] as number) + 40;
      for (let cut = from; cut <= to; cut++) checkCut(cutSeed, cut);
    }
  });

  it('survives a cut at every byte of the last entry of the whole seed', () => {
    const from = wholeSeed.abstractEnds[29] as number;
    for (let cut = from; cut <= wholeSeed.bytes.length; cut++) checkCut(wholeSeed, cut);
  });

  it('sets truncated when the cut drops an entry, and not when it ends after a whole one', () => {
    const bytes = cutSeed.bytes;
    const titleStart = bytes.indexOf('Broken Neural Scaling Laws');
    const midTitle = parseSnapshot(bytes.subarray(0, titleStart + 6), options);
    expect(midTitle.truncated).toBe(true);
    expect(midTitle.papers.at(-1)?.title).toBe('CMT-Benchmark: A Benchmark for Condensed Matter Theory Built by Expert Researchers');
    expect(midTitle.papers.at(-1)?.publishedOn).toBe('2025-10-06');

    const afterEntry = parseSnapshot(bytes.subarray(0, titleStart), options);
    expect(afterEntry.truncated).toBe(false);
    expect(afterEntry.papers).toHaveLength(midTitle.papers.length);
  });

  it('keeps the paper but not its cut meta fields', () => {
    const text = capture('Jun 10', [{ title: 'Whole' }, { title: 'Cut Meta', byline: '  • 12 authors', date: 'Jun 14, 2025 7' }]);
    const at = (marker: string) => text.slice(0, text.lastIndexOf(marker) + marker.length);
    const cases: Array<[string, Partial<ParsedPaper>, boolean]> = [
      ['Abstract of Cut Meta.\n', { authorCount: null, publishedOn: null }, true],
      ['• 1', { authorCount: null, publishedOn: null }, true],
      ['• 12 authors\n', { authorCount: 12, publishedOn: null }, true],
      ['·', { authorCount: 12, publishedOn: null }, true],
      ['Jun 14, 20', { authorCount: 12, publishedOn: null, upvotes: null }, true],
      ['Jun 14, 2025 7', { authorCount: 12, publishedOn: '2025-06-14', upvotes: 7 }, false],
    ];
    for (const [marker, fields, truncated] of cases) {
      const parsed = parseSnapshot(at(marker), options);
      expect(
        parsed.papers.map((p) => p.title),
        marker,
      ).toEqual(['Whole', 'Cut Meta']);
      expect(parsed.papers[1], marker).toMatchObject(fields);
      expect(parsed.truncated, marker).toBe(truncated);
      expect(parsed.warnings, marker).toEqual([]);
    }
  });

  it('drops an entry whose abstract is the last, unterminated line', () => {
    const text = capture('Jun 10', [{ title: 'Whole' }, { title: 'Cut', byline: null }]);
    const parsed = parseSnapshot(text, options);
    expect(parsed.papers.map((p) => p.title)).toEqual(['Whole']);
    expect(parsed.truncated).toBe(true);
  });

  it('drops an organization byline whose "·" was cut', () => {
    const text = capture('Jun 10', [{ title: 'Whole' }, { title: 'Org', byline: 'Berkeley UC Berkeley' }]);
    const cut = text.slice(0, text.lastIndexOf('·'));
    const parsed = parseSnapshot(cut, options);
    expect(parsed.papers[1]).toMatchObject({ title: 'Org', organization: null });
    expect(parsed.truncated).toBe(true);
    expect(parsed.warnings).toEqual([]);
    const withDot = parseSnapshot(text.slice(0, text.lastIndexOf('·') + 1), options);
    expect(withDot.papers[1]).toMatchObject({ organization: 'UC Berkeley', publishedOn: null });
  });

  it('ignores a cut in the middle of a multi-byte character at the very end', () => {
    const bytes = Buffer.from(capture('Jun 10', [{ title: 'Whole' }, { title: 'Café Paper' }]));
    const cut = bytes.subarray(0, bytes.indexOf('é Paper') + 1); // the first byte of "é"
    const parsed = parseSnapshot(cut, options);
    expect(parsed.papers.map((p) => p.title)).toEqual(['Whole']);
    expect(parsed.truncated).toBe(true);
  });
});
