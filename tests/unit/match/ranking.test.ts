// Ranking with proximity (src/match/README.md "Ranking"): the topic's phrase in the title, then in
// the abstract, then its words near one another (title, then abstract), then scattered. One score,
// the same from matchTopic (hits, for the email and the live preview) and scoreTopic (digest plans).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileTopic, indexPapers, matchTopic, scoreTopic, type MatchablePaper, type TopicHit } from '../../../src/match/index.ts';

let nextId = 1;
function hitOn(topic: string, title: string, abstract = ''): TopicHit {
  const p: MatchablePaper = { id: nextId++, title, abstract };
  const hit = matchTopic(compileTopic(topic), indexPapers([p])).get(p.id);
  if (!hit) throw new Error(`${topic} does not catch ${title}`);
  return hit;
}
const filler = (n: number): string => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');

describe('closeness and field', () => {
  it('names how close and where, with the closest occurrence as written', () => {
    const phraseTitle = hitOn('scaling laws', 'Neural Scaling Laws', 'no');
    expect(phraseTitle).toMatchObject({ closeness: 'phrase', field: 'title' });
    expect('Neural Scaling Laws'.slice(...phraseTitle.closest!)).toBe('Scaling Laws');
    const near = hitOn('scaling laws', 'Other', 'we find power law scalings here');
    expect(near).toMatchObject({ closeness: 'near', field: 'abstract' });
    expect('we find power law scalings here'.slice(...near.closest!)).toBe('law scalings');
    expect(hitOn('scaling laws', 'Scaling', `laws ${filler(20)}`)).toMatchObject({ closeness: 'scattered', field: 'title', closest: null });
  });

  it('orders the tiers: phrase title > phrase abstract > near title > near abstract > scattered', () => {
    const scores = [
      hitOn('scaling laws', 'Scaling laws', ''),
      hitOn('scaling laws', 'Other', 'scaling laws'),
      hitOn('scaling laws', 'Laws of scaling', ''),
      hitOn('scaling laws', 'Other', 'laws of the scaling'),
      hitOn('scaling laws', 'Scaling', `${filler(30)} laws`),
      hitOn('scaling laws', 'Other', `scaling ${filler(30)} laws`),
    ].map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(new Set(scores).size).toBe(scores.length);
  });

  it('more occurrences rank higher within a tier, never across tiers', () => {
    const many = hitOn('scaling', 'Other', 'scaling '.repeat(3000));
    const once = hitOn('scaling', 'Scaling', '');
    expect(once.score).toBeGreaterThan(many.score);
    expect(hitOn('scaling', 'Other', 'scaling scaling').score).toBeGreaterThan(hitOn('scaling', 'Other', 'scaling').score);
  });

  it('at most five other words between them is near; six is scattered', () => {
    expect(hitOn('scaling laws', 'Other', `scaling ${filler(5)} laws`).closeness).toBe('near');
    expect(hitOn('scaling laws', 'Other', `scaling ${filler(6)} laws`).closeness).toBe('scattered');
  });

  it('a phrase of the topic counts in the topic order; OR alternatives and quoted phrases too', () => {
    expect(hitOn('language model', 'Other', 'model language').closeness).toBe('near');
    expect(hitOn('"language model" scaling', 'Other', 'language model scaling').closeness).toBe('phrase');
    expect(hitOn('inflationary OR cosmic', 'Cosmic inflation').closeness).toBe('phrase');
    expect(hitOn('deep OR shallow networks', 'Other', 'shallow networks')).toMatchObject({ closeness: 'phrase', field: 'abstract' });
  });

  it('scoreTopic gives the same scores as matchTopic', () => {
    const papers: MatchablePaper[] = [
      { id: 1, title: 'Scaling laws', abstract: '' },
      { id: 2, title: 'Other', abstract: 'laws of scaling' },
      { id: 3, title: 'Scaling', abstract: `${filler(30)} laws laws` },
      { id: 4, title: 'Other', abstract: 'nothing here' },
    ];
    const index = indexPapers(papers);
    for (const topic of ['scaling laws', 'scaling OR laws', '"scaling laws"', 'scaling -other']) {
      const compiled = compileTopic(topic);
      expect(new Map([...matchTopic(compiled, index)].map(([id, h]) => [id, h.score]))).toEqual(new Map(scoreTopic(compiled, index)));
    }
  });
});

describe('the seeds: words 76 apart', () => {
  const seed = readFileSync(new URL('../../../seeds/001_92719ba14292193f.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  const titleAt = seed.findIndex((l) => l.startsWith('A mechanism to generate varying speed of light'));
  const light: MatchablePaper = { id: 1, title: seed[titleAt]!, abstract: seed.slice(titleAt + 1).find((l) => l.length > 200)! };

  it('still catches "A mechanism to generate varying speed of light…", below every closer match', () => {
    const hit = hitOn('scaling laws', light.title, light.abstract);
    expect(hit.closeness).toBe('scattered');
    const words = light.abstract.split(/\s+/);
    const apart = words.findIndex((w) => /^laws?\b/i.test(w)) - words.findIndex((w) => /^scal/i.test(w));
    expect(Math.abs(apart)).toBeGreaterThan(50);
    for (const closer of [
      hitOn('scaling laws', 'Other', 'scaling laws'),
      hitOn('scaling laws', 'Other', `scaling ${filler(5)} laws`),
      hitOn('scaling laws', 'Other', 'we find power law scalings here'),
    ]) {
      expect(closer.score).toBeGreaterThan(hit.score);
    }
  });
});
