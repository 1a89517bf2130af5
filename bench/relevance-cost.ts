// npm run bench -- relevance-cost — what relevance costs: the text model's size and the cost of
// counting a day's snapshot into it, and a day's training at 100,000 readers of whom 5% gave new
// feedback (the job the digest build calls first), on PostgreSQL (BENCH_PG), with real paper text.
import pg from 'pg';
import { countTextModel } from '../src/relevance/stored-text-model.ts';
import { migrate } from '../src/db/migrate.ts';
import { createLogger } from '../src/log/logger.ts';
import { trainReaderModels } from '../src/jobs/train-reader-models.ts';
import { addPapers, emptyTextModel, paperTerms, termBucket, inVocabulary, vocabularySize, DEFAULT_BUCKETS } from '../src/relevance/index.ts';
import { findCorpus, loadArxivCorpus, loadSeedPapers } from './relevance/corpus.ts';
import { freshBenchDatabase } from './support/bench-db.ts';
import { peakRssMb, report, round } from './support/measure.ts';

const READERS = Number(process.env.BENCH_READERS ?? 100_000);
const NEW_SHARE = 0.05;
const MARKS = 20; // a reader with new feedback has marked this many papers in all, on average
const TARGET = 'a day of training (100,000 readers, 5% with new feedback) < 60 s; every model ≤ 10 KB';

const file = findCorpus();
const corpus = [...loadSeedPapers(), ...(file ? loadArxivCorpus(file) : [])];
const log = createLogger({ level: 'warn' });

// The text model alone: size, vocabulary, hash collisions, and the pure cost of counting a day.
const history = corpus.slice(0, corpus.length - 60);
const day = corpus.slice(-60);
const model = emptyTextModel();
addPapers(model, history);
let started = performance.now();
addPapers(model, day);
const countDayMs = performance.now() - started;
const inVocab = new Map<number, Set<string>>();
for (const p of corpus)
  for (const term of paperTerms(p).keys()) {
    const b = termBucket(term, model.buckets);
    if (inVocabulary(model, b)) (inVocab.get(b) ?? inVocab.set(b, new Set()).get(b)!).add(term);
  }
const sharedBuckets = [...inVocab.values()].filter((s) => s.size > 1).length;

