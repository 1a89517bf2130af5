// Small builders for the relevance tests: papers of two senses of "diffusion", and a few others.
import { addPapers, emptyTextModel, paperFeatures, type PaperText, type TextModel } from '../../../src/relevance/index.ts';

export const ML: PaperText[] = [
  {
    title: 'Denoising Diffusion Models for Image Generation',
    abstract: 'We train a diffusion model with a transformer backbone to generate images from text prompts, improving sample quality over GAN baselines.',
  },
  {
    title: 'Faster Sampling for Latent Diffusion Models',
    abstract: 'A distillation method reduces the sampling steps of latent diffusion models for text-to-image generation while keeping image quality.',
  },
  {
    title: 'Video Diffusion Transformers at Scale',
    abstract: 'We scale diffusion transformers to video generation and study how image quality and motion depend on model size and training data.',
  },
  {
    title: 'Guidance Without Classifiers in Diffusion Generative Models',
    abstract: 'Classifier-free guidance trades diversity for fidelity in diffusion generative models; we analyse the trade-off for image synthesis.',
  },
];

export const PHYSICS: PaperText[] = [
  {
    title: 'Anomalous Diffusion of Tracer Particles in Crowded Cytoplasm',
    abstract:
      'Single-particle tracking shows subdiffusive motion of tracer particles in the crowded cytoplasm of living cells, with a mean squared ' +
      'displacement exponent below one.',
  },
  {
    title: 'Diffusion of Colloids Near a Wall',
    abstract: 'We measure the hindered diffusion of colloidal particles near a solid wall and compare the mean squared displacement with hydrodynamic theory.',
  },
  {
    title: 'Heat Diffusion in Layered Crystals',
    abstract: 'Phonon transport and heat diffusion in layered crystals are measured with thermoreflectance; the thermal conductivity is anisotropic.',
  },
  {
    title: 'Rotational Diffusion of Active Particles',
    abstract:
      'Active Brownian particles show enhanced rotational diffusion; we derive the mean squared displacement of self-propelled particles in a harmonic trap.',
  },
];

export const OTHER: PaperText[] = [
  {
    title: 'Scaling Laws of Urban Heat Islands',
    abstract: 'City size predicts the intensity of urban heat islands through a power law across hundreds of cities worldwide.',
  },
  {
    title: 'Reward Models for Reinforcement Learning from Human Feedback',
    abstract: 'We study reward model overoptimisation when language models are fine-tuned with reinforcement learning from human feedback.',
  },
  {
    title: 'Entanglement Witnesses for Many-Body States',
    abstract: 'We construct entanglement witnesses for quantum many-body states from two-point correlations measured in cold atom experiments.',
  },
  {
    title: 'Protein Structure Prediction with Language Models',
    abstract: 'Protein language models predict structure from single sequences; we evaluate them against multiple sequence alignment methods.',
  },
];

/** A text model over every builder paper (twice, so their words pass the document-frequency floor). */
export function textModelOf(papers: readonly PaperText[] = [...ML, ...PHYSICS, ...OTHER]): TextModel {
  const model = emptyTextModel(1 << 16);
  addPapers(model, [...papers, ...papers]);
  return model;
}

export function features(model: TextModel, papers: readonly PaperText[], firstId: number, surface = false) {
  return papers.map((p, i) => paperFeatures(model, firstId + i, p, { surface }));
}
