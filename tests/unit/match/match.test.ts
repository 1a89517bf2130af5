import { describe, expect, it } from 'vitest';
import { compileTopic, indexPapers, matchTopic, matchTopics, mergeTopicHits, type MatchablePaper, type TopicHit } from '../../../src/match/index.ts';

let nextId = 1;
const paper = (title: string, abstract = ''): MatchablePaper => ({ id: nextId++, title, abstract });

/** The hit of `topic` on a one-paper snapshot, or null when it does not catch it. */
function hitOn(topic: string, title: string, abstract = ''): TopicHit | null {
  const p = paper(title, abstract);
  return matchTopic(compileTopic(topic), indexPapers([p])).get(p.id) ?? null;
}
const catches = (topic: string, title: string, abstract = ''): boolean => hitOn(topic, title, abstract) !== null;

/** The highlighted text of a hit, title ranges then abstract ranges. */
function highlighted(topic: string, title: string, abstract = ''): string[] {
  const hit = hitOn(topic, title, abstract);
  if (!hit) throw new Error(`${topic} does not catch ${title}`);
  return [...hit.title.map(([s, e]) => title.slice(s, e)), ...hit.abstract.map(([s, e]) => abstract.slice(s, e))];
}

describe('matching words', () => {
  it('stems both ways and ignores case', () => {
    expect(catches('scaling law', 'Scaling Laws for Everything')).toBe(true);
    expect(catches('SCALING LAWS', 'a scaling law')).toBe(true);
    expect(catches('models', 'Modeling the world')).toBe(true);
    expect(catches('law', 'lawyers')).toBe(false);
  });

  it('ANDs words across title and abstract', () => {
    expect(catches('scaling laws', 'Scaling up', 'power laws everywhere')).toBe(true);
    expect(catches('scaling laws', 'Scaling up', 'nothing else')).toBe(false);
  });

  it('keeps an apostrophe inside a word, as Snowball stems it', () => {
    expect(catches("model's", 'The models are here')).toBe(true);
    expect(catches('model', "The model's weights")).toBe(true);
    expect(catches("isn't", 'Attention Isn\u2019t All You Need')).toBe(true);
    expect(catches('isn', "It isn't")).toBe(false);
  });

  it('handles Unicode letters: accents folded, Greek kept', () => {
    expect(catches('Schrodinger', 'The Schrödinger equation')).toBe(true);
    expect(catches('schrödinger', 'The Schrodinger equation')).toBe(true);
    expect(catches('schrödinger', 'The Schro\u0308dinger equation (decomposed)')).toBe(true);
    expect(catches('ν', 'with d_R = (dν+ 2η)/(dν+ η)')).toBe(false); // "dν" is one word
    expect(catches('ν', 'where ν and η are exponents')).toBe(true);
    expect(catches('η', 'Ising (ν= 1, η= 1/4)')).toBe(true);
    expect(highlighted('ν', 'where ν and η are')).toEqual(['ν']);
  });

  it('ignores punctuation in a topic word', () => {
    expect(catches('LLMs,', 'Small LLMs are enough')).toBe(true);
    expect(catches('(transformers)', 'Transformers, again')).toBe(true);
  });

  it('matches numbers and words with digits', () => {
    expect(catches('GPT-4', 'What GPT-4 knows')).toBe(true);
    expect(catches('GPT-4', 'What GPT 4 knows')).toBe(true);
    expect(catches('GPT-4', 'What GPT-3 and 4 people know')).toBe(false);
    expect(catches('3D', 'Reconstructing 3D scenes')).toBe(true);
    expect(catches('3D', 'Reconstructing 3 D scenes')).toBe(false);
  });

  it('makes every word count, stop words included (no stop list)', () => {
    expect(catches('theory of mind', 'A theory of mind')).toBe(true);
    expect(catches('theory of mind', 'Theory and mind')).toBe(false);
    expect(catches('"theory of the mind"', 'A theory of mind')).toBe(false);
    expect(catches('"theory of the mind"', 'A theory of the mind')).toBe(true);
  });
});

describe('phrases', () => {
  it('need their words consecutive and in order', () => {
    expect(catches('"recurrent neural"', 'nonlinear recurrent neural networks')).toBe(true);
    expect(catches('"recurrent neural"', 'neural recurrent networks')).toBe(false);
    expect(catches('"recurrent neural"', 'recurrent deep neural networks')).toBe(false);
    expect(catches('"recurrent neural"', 'Recurrent, neural!')).toBe(true);
  });

  it('never match across the title/abstract boundary', () => {
    expect(catches('"scaling laws"', 'Beyond scaling', 'laws of physics')).toBe(false);
    expect(catches('scaling laws', 'Beyond scaling', 'laws of physics')).toBe(true);
  });

  it('are written with hyphens too, either way round', () => {
    expect(catches('self-supervised', 'Self-Supervised Learning')).toBe(true);
    expect(catches('self-supervised', 'self supervised learning')).toBe(true);
    expect(catches('"self supervised"', 'self-supervised learning')).toBe(true);
    expect(catches('self-supervised', 'supervised self learning')).toBe(false);
    expect(catches('scaling-laws', 'Neural Scaling Laws')).toBe(true);
    expect(highlighted('self-supervised', 'Self-Supervised Learning')).toEqual(['Self-Supervised']);
  });

  it('work as alternatives of OR', () => {
    expect(catches('"x ray" OR tomography', 'X-ray imaging')).toBe(true);
    expect(catches('"x ray" OR tomography', 'Tomography')).toBe(true);
    expect(catches('"x ray" OR tomography', 'ray x')).toBe(false);
    expect(catches('imaging "x ray" OR tomography', 'X-ray')).toBe(false);
  });
});

