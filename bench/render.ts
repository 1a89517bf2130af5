// Render + fill 10,000 digests of 5–10 papers each: emails per second, and proof that mjml ran
// once per template (mjmlCompilations) however many recipients were filled.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { prepareDigest, renderDelivery } from '../src/deliver/digest-renderers.ts';
import { parseSnapshot } from '../src/ingest/parse-snapshot.ts';
import { mjmlCompilations } from '../src/render/index.ts';
import { titleKey } from '../src/ingest/paper-identity.ts';
import { peakRssMb, report, round } from './support/measure.ts';
import { rng, seededTopics } from './support/topics.ts';
import type { Paper } from '../src/model/paper.ts';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 10_000);
const now = new Date('2026-11-23T12:00:00Z');
const seed = parseSnapshot(readFileSync(path.resolve(import.meta.dirname, '../seeds/001_92719ba14292193f.txt')), { now });
// with the daily papers API's details, as about a third of recent papers have them: an arXiv id
// (the Paper · arXiv · PDF links) on all, a TL;DR on a third, code and comments on a quarter
const papers: Paper[] = seed.papers.map((p, i) => ({
  ...p,
  id: i + 1,
  titleKey: titleKey(p.title),
  firstSeenAt: now,
  lastSeenAt: now,
  arxivId: `2406.${String(10_000 + i).padStart(5, '0')}`,
  aiSummary: i % 3 === 0 ? `${p.title}: what it finds, in one sentence of the length the API writes.` : null,
  githubRepo: i % 4 === 0 ? `https://github.com/example/paper-${i}` : null,
  githubStars: i % 4 === 0 ? 100 * i : null,
  comments: i % 4 === 1 ? i : null,
}));
const snapshot = {
  id: 1,
  source: 'bench',
  capturedAt: seed.capturedAt,
  contentHash: 'x',
  format: 'text' as const,
  entryCount: papers.length,
  ingestedAt: now,
  history: false,
};

const t0 = performance.now();
const prepared = await prepareDigest(1, snapshot, papers, { baseUrl: 'https://papers.example.org', productName: 'paperboy' });
const compileMs = performance.now() - t0;

// Each recipient: 5–10 papers, each caught by one of a few topics built from its own title words.
const random = rng(7);
const topicsOf = new Map(papers.map((p) => [p.id, seededTopics([p.title], 4, p.id).filter((t) => prepared.matcher.topicScores(t)?.has(p.id))]));
const recipients = Array.from({ length: RECIPIENTS }, (_, i) => {
  const count = 5 + Math.floor(random() * 6);
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(papers[Math.floor(random() * papers.length)]!.id);
  return {
    email: `reader${i}@example.org`,
    papers: [...chosen].map((paperId) => ({ paperId, topics: (topicsOf.get(paperId) ?? []).slice(0, 1 + (i % 2)) })).filter((p) => p.topics.length > 0),
  };
});

const links = { preferencesUrl: 'https://papers.example.org/preferences?token=p.x', unsubscribeUrl: 'https://papers.example.org/unsubscribe?token=u.x' };
// the footer's reader links as the sender gives them; the feedback page's also goes under every paper
const reader = [
  { label: 'View in your browser', url: 'https://papers.example.org/archive/1?token=a.x' },
  { label: 'Which papers fit?', url: 'https://papers.example.org/feedback/1?token=f.x', perPaper: true },
  { label: 'Your archive', url: 'https://papers.example.org/archive?token=a.x' },
];
const started = performance.now();
let bytes = 0;
for (const r of recipients) {
  const email = renderDelivery(prepared, r.email, r.papers, links, reader);
  bytes += email.html.length + email.text.length;
}
const ms = performance.now() - started;
report('render', {
  recipients: RECIPIENTS,
  papersPerEmail: round(recipients.reduce((n, r) => n + r.papers.length, 0) / RECIPIENTS),
  compileMs: Math.round(compileMs),
  ms: Math.round(ms),
  emailsPerSecond: Math.round((RECIPIENTS / ms) * 1000),
  avgKb: round(bytes / RECIPIENTS / 1024, 1),
  mjmlRunsForDigest: mjmlCompilations('digest'),
  peakRssMb: peakRssMb(),
});
