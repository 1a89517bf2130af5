// End to end at scale: 100,000 active subscribers with 1–3 topics each (drawn from the words of the
// seeds' titles, so a realistic share of them match), one new snapshot, then `paperboy serve`
// processes build the digest on their schedule and send it to a local SMTP sink. Measured: wall
// time from the start of the processes to the last message, messages per second, peak RSS per
// process, the embedded database's peak PSS (all its processes), database size, and exactly-once on
// the sink. On PostgreSQL with 1 and 2 processes, and on the embedded database with 1.
//   npm run bench -- scale            (BENCH_SUBSCRIBERS=20000 for a quicker look)
//   BENCH_SUBSCRIBERS=1000000 BENCH_BUILD_ONLY=1 BENCH_SCALE=postgres:1 npm run bench -- scale
//                                     (the build alone: the processes are stopped once the digest is ready)
// The processes run dist/, built first (npm run build), as `npm install && npm start` runs them.
// The digest is built in committed chunks (status building) and becomes ready at once: its build time
// is from its row's created_at to the moment it is seen ready, and the WAL it wrote is measured too.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ingestDeps } from '../src/app/deps.ts';
import type { AppContext } from '../src/app/context.ts';
import { ingestInputs } from '../src/ingest/ingest-inputs.ts';
import { trainReaderModels } from '../src/jobs/train-reader-models.ts';
import { parseSnapshot } from '../src/ingest/parse-snapshot.ts';
import { newNonce } from '../src/db/subscribers.ts';
import { buildDist } from './support/build-dist.ts';
import { benchContext, databaseSizeMb, freshBenchDatabase } from './support/bench-db.ts';
import { cpuSeconds, parentPid, serverCpuSeconds, watchCpu } from './support/cpu.ts';
import { watchPeakPss } from './support/memory.ts';
import { report, round } from './support/measure.ts';
import { startBenchSink, watchPeakRss } from './support/sink.ts';
import { rng, seededTopics } from './support/topics.ts';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const BUILD_ONLY = process.env.BENCH_BUILD_ONLY === '1';
/** the end-to-end time target (300 s) is set for 100,000 readers */
const TIMED = SUBSCRIBERS === 100_000;
/** the share of readers who gave feedback (issue 20: the build with 5% of readers having models) */
const MODEL_SHARE = 0.05;
const root = path.resolve(import.meta.dirname, '..');
const seeds = path.join(root, 'seeds');
const scenarios = (process.env.BENCH_SCALE ?? 'postgres:1,postgres:2,embedded:1').split(',').map((s) => {
  const [db, procs] = s.split(':');
  return { db: db as 'postgres' | 'embedded', procs: Number(procs) };
});

const titles = ['000_0b7782e3c814158f.txt', '001_92719ba14292193f.txt'].flatMap((f) =>
  parseSnapshot(readFileSync(path.join(seeds, f)), { now: new Date() }).papers.map((p) => p.title),
);
const pool = seededTopics(titles, SUBSCRIBERS * 3, 42);
/** the same subscribers in every scenario: 1–3 topics each, from a fixed seed */
const counts = (() => {
  const random = rng(9);
  return Array.from({ length: SUBSCRIBERS }, () => 1 + Math.floor(random() * 3));
})();
const topicsOf = (i: number) => pool.slice(i * 3, i * 3 + counts[i]!);

buildDist();

