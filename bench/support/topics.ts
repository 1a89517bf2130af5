// Topics for benchmarks, drawn from the words of real titles with a fixed seed: single words,
// pairs, phrases, alternatives and exclusions, like readers write them.
/** The send benchmarks' readers' topics (send, send-statements): reader i has the (i mod 5)th. */
export const SEND_TOPICS = ['scaling laws', 'quantum -gravity', 'neural networks', '"recurrent neural" OR inflationary', 'benchmark OR phase'];

const STOP = new Set([
  'a',
  'an',
  'the',
  'of',
  'for',
  'in',
  'on',
  'and',
  'to',
  'with',
  'from',
  'by',
  'at',
  'is',
  'via',
  'as',
  'its',
  'into',
  'through',
  'between',
  'beyond',
]);

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seededTopics(titles: string[], count: number, seed: number): string[] {
  const random = rng(seed);
  const words = [...new Set(titles.flatMap((t) => t.toLowerCase().split(/[^\p{L}\p{N}]+/u)).filter((w) => w.length > 3 && !STOP.has(w)))];
  const pick = () => words[Math.floor(random() * words.length)]!;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = random();
    if (r < 0.4) out.push(pick());
    else if (r < 0.7) out.push(`${pick()} ${pick()}`);
    else if (r < 0.8) out.push(`"${pick()} ${pick()}"`);
    else if (r < 0.9) out.push(`${pick()} OR ${pick()}`);
    else out.push(`${pick()} -${pick()}`);
  }
  return out;
}
