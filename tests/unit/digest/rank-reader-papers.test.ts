// The ranking wiring: one reader's papers from what their topics catch, their reader model and their
// `like:` topics — what the digest mails, the preview and the feeds show (rank-reader-papers.ts).
import { describe, expect, it } from 'vitest';
import { rankReaderPapers, MAX_PAPERS_PER_EMAIL, type ReaderRelevance } from '../../../src/digest/rank-reader-papers.ts';
import { TopicMatcher } from '../../../src/digest/topic-matcher.ts';
import { trainReaderModel, vectorize, type PaperText, type SparseVector } from '../../../src/relevance/index.ts';
import { features, ML, OTHER, PHYSICS, textModelOf } from '../relevance/papers.ts';

/** a paper of the ML sense that never says "diffusion": only a model can bring it */
const UNCAUGHT: PaperText = {
  title: 'Text-to-Image Generation with Transformers',
  abstract: 'We train a transformer to generate images from text prompts and improve sample quality and image quality over GAN baselines.',
};
const papers = [
  // the physics sense first in the listing, with fewer upvotes: topics alone put them first
  ...PHYSICS.map((p, i) => ({ id: 101 + i, ...p, upvotes: 5 })),
  ...ML.map((p, i) => ({ id: 1 + i, ...p, upvotes: 5 })),
  ...OTHER.map((p, i) => ({ id: 201 + i, ...p, upvotes: 5 })),
  { id: 9, ...UNCAUGHT, upvotes: 40 },
];
const textModel = textModelOf([...ML, ...PHYSICS, ...OTHER, UNCAUGHT]);
const vectors = new Map<number, SparseVector>(papers.map((p) => [p.id, vectorize(textModel, p)]));
const titles = new Map(papers.map((p) => [p.id, p.title]));
const model = trainReaderModel(textModel, {
  liked: features(textModel, ML.slice(0, 2), 1, true),
  disliked: features(textModel, PHYSICS.slice(0, 2), 101, true),
  weakNegatives: features(textModel, OTHER, 201),
})!;
const matcher = new TopicMatcher(papers);

function relevance(over: Partial<ReaderRelevance> = {}): ReaderRelevance {
  return { model, likes: new Map(), papers, vectorOf: (id) => vectors.get(id), titleOf: (id) => titles.get(id), ...over };
}

describe("a reader's papers", () => {
  it('without a model or like: topics: the topics alone, in their order, nothing set aside or suggested', () => {
    const plain = rankReaderPapers(matcher, ['diffusion'], undefined);
    expect(plain.map((p) => p.paperId)).toEqual(matcher.scorePapers(['diffusion']).map((p) => p.paperId));
    expect(plain.every((p) => p.section === undefined && p.relevance === undefined && p.resembles === undefined)).toBe(true);
    expect(rankReaderPapers(matcher, ['diffusion'], undefined, relevance({ model: null }))).toEqual(plain);
  });

  it('upvotes break ties of equal match score, for every reader', () => {
    const tied = new TopicMatcher([
      { id: 1, title: 'Scaling laws for routers', abstract: 'x', upvotes: 45 },
      { id: 2, title: 'Scaling laws for adapters', abstract: 'x', upvotes: 212 },
    ]);
    expect(rankReaderPapers(tied, ['scaling laws'], undefined).map((p) => p.paperId)).toEqual([2, 1]);
  });

  it('with a model: the wanted sense first, the other set aside at the end (never dropped), a paper no topic caught suggested with its reason', () => {
    const ranked = rankReaderPapers(matcher, ['diffusion'], undefined, relevance());
    const main = ranked.filter((p) => !p.section);
    const aside = ranked.filter((p) => p.section === 'not-for-you');
    const suggested = ranked.filter((p) => p.section === 'also-like');
    expect(
      main
        .slice(0, 4)
        .map((p) => p.paperId)
        .sort(),
    ).toEqual([1, 2, 3, 4]);
    expect(new Set([...main, ...aside].map((p) => p.paperId))).toEqual(new Set([1, 2, 3, 4, 101, 102, 103, 104])); // all caught ones
    expect(aside.length).toBeGreaterThan(0);
    expect(aside.every((p) => p.paperId > 100)).toBe(true);
    expect(ranked.indexOf(aside[0]!)).toBe(main.length); // after every kept paper
    expect(suggested.map((p) => p.paperId)).toEqual([9]);
    expect(suggested[0]!.topics).toEqual([]);
    expect([1, 2]).toContain(suggested[0]!.resembles!.paperId);
    expect(suggested[0]!.resembles!.title).toBe(titles.get(suggested[0]!.resembles!.paperId));
    expect(ranked.every((p) => typeof p.relevance === 'number')).toBe(true);
  });

  it('never suggests a paper already mailed, and suggestions alone make no delivery', () => {
    const ranked = rankReaderPapers(matcher, ['diffusion'], new Set([9]), relevance());
    expect(ranked.some((p) => p.section === 'also-like')).toBe(false);
    expect(rankReaderPapers(matcher, ['quasicrystal'], undefined, relevance())).toEqual([]);
  });

  it('never suggests a paper the reader liked (it would resemble itself): a preview or a feed may list it', () => {
    expect(model.liked.length).toBeGreaterThan(0);
    // a line that catches none of the ML sense: the liked papers are on the list, caught by nothing
    const ranked = rankReaderPapers(matcher, ['displacement'], undefined, relevance());
    const suggested = ranked.filter((p) => p.section === 'also-like').map((p) => p.paperId);
    expect(suggested.length).toBeGreaterThan(0);
    expect(suggested.filter((id) => model.liked.includes(id))).toEqual([]);
  });

  it('counts all three parts in the cap of one email', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({
      id: 1000 + i,
      title: `Diffusion models for images, part ${i}`,
      abstract: ML[i % 4]!.abstract,
      upvotes: i,
    }));
    const all = [...many, { id: 9, ...UNCAUGHT, upvotes: 40 }];
    for (const p of many) vectors.set(p.id, vectorize(textModel, p));
    const ranked = rankReaderPapers(new TopicMatcher(all), ['diffusion'], undefined, relevance({ papers: all }));
    expect(ranked).toHaveLength(MAX_PAPERS_PER_EMAIL);
    expect(ranked.filter((p) => p.section === 'also-like')).toHaveLength(1);
  });

  it('a like: topic catches the papers resembling the one it names, with it as the reason; a paper not stored catches nothing', () => {
    const line = 'like:2406.00001';
    const target = { paperId: 1, title: ML[0]!.title, vector: vectors.get(1)! };
    const ranked = rankReaderPapers(matcher, [line], undefined, relevance({ model: null, likes: new Map([[line, target]]) }));
    expect(ranked.length).toBeGreaterThan(0);
    expect(ranked.map((p) => p.paperId)).not.toContain(1); // never its own paper
    expect(ranked[0]!.paperId).toBeLessThan(100); // the ML sense, not the physics one
    expect(ranked.every((p) => p.topics[0] === line && p.resembles?.paperId === 1 && p.resembles.title === ML[0]!.title)).toBe(true);
    expect(rankReaderPapers(matcher, [line], undefined, relevance({ model: null, likes: new Map([[line, null]]) }))).toEqual([]);
    // without the relevance inputs the line is never read as the words "like", "2406", "00001"
    expect(rankReaderPapers(new TopicMatcher([{ id: 1, title: 'Papers like 2406 00001', abstract: 'like' }]), [line], undefined)).toEqual([]);
  });
});
