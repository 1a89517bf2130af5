// The evaluation corpus: real titles and abstracts with their arXiv categories (bench/README.md
// "relevance" says where it comes from and under which licence), plus the seeds and the API samples
// (Hugging Face Daily Papers: machine learning; no categories, so they are stored papers that no
// simulated reader is judged on).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseSnapshot } from '../../src/ingest/parse-snapshot.ts';

export interface CorpusPaper {
  /** a local id (1…n) */
  id: number;
  arxivId: string | null;
  title: string;
  abstract: string;
  keywords: string[];
  /** arXiv categories (empty for the seeds: not judged) */
  categories: string[];
  published: string;
}

const ROOT = path.resolve(import.meta.dirname, '../..');
export const CORPUS_FILE = 'arxiv-2026.jsonl.gz';
/** Where the corpus is looked for, in order. */
export const CORPUS_PLACES = [
  process.env.RELEVANCE_CORPUS,
  path.join(ROOT, '../shared/corpus', CORPUS_FILE),
  path.join(ROOT, 'bench/corpus', CORPUS_FILE),
].filter((p): p is string => Boolean(p));

export function findCorpus(): string | null {
  return CORPUS_PLACES.find((p) => existsSync(p)) ?? null;
}

/** The categorised papers, oldest first. */
export function loadArxivCorpus(file: string): Omit<CorpusPaper, 'id'>[] {
  const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter(Boolean);
  return lines.map((line) => {
    const p = JSON.parse(line) as { id: string; title: string; abstract: string; categories: string[]; published: string };
    return { arxivId: p.id, title: p.title, abstract: p.abstract, keywords: [], categories: p.categories, published: p.published };
  });
}

/** The seeds (text captures) and the API samples of tests/fixtures/ingest, parsed as ingest does. */
export function loadSeedPapers(): Omit<CorpusPaper, 'id'>[] {
  const now = new Date('2026-11-30T12:00:00Z');
  const files = [
    ...readdirSync(path.join(ROOT, 'seeds')).map((f) => path.join(ROOT, 'seeds', f)),
    ...readdirSync(path.join(ROOT, 'tests/fixtures/ingest'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => path.join(ROOT, 'tests/fixtures/ingest', f)),
  ];
  const out: Omit<CorpusPaper, 'id'>[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    let parsed;
    try {
      parsed = parseSnapshot(readFileSync(file), { now });
    } catch {
      continue; // a fixture that is not a listing
    }
    for (const p of parsed.papers) {
      const key = p.arxivId ?? p.title.toLowerCase();
      if (seen.has(key) || !p.abstract) continue;
      seen.add(key);
      out.push({ arxivId: p.arxivId ?? null, title: p.title, abstract: p.abstract, keywords: p.aiKeywords ?? [], categories: [], published: '' });
    }
  }
  return out;
}
