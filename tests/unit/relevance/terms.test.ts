// The terms the text model reads: stems of the words that carry meaning, their bigrams, the title twice.
import { describe, expect, it } from 'vitest';
import { contentStems, paperTerms, surfaceForms } from '../../../src/relevance/index.ts';

describe('terms', () => {
  it('keeps stems of the words that carry meaning: no stop words, numbers or single letters', () => {
    expect(contentStems('The Diffusion of 3 particles in a crowded cell')).toEqual(['diffus', 'particl', 'crowd', 'cell']);
    expect(contentStems('GPT-4 and Schrödinger’s models')).toEqual(['gpt', 'schroding', 'model']);
  });

  it('counts the title twice, the abstract and each keyword once, with bigrams across left-out words', () => {
    const terms = paperTerms({ title: 'Diffusion Models', abstract: 'Diffusion of images.', keywords: ['image generation'] });
    expect(terms.get('diffus')).toBe(3);
    expect(terms.get('diffus model')).toBe(2);
    expect(terms.get('diffus imag')).toBe(1); // "diffusion of images": "of" left out, as scikit-learn does
    expect(terms.get('imag generat')).toBe(1);
    expect(terms.has('of')).toBe(false);
  });

  it('remembers how each term is written, for explanations', () => {
    const surface = surfaceForms({ title: 'Diffusion Models for Video', abstract: 'Latent diffusion models.' });
    expect(surface.get('diffus model')).toBe('diffusion models');
    expect(surface.get('video')).toBe('video');
    expect(surface.get('model video')).toBe('models video');
  });
});