for (const scenario of scenarios) {
  const database = scenario.db === 'postgres' ? await freshBenchDatabase('scale') : null;
  const { ctx, env } = await benchContext({ DATABASE_URL: database?.url });
  const sink = await startBenchSink();
  const children: ChildProcess[] = [];
  try {
    await ingestInputs(ingestDeps(ctx), [path.join(seeds, '000_0b7782e3c814158f.txt')]);
    const inserting = performance.now();
    await insertSubscribers(ctx, SUBSCRIBERS);
    // as a live database would have them (autovacuum analyses a table that grew): without statistics
    // the planner took the keyset read of a million fresh rows for 13 rows and sorted the rest of the
    // table at every batch (bench/README.md, scale)
    await ctx.db.sql.query('ANALYZE subscriber');
    const insertMs = performance.now() - inserting;
    // MODEL_SHARE of the readers gave feedback on the first listing's papers and have a model (trained
    // here, so the build's own run of the job finds nothing new: what is measured is ranking with the
    // models, not training)
    const readersWithModels = await markPapers(ctx);
    await ingestInputs(ingestDeps(ctx), [path.join(seeds, '001_92719ba14292193f.txt')]);
    await trainReaderModels({ sql: ctx.db.sql, log: ctx.log, now: () => new Date() });

    const walBefore = await walLsn(ctx);
    // CPU and PostgreSQL's work from here: the bench's own backends (open now) are left out of the
    // database's backends; the server's figure is every process of it (other databases' too).
    const pg = await pgProbe(ctx, scenario.db === 'postgres');
    const usageBefore = await pg.usage();
    const started = performance.now();
    const childEnv = {
      ...process.env,
      ...env,
      SMTP_URL: sink.url,
      PORT: '0',
      HOST: '127.0.0.1',
      DIGEST_CRON: '* * * * * *',
      INGEST_CRON: '0 0 1 1 *',
      SNAPSHOT_SOURCE: path.join(seeds, '001_92719ba14292193f.txt'),
      SEND_CONCURRENCY: '8',
      LOG_LEVEL: 'warn',
      // e.g. BENCH_SERVE_NODE_OPTIONS=--max-old-space-size=192: for the serve processes only
      ...(process.env.BENCH_SERVE_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVE_NODE_OPTIONS } : {}),
    } as NodeJS.ProcessEnv;
    const peaks: Array<() => number> = [];
    for (let i = 0; i < scenario.procs; i++) {
      const child = spawn(process.execPath, [path.join(root, 'bin/paperboy.js'), 'serve'], {
        cwd: root,
        env: childEnv,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
      peaks.push(watchPeakRss(child.pid!));
    }

    // The embedded database: its postmaster and every backend and helper process under it.
    const clusterPeak = scenario.db === 'embedded' ? watchPeakPss(() => postmaster(env.DATA_DIR!)) : null;

    // The digest (seen ready: it is building until its last chunk), then every delivery at the sink.
    // While it builds: its progress (readers planned) every poll, for the curve of the build's rate.
    let digest: { id: number; deliveryCount: number; createdAt: Date } | null = null;
    const progress: Array<{ at: number; readers: number }> = [];
    while (!digest) {
      await new Promise((r) => setTimeout(r, 500));
      const row = await ctx.db.prisma.digest.findFirst({
        where: { status: { in: ['building', 'ready'] } },
        select: { id: true, status: true, deliveryCount: true, createdAt: true, buildReaders: true },
      });
      if (row?.status === 'building') progress.push({ at: Date.now() - row.createdAt.getTime(), readers: row.buildReaders });
      if (row?.status === 'ready') digest = row;
    }
    const builtMs = performance.now() - started;
    const usageBuilt = await pg.usage();
    const serveCpuBuilt = await Promise.all(children.map((c) => cpuSeconds(c.pid!)));
    // from the start of the build (the row's created_at, after the reader-model job) to the moment it is seen ready, ± the 500 ms poll
    const buildMs = Date.now() - digest.createdAt.getTime();
    const buildWalMb = await walMbSince(ctx, walBefore);
    const stats = BUILD_ONLY ? null : await sink.waitFor(digest.deliveryCount, 30 * 60_000);
    const wallMs = performance.now() - started;
    const serveCpuEnd = await Promise.all(children.map((c) => cpuSeconds(c.pid!)));
    await pg.backends.sample();
    const loadEnd = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
    // the backends' statistics reach pg_stat_* when they flush (at exit, or within a second)
    await new Promise((r) => setTimeout(r, 1500));
    const usageEnd = await pg.usage();
    pg.backends.stop();

    const sent = await ctx.db.prisma.delivery.count({ where: { status: 'sent' } });
    const perDigest = await ctx.db.sql.query<{ n: string; readers: string }>(
      'SELECT count(*) AS n, count(DISTINCT subscriber_id) AS readers FROM delivery WHERE digest_id = $1',
      [digest.id],
    );
    const common = {
      database: scenario.db,
      processes: scenario.procs,
      ...(process.env.BENCH_SERVE_NODE_OPTIONS ? { serveNodeOptions: process.env.BENCH_SERVE_NODE_OPTIONS } : {}),
      serveRuns: 'dist/ (built before the run)',
      subscribers: SUBSCRIBERS,
      readersWithModels,
      insertSubscribersMs: Math.round(insertMs),
      deliveries: digest.deliveryCount,
      deliveryRows: { rows: Number(perDigest.rows[0]!.n), readers: Number(perDigest.rows[0]!.readers) },
      digestBuiltAfterMs: Math.round(builtMs),
      digestBuildMs: Math.round(buildMs),
      buildWalMb,
      buildCurve: buildCurve(progress, SUBSCRIBERS),
      peakRssMbPerProcess: peaks.map((p) => p()),
    };
    if (!stats) {
      report('scale', {
        ...common,
        buildOnly: true,
        target: 'the digest built in under 180 s with a peak RSS < 300 MB per process',
        underTarget: buildMs < 180_000 && peaks.every((p) => p() < 300),
      });
      continue;
    }
    const sendCpu = (k: number) => (serveCpuEnd[k] ?? 0) - (serveCpuBuilt[k] ?? 0);
    const per1000 = (value: number, messages: number) => round((value / messages) * 1000, 3);
    report('scale', {
      ...common,
      loadAverageAtEnd: loadEnd,
      // the whole run (build + send), per 1,000 messages received by the sink
      perThousandMessages: phase(
        usageBefore,
        usageEnd,
        stats.count,
        serveCpuEnd.map((c) => c ?? 0),
      ),
      // the build alone (from `serve` start to ready: start-up and the reader-model job included), per 1,000 deliveries
      buildPerThousandDeliveries: phase(
        usageBefore,
        usageBuilt,
        digest.deliveryCount,
        serveCpuBuilt.map((c) => c ?? 0),
      ),
      // the send alone, per 1,000 messages
      sendPerThousandMessages: {
        ...phase(usageBuilt, usageEnd, stats.count, []),
        serveCpuSeconds: children.map((_, k) => per1000(sendCpu(k), stats.count)),
      },
      messagesPerServeCpuSecond: Math.round(stats.count / children.reduce((a, _, k) => a + (serveCpuEnd[k] ?? 0), 0)),
      wallMs: Math.round(wallMs),
      messagesPerSecond: Math.round((stats.count / wallMs) * 1000),
      sendMessagesPerSecond: Math.round((stats.count / stats.spanMs) * 1000),
      ...(clusterPeak ? { embeddedDatabasePeakPssMb: clusterPeak() } : {}),
      databaseMb: database ? await databaseSizeMb(ctx) : await folderMb(path.join(env.DATA_DIR!, 'postgres')),
      exactlyOnce: { received: stats.count, recipients: stats.recipients, duplicates: stats.duplicates, recordedSent: sent },
      // the time target is the 100,000-reader one; at other sizes (1,000,000: issue 23) the target is
      // exactly once within memory, with the time reported beside it
      target: `${TIMED ? '100,000 digests built and mailed in under 300 s; ' : ''}peak RSS < 300 MB per process; 0 duplicates, 0 lost`,
      underTarget:
        (!TIMED || wallMs < 300_000) &&
        peaks.every((p) => p() < 300) &&
        stats.duplicates === 0 &&
        stats.count === digest.deliveryCount &&
        stats.recipients === digest.deliveryCount,
      lost: digest.deliveryCount - stats.recipients,
      minutes: round(wallMs / 60_000),
    });
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await ctx.close();
    await sink.close();
    await database?.drop();
    await rm(env.DATA_DIR!, { recursive: true, force: true });
  }
}

interface Usage {
  /** CPU seconds of this database's backends (the bench's own left out) */
  backendsCpu: number;
  /** CPU seconds of every process of the PostgreSQL server (other databases' too) */
  serverCpu: number;
  xacts: number;
  inserted: number;
  updated: number;
  deleted: number;
  lsn: string;
}

/**
 * What PostgreSQL did for this database: its backends' CPU (sampled every 500 ms from /proc, the
 * bench's own backends excluded), the server's CPU, transactions (pg_stat_database), tuples written
 * (pg_stat_user_tables) and the WAL position. `local` false (the embedded server): no /proc figures.
 */
async function pgProbe(ctx: AppContext, local: boolean) {
  const q = async <T extends object>(text: string) => (await ctx.db.sql.query<T>(text)).rows[0]!;
  const own = (await ctx.db.sql.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows.map((r) => r.pid);
  const postmaster = local ? await parentPid((await q<{ pid: number }>('SELECT pg_backend_pid() AS pid')).pid).catch(() => 0) : 0;
  const backends = watchCpu(async () =>
    local
      ? (
          await ctx.db.sql.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND NOT (pid = ANY($1::int[]))', [own])
        ).rows.map((r) => r.pid)
      : [],
  );
  const usage = async (): Promise<Usage> => {
    await backends.sample();
    const db = await q<{ xacts: string }>('SELECT xact_commit + xact_rollback AS xacts FROM pg_stat_database WHERE datname = current_database()');
    const t = await q<{ ins: string; upd: string; del: string }>(
      'SELECT sum(n_tup_ins) AS ins, sum(n_tup_upd) AS upd, sum(n_tup_del) AS del FROM pg_stat_user_tables',
    );
    return {
      backendsCpu: backends.total(),
      serverCpu: postmaster ? await serverCpuSeconds(postmaster) : 0,
      xacts: Number(db.xacts),
      inserted: Number(t.ins),
      updated: Number(t.upd),
      deleted: Number(t.del),
      lsn: await walLsn(ctx),
    };
  };
  return { backends, usage };
}

/** A phase's figures per 1,000 messages (or deliveries). */
function phase(from: Usage, to: Usage, messages: number, serveCpu: number[]) {
  const k = (v: number) => round((v / messages) * 1000, 3);
  const walBytes = (() => {
    const lsn = (s: string) => {
      const [hi, lo] = s.split('/');
      return parseInt(hi!, 16) * 2 ** 32 + parseInt(lo!, 16);
    };
    return lsn(to.lsn) - lsn(from.lsn);
  })();
  return {
    messages,
    ...(serveCpu.length ? { serveCpuSeconds: serveCpu.map(k) } : {}),
    postgresBackendsCpuSeconds: k(to.backendsCpu - from.backendsCpu),
    postgresServerCpuSeconds: k(to.serverCpu - from.serverCpu),
    transactions: k(to.xacts - from.xacts),
    tuplesInserted: k(to.inserted - from.inserted),
    tuplesUpdated: k(to.updated - from.updated),
    tuplesDeleted: k(to.deleted - from.deleted),
    walMb: round((walBytes / messages / 1024 / 1024) * 1000, 2),
  };
}

/** The subscribers, 20,000 a statement (unnest: a million in a minute or two, where createMany took ten). */
async function insertSubscribers(ctx: AppContext, count: number): Promise<void> {
  for (let start = 0; start < count; start += 20_000) {
    const ids = Array.from({ length: Math.min(20_000, count - start) }, (_, k) => start + k);
    await ctx.db.sql.query(
      `INSERT INTO subscriber (email, email_key, topics, status, token_nonce, updated_at)
       SELECT e, e, ARRAY(SELECT jsonb_array_elements_text(t)), 'active'::"SubscriberStatus", n, now()
         FROM unnest($1::text[], $2::jsonb[], $3::text[]) AS u(e, t, n)`,
      [ids.map((i) => `reader${i}@example.org`), ids.map((i) => JSON.stringify(topicsOf(i))), ids.map(() => newNonce())],
    );
  }
}

async function walLsn(ctx: AppContext): Promise<string> {
  const { rows } = await ctx.db.sql.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  return rows[0]!.lsn;
}

/** WAL written by the whole cluster since `lsn` (other databases' too: the machine is shared). */
async function walMbSince(ctx: AppContext, lsn: string): Promise<number> {
  const { rows } = await ctx.db.sql.query<{ bytes: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn) AS bytes', [lsn]);
  return Math.round(Number(rows[0]!.bytes) / 1024 / 1024);
}

/** Every 1/MODEL_SHARE-th reader marks 6 stored papers, 4 "more like this" and 2 "not relevant" (fixed seed). */
async function markPapers(ctx: AppContext): Promise<number> {
  const { rows } = await ctx.db.sql.query<{ id: number }>('SELECT id FROM paper ORDER BY id');
  const { rows: readers } = await ctx.db.sql.query<{ id: number }>('SELECT id FROM subscriber ORDER BY id');
  const random = rng(20);
  const subs: number[] = [];
  const papers: number[] = [];
  const kinds: string[] = [];
  const marking = readers.filter((_, i) => i % Math.round(1 / MODEL_SHARE) === 0);
  for (const r of marking) {
    for (let k = 0; k < 6; k++) {
      subs.push(r.id);
      papers.push(rows[Math.floor(random() * rows.length)]!.id);
      kinds.push(k < 4 ? 'more_like_this' : 'not_relevant');
    }
  }
  await ctx.db.sql.query(
    `INSERT INTO feedback (subscriber_id, paper_id, kind, at) SELECT s, p, k::"FeedbackKind", now() FROM unnest($1::int[], $2::int[], ` +
      `$3::text[]) AS x(s, p, k)`,
    [subs, papers, kinds],
  );
  return marking.length;
}

async function postmaster(dataDir: string): Promise<number[]> {
  const pid = Number((await readFile(path.join(dataDir, 'postgres/postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
  return pid > 0 ? [pid] : [];
}

async function folderMb(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += (await stat(path.join(entry.parentPath ?? entry.path, entry.name))).size;
  }
  return Math.round(bytes / 1024 / 1024);
}

/**
 * The build's rate as it went: for each tenth of the subscribers, the first poll that saw it planned,
 * with the seconds since the build started and the readers a second since the previous tenth.
 */
function buildCurve(progress: ReadonlyArray<{ at: number; readers: number }>, subscribers: number): string[] {
  const out: string[] = [];
  let last = { at: 0, readers: 0 };
  for (let tenth = 1; tenth <= 10; tenth++) {
    const seen = progress.find((p) => p.readers >= (subscribers * tenth) / 10 - 1000);
    if (!seen || seen === last) continue;
    const rate = ((seen.readers - last.readers) / Math.max(1, seen.at - last.at)) * 1000;
    out.push(`${seen.readers} readers at ${round(seen.at / 1000)} s (${Math.round(rate)}/s)`);
    last = seen;
  }
  return out;
}