describe('OR and exclusions', () => {
  it('OR binds tighter than AND', () => {
    const topic = 'diffusion image OR video model';
    expect(catches(topic, 'Diffusion video models')).toBe(true);
    expect(catches(topic, 'Diffusion image models')).toBe(true);
    expect(catches(topic, 'Diffusion models')).toBe(false);
    expect(catches(topic, 'image video models')).toBe(false);
  });

  it('an excluded word or phrase anywhere drops the paper', () => {
    expect(catches('diffusion -video', 'Diffusion models', 'for video generation')).toBe(false);
    expect(catches('diffusion -video', 'Diffusion models', 'for images')).toBe(true);
    expect(catches('diffusion -"image editing"', 'Diffusion for image editing')).toBe(false);
    expect(catches('diffusion -"image editing"', 'Diffusion editing of an image')).toBe(true);
    expect(catches('learning -self-supervised', 'Self-supervised learning')).toBe(false);
    expect(catches('diffusion -videos', 'Diffusion for Video')).toBe(false); // stemmed like any word
  });

  it('highlights matched words, never excluded ones, and every occurrence', () => {
    const title = 'Scaling laws: a law of scaling';
    expect(highlighted('scaling laws -video', title)).toEqual(['Scaling', 'laws', 'law', 'scaling']);
    const hit = hitOn('law OR physics', 'Laws and physics');
    expect(hit?.words).toEqual(['Laws', 'physics']);
  });
});

describe('hits', () => {
  it('give exact ranges into the original text', () => {
    const title = '  Über-Scaling «Laws» of GPT-4!';
    const abstract = 'We study scaling\nlaws, laws, LAWS.';
    const hit = hitOn('scaling laws "gpt 4"', title, abstract);
    expect(hit?.title.map(([s, e]) => title.slice(s, e))).toEqual(['Scaling', 'Laws', 'GPT-4']);
    expect(hit?.abstract.map(([s, e]) => abstract.slice(s, e))).toEqual(['scaling', 'laws', 'laws', 'LAWS']);
    expect(hit?.words).toEqual(['Scaling', 'Laws', 'GPT-4']);
  });

  it('merge overlapping ranges of a word and a phrase containing it', () => {
    const title = 'Neural scaling laws';
    expect(highlighted('scaling "scaling laws"', title)).toEqual(['scaling laws']);
    expect(hitOn('scaling "scaling laws"', title)?.words).toEqual(['scaling laws', 'scaling']);
  });

  it('highlight a phrase of the maximum 20 words as one range', () => {
    const text = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ');
    expect(highlighted(`"${text}"`, `Before ${text} after`)).toEqual([text]);
  });

  it('collapse whitespace of a phrase in `words`', () => {
    expect(hitOn('"scaling laws"', 'x', 'scaling \n laws')?.words).toEqual(['scaling laws']);
  });

  it('score a title hit above any abstract-only hit', () => {
    const inTitle = hitOn('scaling', 'Scaling', '');
    const inAbstract = hitOn('scaling', 'Other', `${'scaling '.repeat(2000)}`);
    expect(inTitle!.score).toBeGreaterThan(inAbstract!.score);
    const allInTitle = hitOn('scaling laws', 'Scaling laws', '');
    const halfInTitle = hitOn('scaling laws', 'Scaling', 'laws');
    expect(allInTitle!.score).toBeGreaterThan(halfInTitle!.score);
  });
});

describe('matchTopics', () => {
  const papers = [
    paper('A survey', 'about scaling laws and diffusion'),
    paper('Diffusion models', 'for images'),
    paper('Scaling laws', 'of diffusion models'),
    paper('Unrelated', 'nothing to see'),
    paper('Also a survey', 'about scaling laws'),
  ];
  const index = indexPapers(papers);
  const topics = ['scaling laws', 'diffusion', 'scaling laws'].map(compileTopic);

  it('lists each caught paper once, by score, ties in index order, with every topic that caught it', () => {
    const matches = matchTopics(topics, index);
    expect(matches.map((m) => m.paperId)).toEqual([papers[2]!.id, papers[1]!.id, papers[0]!.id, papers[4]!.id]);
    const third = matches.find((m) => m.paperId === papers[2]!.id);
    expect(third?.hits.map((h) => h.topic)).toEqual(['scaling laws', 'diffusion']);
    expect(third?.score).toBe(third?.hits[0]?.score);
    for (const m of matches) expect(m.hits.map((h) => h.score)).toEqual([...m.hits.map((h) => h.score)].sort((a, b) => b - a));
  });

  it('gives the same answer from cached per-topic results', () => {
    const cached = topics.map((t) => matchTopic(t, index));
    expect(mergeTopicHits(cached, index)).toEqual(matchTopics(topics, index));
  });

  it('returns nothing for no topics or no papers', () => {
    expect(matchTopics([], index)).toEqual([]);
    expect(matchTopics(topics, indexPapers([]))).toEqual([]);
  });

  it('compiles once and matches many snapshots', () => {
    const topic = compileTopic('diffusion');
    expect(matchTopic(topic, index).size).toBe(3);
    expect(matchTopic(topic, indexPapers([paper('Diffusion')])).size).toBe(1);
  });
});
