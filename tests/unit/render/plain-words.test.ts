// What a reader reads of their topics and of an abstract: plain words in the subject, the intro
// and the group headings; a TL;DR cut at a sentence or a word.
import { describe, expect, it } from 'vitest';
import { leadSentences } from '../../../src/render/shorten.ts';
import { clip, digestSubject } from '../../../src/render/subject.ts';
import { topicLabel } from '../../../src/render/topic-label.ts';

describe('topics in plain words', () => {
  it.each([
    ['"language model" -vision', 'language model'],
    ['quantum -gravity', 'quantum'],
    ['“quantum -gravity”', 'quantum -gravity'],
    ['inflationary OR cosmic', 'inflationary or cosmic'],
    ['scaling laws', 'scaling laws'],
    ['"self-supervised" learning -"video generation"', 'self-supervised learning'],
    ['GPT-4', 'GPT-4'],
  ])('%s → %s', (topic, label) => {
    expect(topicLabel(topic)).toBe(label);
  });

  it('a stored topic that no longer parses still reads without operators', () => {
    expect(topicLabel('"unbalanced quote -x')).toBe('unbalanced quote');
  });
});

describe('the subject', () => {
  it('says how many papers, on which topics, and the day', () => {
    expect(digestSubject(4, ['scaling laws', 'quantum'], '2025-06-10')).toBe('4 new papers on scaling laws and quantum — Jun 10');
    expect(digestSubject(3, ['language model', 'quantum', 'protein folding'], '2025-06-10')).toBe(
      '3 new papers on language model, quantum and 1 more topic — Jun 10',
    );
    expect(digestSubject(1, ['a'], '2025-06-10')).toBe('1 new paper on a — Jun 10');
  });

  it('shortens long topics, never the count or the date, under 80 characters', () => {
    const long = 'a very long topic about '.repeat(6).trim();
    for (const labels of [[long], [long, long], [long, 'short', 'third'], ['short', long]]) {
      const subject = digestSubject(12, labels, '2025-06-10');
      expect(subject.length).toBeLessThanOrEqual(78);
      expect(subject).toMatch(/^12 new papers on .+ — Jun 10$/);
    }
    expect(digestSubject(12, ['short', long], '2025-06-10')).toMatch(/^12 new papers on short and a very long topic .*… — Jun 10$/);
  });
});

describe('the TL;DR from the abstract', () => {
  const abstract =
    'We study scaling laws. They hold for e.g. transformers and i.e. most models. A third sentence follows here with much more text that would make it long.';

  it('the first sentence or two, whole, with the highlights inside it', () => {
    const lead = leadSentences(
      abstract,
      [
        [9, 21],
        [120, 130],
      ],
      60,
    );
    expect(lead.text).toBe('We study scaling laws. They hold for e.g. transformers and i.e. most models.'.slice(0, 22));
    expect(lead.ranges).toEqual([[9, 21]]);
    expect(leadSentences(abstract, [], 100).text).toBe('We study scaling laws. They hold for e.g. transformers and i.e. most models.');
  });

  it('one long sentence: cut at a word, with "…"', () => {
    const long = `${'word '.repeat(100)}end.`;
    const lead = leadSentences(
      long,
      [
        [0, 4],
        [480, 484],
      ],
      100,
    );
    expect(lead.text.length).toBeLessThanOrEqual(101);
    expect(lead.text).toMatch(/^word( word)*…$/);
    expect(lead.ranges).toEqual([[0, 4]]);
  });

  it('a short abstract without a sentence end is itself', () => {
    expect(leadSentences('Scaling laws for all', [[0, 7]]).text).toBe('Scaling laws for all');
  });
});

describe('a subject cut short', () => {
  it('cuts a topic after a whole word, never inside one', () => {
    const labels = ['multi-agent reinforcement learning from human feedback', 'large language model alignment', 'diffusion'];
    const subject = digestSubject(7, labels, '2025-06-10');
    expect(subject.length).toBeLessThanOrEqual(78);
    expect(subject).toMatch(/ and 1 more topic — Jun 10$/);
    // every word shown is a whole word of a topic (the last one of a cut topic before its "…")
    const words = new Set(labels.join(' ').split(/\s+/));
    const shown = subject.replace(/^7 new papers on /, '').replace(/ and 1 more topic — Jun 10$/, '');
    for (const word of shown.split(/[\s,…]+/).filter(Boolean)) expect(words, `"${word}" in ${subject}`).toContain(word);
    expect(subject).toContain('…');
  });

  it('clip keeps whole words, and cuts a single word too long for the room between code points', () => {
    expect(clip('reinforcement learning from human feedback', 20)).toBe('reinforcement…');
    expect(clip('scaling laws, quantum', 15)).toBe('scaling laws…');
    expect(clip('ab😀cdef', 4)).toBe('ab…');
  });
});
