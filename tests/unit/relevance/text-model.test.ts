// The text model: document frequencies over hashed buckets, TF-IDF vectors, storage bytes.
import { describe, expect, it } from 'vitest';
import {
  addPapers,
  cosine,
  decodeDf,
  emptyTextModel,
  encodeDf,
  inVocabulary,
  paperTerms,
  termBucket,
  vectorize,
  vocabularySize,
} from '../../../src/relevance/index.ts';
import { ML, PHYSICS, textModelOf } from './papers.ts';

describe('text model', () => {
  it('hashes a term to the same bucket in every process (FNV-1a)', () => {
    expect(termBucket('diffus model', 1 << 18)).toBe(termBucket('diffus model', 1 << 18));
    expect(termBucket('a', 0x1_0000_0000)).toBe(0xe40c292c); // FNV-1a("a"), the published test vector
  });

  it('counts each paper once per bucket, and the papers', () => {
    const model = emptyTextModel(1 << 16);
    addPapers(model, [
      { title: 'Diffusion diffusion diffusion', abstract: 'diffusion' },
      { title: 'Diffusion', abstract: 'heat' },
    ]);
    expect(model.documents).toBe(2);
    expect(model.df[termBucket('diffus', model.buckets)]).toBe(2);
    expect(model.df[termBucket('heat', model.buckets)]).toBe(1);
  });

  it('leaves out terms below the document-frequency floor and above half of the papers', () => {
    const model = emptyTextModel(1 << 16);
    addPapers(model, [
      { title: 'Diffusion models', abstract: 'rare' },
      { title: 'Diffusion particles', abstract: 'x' },
      { title: 'Diffusion models', abstract: 'x' },
      { title: 'Heat', abstract: 'x' },
    ]);
    expect(inVocabulary(model, termBucket('rare', model.buckets))).toBe(false); // one paper
    expect(inVocabulary(model, termBucket('model', model.buckets))).toBe(true); // two of four
    expect(inVocabulary(model, termBucket('diffus', model.buckets))).toBe(false); // three of four
    const v = vectorize(model, { title: 'Diffusion models', abstract: 'rare' });
    expect([...v.idx]).toEqual([termBucket('model', model.buckets), termBucket('diffus model', model.buckets)].sort((a, b) => a - b));
  });

  it('gives unit vectors with sublinear tf, so a paper is most like itself and like papers of its sense', () => {
    const model = textModelOf();
    const [a, b] = [vectorize(model, ML[0]!), vectorize(model, ML[1]!)];
    const physics = vectorize(model, PHYSICS[0]!);
    expect(cosine(a, a)).toBeCloseTo(1, 5);
    expect(cosine(a, b)).toBeGreaterThan(cosine(a, physics));
    // sublinear: ten times a word weighs 1 + ln 10 times once, not ten times
    const small = emptyTextModel(1 << 16);
    addPapers(small, [
      { title: 'heat', abstract: 'flow' },
      { title: 'heat', abstract: 'flow' },
      { title: 'x1', abstract: '' },
      { title: 'x2', abstract: '' },
    ]);
    const weight = (abstract: string, term: string) => {
      const v = vectorize(small, { title: '', abstract });
      return v.val[[...v.idx].indexOf(termBucket(term, small.buckets))]!;
    };
    expect(weight('heat flow', 'heat') / weight('heat flow', 'flow')).toBeCloseTo(1, 5);
    expect(weight(`${'heat '.repeat(10)}flow`, 'heat') / weight(`${'heat '.repeat(10)}flow`, 'flow')).toBeCloseTo(1 + Math.log(10), 4);
  });

  it('stores the counts as bytes and reads them back', () => {
    const model = textModelOf();
    const bytes = encodeDf(model);
    expect(bytes.length).toBe(model.buckets * 4);
    expect(Buffer.from(decodeDf(bytes, model.buckets).buffer).equals(Buffer.from(model.df.buffer))).toBe(true);
    expect(bytes.readInt32LE(termBucket('diffus', model.buckets) * 4)).toBe(model.df[termBucket('diffus', model.buckets)]); // little-endian, as stored
    expect(() => decodeDf(bytes.subarray(4), model.buckets)).toThrow(/bytes of counts/);
  });

  it('stays the same size whatever it counts', () => {
    const model = emptyTextModel(1 << 12);
    for (let i = 0; i < 50; i++) addPapers(model, [{ title: `Paper ${i} about topic${i}`, abstract: `word${i} word${i + 1} ${paperTerms(ML[i % 4]!).size}` }]);
    expect(model.df.length).toBe(1 << 12);
    expect(vocabularySize(model)).toBeGreaterThan(0);
  });
});