const { url, drop } = await freshBenchDatabase('relevance');
const pool = new pg.Pool({ connectionString: url, max: 8 });
try {
  await migrate({ connectionString: url }, log);
  // the stored papers
  const now = new Date();
  for (let i = 0; i < history.length; i += 1000) {
    const chunk = history.slice(i, i + 1000);
    await pool.query(
      `INSERT INTO paper (title_key, title, abstract, authors, first_seen_at, last_seen_at, updated_at)
       SELECT lower(t), t, a, '{}', $3, $3, $3 FROM unnest($1::text[], $2::text[]) AS x(t, a)`,
      [chunk.map((p) => p.title), chunk.map((p) => p.abstract), now],
    );
  }
  started = performance.now();
  await countTextModel(pool);
  const firstCountMs = performance.now() - started;
  await pool.query(
    `INSERT INTO paper (title_key, title, abstract, authors, first_seen_at, last_seen_at, updated_at)
     SELECT lower(t), t, a, '{}', $3, $3, $3 FROM unnest($1::text[], $2::text[]) AS x(t, a)`,
    [day.map((p) => p.title), day.map((p) => p.abstract), now],
  );
  started = performance.now();
  const dayCount = await countTextModel(pool);
  const dbCountDayMs = performance.now() - started;

  // 100,000 readers; 5% marked papers since their model was trained
  await pool.query(
    `INSERT INTO subscriber (email, email_key, topics, status, token_nonce, updated_at)
     SELECT 'r' || i || '@example.org', 'r' || i || '@example.org', ARRAY['diffusion'], 'active', 'n', now() FROM generate_series(1, $1) AS i`,
    [READERS],
  );
  const withNew = Math.round(READERS * NEW_SHARE);
  const { rows: papers } = await pool.query<{ id: number }>(`SELECT id FROM paper ORDER BY id`);
  const ids = papers.map((p) => p.id);
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 0x1_0000_0000;
  const subs: number[] = [];
  const paperIds: number[] = [];
  const kinds: string[] = [];
  for (let r = 0; r < withNew; r++) {
    const subscriber = 1 + Math.floor((r * READERS) / withNew);
    const marks = 5 + Math.floor(next() * (2 * MARKS - 10));
    for (let k = 0; k < marks; k++) {
      subs.push(subscriber);
      paperIds.push(ids[Math.floor(next() * ids.length)]!);
      kinds.push(next() < 0.6 ? 'more_like_this' : 'not_relevant');
    }
  }
  await pool.query(
    `INSERT INTO feedback (subscriber_id, paper_id, kind, at) SELECT s, p, k::"FeedbackKind", now() FROM unnest($1::int[], $2::int[], ` +
      `$3::text[]) AS x(s, p, k)`,
    [subs, paperIds, kinds],
  );
  const cpu = process.cpuUsage();
  started = performance.now();
  const run = await trainReaderModels({ sql: pool, log, now: () => new Date() });
  const trainMs = performance.now() - started;
  const cpuMs = (process.cpuUsage(cpu).user + process.cpuUsage(cpu).system) / 1000;
  started = performance.now();
  const idle = await trainReaderModels({ sql: pool, log, now: () => new Date() });
  const idleMs = performance.now() - started;
  const { rows: sizes } = await pool.query<{ max: number; avg: string; n: string }>(
    `SELECT max(bytes) AS max, avg(bytes) AS avg, count(model) AS n FROM reader_model`,
  );
  const met = trainMs < 60_000 && sizes[0]!.max <= 10_000;
  console.log(
    `text model: ${DEFAULT_BUCKETS} buckets = ${(DEFAULT_BUCKETS * 4) / 1024} KiB whatever is stored; ${model.documents} papers, ` +
      `vocabulary ${vocabularySize(model)} buckets, ${sharedBuckets} of them shared by two or more terms`,
  );
  console.log(
    `counting a day's ${day.length} papers: ${round(countDayMs, 1)} ms in memory; ${round(dbCountDayMs, 1)} ms on PostgreSQL (read, count, ` +
      `write 1 MiB); the first count of ${history.length} papers ${Math.round(firstCountMs)} ms`,
  );
  console.log(
    `training: ${run.readers} readers with new feedback (of ${READERS}), ${run.trained} models, in ${(trainMs / 1000).toFixed(1)} s ` +
      `(${Math.round(cpuMs)} ms CPU in this process); a run with nothing new ${Math.round(idleMs)} ms`,
  );
  console.log(`models: ${sizes[0]!.n}, ${Math.round(Number(sizes[0]!.avg))} bytes on average, ${sizes[0]!.max} at most`);
  console.log(`target: ${TARGET}: ${met ? 'met' : 'NOT met'}`);
  report('relevance-cost', {
    readers: READERS,
    readersWithNewFeedback: run.readers,
    trained: run.trained,
    trainMs: Math.round(trainMs),
    trainCpuMs: Math.round(cpuMs),
    idleRunMs: Math.round(idleMs),
    modelBytesMax: sizes[0]!.max,
    modelBytesMean: Math.round(Number(sizes[0]!.avg)),
    textModelBytes: DEFAULT_BUCKETS * 4,
    textModelPapers: dayCount.model.documents,
    vocabulary: vocabularySize(model),
    sharedBuckets,
    countDayMemoryMs: round(countDayMs, 1),
    countDayDatabaseMs: round(dbCountDayMs, 1),
    peakRssMb: peakRssMb(),
    target: TARGET,
    met,
    idleReaders: idle.readers,
  });
} finally {
  await pool.end();
  await drop();
}
