// The simulated readers: hidden interests (arXiv categories they want), and topics typed the way
// such a reader would — each profile's topics share words with papers it does not want ("diffusion"
// in physics and in generative models, "scaling laws" of cities and of networks, "agents" of
// robots and of language models, "attention" in neuroscience and in transformers…).
export interface ReaderProfile {
  name: string;
  topics: string[];
  /** wanted when any of the paper's categories is one of these, or starts with one ending in "." */
  interests: string[];
}

export const PROFILES: ReaderProfile[] = [
  {
    name: 'generative models',
    topics: ['diffusion', 'scaling laws', 'reinforcement learning from human feedback'],
    interests: ['cs.LG', 'cs.CV', 'cs.AI', 'stat.ML'],
  },
  {
    name: 'soft matter',
    topics: ['diffusion', 'active matter', 'phase transition'],
    interests: ['cond-mat.soft', 'cond-mat.stat-mech', 'physics.bio-ph', 'physics.flu-dyn', 'cond-mat.dis-nn'],
  },
  { name: 'quantum information', topics: ['entanglement', 'error correction', 'variational'], interests: ['quant-ph'] },
  { name: 'computational biology', topics: ['protein', 'language model', 'single cell'], interests: ['q-bio.'] },
  { name: 'astrophysics', topics: ['neural network', 'black hole', 'transformer'], interests: ['astro-ph.', 'gr-qc'] },
  { name: 'robotics', topics: ['reinforcement learning', 'agents', 'control'], interests: ['cs.RO', 'eess.SY'] },
  { name: 'climate', topics: ['forecasting', 'turbulence', 'extreme events'], interests: ['physics.ao-ph', 'physics.flu-dyn', 'physics.geo-ph'] },
  { name: 'language models', topics: ['language models', 'reasoning', 'benchmark'], interests: ['cs.CL', 'cs.AI'] },
  {
    name: 'materials',
    topics: ['graph neural network', 'superconductivity', 'machine learning'],
    interests: ['cond-mat.mtrl-sci', 'cond-mat.supr-con', 'physics.chem-ph'],
  },
  { name: 'neuroscience', topics: ['neural', 'attention', 'memory'], interests: ['q-bio.NC'] },
];

export function wants(profile: ReaderProfile, categories: readonly string[]): boolean {
  return categories.some((c) => profile.interests.some((i) => (i.endsWith('.') ? c.startsWith(i) : c === i)));
}
