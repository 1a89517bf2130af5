// "like:<arXiv id>" topics: the forms a reader pastes, and the papers that resemble the named one.
import { describe, expect, it } from 'vitest';
import { likeScore, likeTopicTarget, LIKE_MIN_SIMILARITY, papersLike, vectorize } from '../../../src/relevance/index.ts';
import { ML, PHYSICS, textModelOf } from './papers.ts';

describe('like: topics', () => {
  it('reads the forms a reader pastes', () => {
    expect(likeTopicTarget('like:2407.13168')).toBe('2407.13168');
    expect(likeTopicTarget('  LIKE: 2407.13168v2 ')).toBe('2407.13168');
    expect(likeTopicTarget('https://huggingface.co/papers/2407.13168')).toBe('2407.13168');
    expect(likeTopicTarget('https://arxiv.org/abs/2407.13168v3')).toBe('2407.13168');
    expect(likeTopicTarget('https://arxiv.org/pdf/2407.13168v3.pdf')).toBe('2407.13168');
    expect(likeTopicTarget('like:https://arxiv.org/abs/hep-th/9901001')).toBe('hep-th/9901001');
    expect(likeTopicTarget('diffusion models')).toBeNull();
    expect(likeTopicTarget('like:not-an-id')).toBeNull();
    expect(likeTopicTarget('like diffusion')).toBeNull();
    expect(likeTopicTarget('https://example.com/papers/2407.13168')).toBeNull();
  });

  it('catches the papers that resemble the named one, most similar first, never the paper itself', () => {
    const model = textModelOf();
    const target = { paperId: 1, vector: vectorize(model, ML[0]!) };
    const papers = [...ML, ...PHYSICS].map((p, i) => ({ paperId: i + 1, vector: vectorize(model, p) }));
    const hits = papersLike(target, papers);
    expect(hits.map((h) => h.paperId)).not.toContain(1);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.paperId <= ML.length)).toBe(true); // the ML papers, not the physics ones
    expect(hits.every((h, i) => i === 0 || hits[i - 1]!.similarity >= h.similarity)).toBe(true);
  });

  it('ranks a like-hit between "near in the abstract" and "phrase in the abstract"', () => {
    expect(likeScore(LIKE_MIN_SIMILARITY)).toBe(2000);
    expect(likeScore(1)).toBe(4000);
    expect(likeScore(0.6)).toBeGreaterThan(2000);
    expect(likeScore(0.6)).toBeLessThan(4000);
  });
});
