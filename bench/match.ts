// 100,000 subscribers × 3 topics against the 10 new papers of the second seed, in one process, the
// way a digest build does it (TopicMatcher: each distinct topic compiled and matched once).
// Topics are drawn from words of the seeds' titles, so a realistic share of them catch something.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { newPaperKeys } from '../src/model/new-papers.ts';
import { TopicMatcher } from '../src/digest/topic-matcher.ts';
import { planDelivery } from '../src/digest/plan-deliveries.ts';
import { titleKey } from '../src/ingest/paper-identity.ts';
import { parseSnapshot } from '../src/ingest/parse-snapshot.ts';
import { peakRssMb, report, round } from './support/measure.ts';
import { seededTopics } from './support/topics.ts';

const seeds = path.resolve(import.meta.dirname, '../seeds');
const now = new Date('2026-11-23T12:00:00Z');
const first = parseSnapshot(readFileSync(path.join(seeds, '000_0b7782e3c814158f.txt')), { now });
const second = parseSnapshot(readFileSync(path.join(seeds, '001_92719ba14292193f.txt')), { now });
const fresh = new Set(
  newPaperKeys(
    second.papers.map((p) => titleKey(p.title)),
    first.papers.map((p) => titleKey(p.title)),
  ),
);
const papers = second.papers.filter((p) => fresh.has(titleKey(p.title))).map((p, id) => ({ id, title: p.title, abstract: p.abstract }));

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
// Through JSON, as they would come from the database: flat strings, not the ropes concatenation builds.
const topics = JSON.parse(
  JSON.stringify(
    seededTopics(
      [...first.papers, ...second.papers].map((p) => p.title),
      SUBSCRIBERS * 3,
      42,
    ),
  ),
) as string[];
const subscribers = Array.from({ length: SUBSCRIBERS }, (_, i) => ({ id: i + 1, topics: topics.slice(i * 3, i * 3 + 3) }));

const started = performance.now();
const cpuBefore = process.cpuUsage();
const matcher = new TopicMatcher(papers);
let deliveries = 0;
let paperHits = 0;
for (const s of subscribers) {
  const plan = planDelivery(matcher, s, undefined);
  if (plan) {
    deliveries++;
    paperHits += plan.papers.length;
  }
}
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
report('match', {
  newPapers: papers.length,
  subscribers: SUBSCRIBERS,
  topicsPerSubscriber: 3,
  distinctTopics: new Set(topics).size,
  subscribersCaught: deliveries,
  papersPerDelivery: round(paperHits / Math.max(deliveries, 1)),
  ms: Math.round(ms),
  cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  peakRssMb: peakRssMb(),
  target: 'under 1000 ms, peak RSS under 300 MB',
});
