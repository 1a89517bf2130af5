// Parse each seed many times: median milliseconds per parse.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSnapshot } from '../src/ingest/parse-snapshot.ts';
import { median, report, round } from './support/measure.ts';

const seeds = path.resolve(import.meta.dirname, '../seeds');
const now = new Date('2026-11-23T12:00:00Z');
for (const file of ['000_0b7782e3c814158f.txt', '001_92719ba14292193f.txt']) {
  const bytes = readFileSync(path.join(seeds, file));
  for (let i = 0; i < 20; i++) parseSnapshot(bytes, { now }); // warm up
  const times: number[] = [];
  let papers = 0;
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    papers = parseSnapshot(bytes, { now }).papers.length;
    times.push(performance.now() - t);
  }
  report('parse', {
    file,
    bytes: bytes.length,
    papers,
    runs: times.length,
    medianMs: round(median(times), 3),
    p95Ms: round(times.sort((a, b) => a - b)[Math.floor(times.length * 0.95)]!, 3),
  });
}
