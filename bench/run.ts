// npm run bench [-- name …] — runs the benchmarks, each in its own process (so peak RSS is its
// own), in order, and prints one JSON line per result. Names: parse ingest-large backfill match render
// dkim send send-statements web link-guard rest scale inbound relevance relevance-cost retention.
// The scale benchmark takes several minutes; BENCH_SUBSCRIBERS makes it smaller.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { buildDist } from './support/build-dist.ts';

const ALL = [
  'parse',
  'ingest-large',
  'backfill',
  'match',
  'render',
  'dkim',
  'send',
  'send-statements',
  'web',
  'link-guard',
  'rest',
  'scale',
  'inbound',
  'relevance',
  'relevance-cost',
  'retention',
];
const FILES: Record<string, string> = { web: 'web-load.ts' };
const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = chosen.filter((n) => !ALL.includes(n));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')} (known: ${ALL.join(', ')})`);
  process.exit(2);
}
// the benchmarks that start paperboy processes (scale, send, ingest-large, backfill, inbound) measure dist/
buildDist();
let failed = 0;
for (const name of chosen.length ? chosen : ALL) {
  const file = path.join(import.meta.dirname, FILES[name] ?? `${name}.ts`);
  process.stderr.write(`--- ${name}\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed++;
    process.stderr.write(`${name} failed (exit ${run.status})\n`);
  }
}
process.exit(failed ? 1 : 0);
