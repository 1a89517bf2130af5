// Send 10,000 deliveries through paperboy (`paperboy send`, a real process, on PostgreSQL) to a
// local SMTP sink in another process, against a baseline in the same run: the same 10,000 messages,
// prebuilt, blasted with a bare pooled nodemailer transport at the same concurrency.
// Throughput is measured at the sink (first to last message), so process start-up is not counted
// for either; wall times are reported too. Targets (issue 23): paperboy ≥ 0.85 of the baseline without
// DKIM, ≥ 0.75 with it (BENCH_DKIM=1, both signing), RSS < 300 MB. The machine is shared: each process's CPU time per
// message is reported beside the rates, since it moves far less with the load than the rates do.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { digestDeps } from '../src/app/deps.ts';
import { composeOptions } from '../src/deliver/compose-message.ts';
import { buildDigest } from '../src/digest/build-digest.ts';
import { composeDigestMessage } from '../src/deliver/compose-message.ts';
import { renderDelivery } from '../src/deliver/digest-renderers.ts';
import { subscriberLinks } from '../src/deliver/links.ts';
import { deliveryPapers } from '../src/db/digests.ts';
import { ingestInputs } from '../src/ingest/ingest-inputs.ts';
import { ingestDeps } from '../src/app/deps.ts';
import { benchContext, freshBenchDatabase, insertSubscribers } from './support/bench-db.ts';
import { report, round } from './support/measure.ts';
import { startBenchSink, watchPeakRss } from './support/sink.ts';
import { SEND_TOPICS } from './support/topics.ts';
import { watchCpu as watchPids } from './support/cpu.ts';

const COUNT = Number(process.env.BENCH_DELIVERIES ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const root = path.resolve(import.meta.dirname, '..');

// BENCH_DKIM=1: paperboy signs every message with a 2048-bit DKIM key and sends it with its VERP
// return path and mailto unsubscribe (BOUNCE_DOMAIN); the baseline signs the same messages with the
// same key by nodemailer's own DKIM option (bare nodemailer with DKIM: the RSA signature costs both
// sides the same). BENCH_BASELINE_DKIM=0 leaves the baseline unsigned (the comparison before 2026-12-04).
const DKIM = process.env.BENCH_DKIM === '1';
const BASELINE_SIGNS = DKIM && process.env.BENCH_BASELINE_DKIM !== '0';
const DKIM_NOTE = DKIM ? ` (with DKIM, ${BASELINE_SIGNS ? 'both signing' : 'the baseline unsigned'})` : '';
const TARGET = DKIM ? 0.75 : 0.85;
// BENCH_NODE_ARGS: extra node flags for the `paperboy send` process only, e.g. to profile it:
// BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (NODE_OPTIONS refuses --cpu-prof).
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const keyFile = path.join(os.tmpdir(), `paperboy-bench-dkim-${process.pid}.pem`);
if (DKIM)
  await writeFile(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 });
const dkimEnv = DKIM
  ? { DKIM_DOMAIN: 'localhost.localdomain', DKIM_SELECTOR: 'bench', DKIM_PRIVATE_KEY_FILE: keyFile, BOUNCE_DOMAIN: 'bounce.localhost.localdomain' }
  : {};

const sink = await startBenchSink();
const database = await freshBenchDatabase('send');
const { ctx, env } = await benchContext({ DATABASE_URL: database.url, SMTP_URL: sink.url, SEND_CONCURRENCY: String(CONCURRENCY), ...dkimEnv });
try {
  await ingestInputs(ingestDeps(ctx), [path.join(root, 'seeds')]);
  await insertSubscribers(ctx, COUNT, (i) => [SEND_TOPICS[i % SEND_TOPICS.length]!]);
  const built = await buildDigest(digestDeps(ctx));
  if (built.kind !== 'built' || built.deliveries !== COUNT) throw new Error(`expected ${COUNT} deliveries, got ${JSON.stringify(built.kind)}`);

  // The baseline's messages: exactly what paperboy will send, rendered here beforehand.
  const prepared = await ctx.renderers.get(built.digest!.id);
  const rows = await ctx.db.prisma.delivery.findMany({ include: { subscriber: true }, orderBy: { id: 'asc' } });
  const messages = rows.map((d) => {
    const links = subscriberLinks(ctx.tokens, ctx.config.BASE_URL, d.subscriberId);
    const rendered = renderDelivery(prepared, d.subscriber.email, deliveryPapers(d.papers), links);
    return composeDigestMessage(composeOptions(ctx.config), { email: d.subscriber.email, messageId: `baseline-${d.id}@localhost` }, rendered, links);
  });
  const file = path.join(os.tmpdir(), `paperboy-bench-messages-${process.pid}.json`);
  await writeFile(file, JSON.stringify(messages.map((m) => ({ ...m, replyTo: undefined }))));

  // Baseline.
  const baselineDkim = BASELINE_SIGNS ? [dkimEnv.DKIM_DOMAIN!, dkimEnv.DKIM_SELECTOR!, keyFile] : [];
  const blast = [path.join(root, 'bench/support/baseline-blast.ts'), file, sink.url, String(CONCURRENCY), ...baselineDkim];
  const baselineRun = await run(process.execPath, ['--import', 'tsx', ...blast]);
  const baselineSink = await sink.stats();
  await sink.reset();
  await rm(file, { force: true });
  const baseline = JSON.parse(baselineRun.stdout.trim()) as { ms: number; failed: number; peakRssMb: number; cpuMs: number };

  // paperboy, and what PostgreSQL does for it: the CPU of this database's backends (the bench's own
  // connections left out; sampled every 100 ms from /proc, so a backend that exits loses under 100 ms of
  // it) and the transactions committed. The server is shared: other databases' work is not counted.
  const stats = async () =>
    (await ctx.db.sql.query<{ xacts: string }>('SELECT xact_commit + xact_rollback AS xacts FROM pg_stat_database WHERE datname = current_database()'))
      .rows[0]!;
  const own = (await ctx.db.sql.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows.map((r) => r.pid);
  const backends = watchPids(
    async () =>
      (
        await ctx.db.sql.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND NOT (pid = ANY($1::int[]))', [own])
      ).rows.map((r) => r.pid),
    100,
  );
  const xactsBefore = Number((await stats()).xacts);
  const paperboyRun = await run(process.execPath, [...NODE_ARGS, path.join(root, 'bin/paperboy.js'), 'send'], { ...process.env, ...env });
  backends.stop();
  const xacts = Number((await stats()).xacts) - xactsBefore;
  const paperboySink = await sink.stats();
  const sent = await ctx.db.prisma.delivery.count({ where: { status: 'sent' } });

  const rate = (s: { count: number; spanMs: number }) => Math.round((s.count / s.spanMs) * 1000);
  const ratio = round(rate(paperboySink) / rate(baselineSink));
  const exactlyOnce = paperboySink.count === COUNT && paperboySink.duplicates === 0 && sent === COUNT;
  report('send', {
    deliveries: COUNT,
    concurrency: CONCURRENCY,
    dkim: DKIM,
    baselineSigns: BASELINE_SIGNS,
    baseline: {
      messagesPerSecond: rate(baselineSink),
      wallMs: baseline.ms,
      failed: baseline.failed,
      peakRssMb: baseline.peakRssMb,
      cpuMsPerMessage: round(baseline.cpuMs / COUNT, 3),
      received: baselineSink.count,
    },
    paperboy: {
      messagesPerSecond: rate(paperboySink),
      wallMsWithStartup: paperboyRun.ms,
      exitCode: paperboyRun.code,
      peakRssMb: paperboyRun.peakRssMb,
      cpuMsPerMessage: round(paperboyRun.cpuMs / COUNT, 3),
      received: paperboySink.count,
      recipients: paperboySink.recipients,
      duplicates: paperboySink.duplicates,
      recordedSent: sent,
    },
    postgres: { cpuMsPerMessage: round((backends.total() * 1000) / COUNT, 3), transactionsPer1000: Math.round((xacts / COUNT) * 1000) },
    ratio,
    target: `ratio >= ${TARGET}${DKIM_NOTE}, paperboy peak RSS < 300 MB, every delivery exactly once`,
    met: ratio >= TARGET && paperboyRun.peakRssMb < 300 && exactlyOnce,
  });
} finally {
  await ctx.close();
  await database.drop();
  await sink.close();
  await rm(keyFile, { force: true });
}

async function run(cmd: string, args: string[], childEnv: NodeJS.ProcessEnv = process.env) {
  const started = performance.now();
  const child = spawn(cmd, args, { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const peak = watchPeakRss(child.pid!);
  const cpu = watchCpu(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) process.stderr.write(stderr);
  return { code, stdout, ms: Math.round(performance.now() - started), peakRssMb: peak(), cpuMs: cpu() };
}

/** A child's CPU time (user + system, from /proc/<pid>/stat, Linux) as last sampled before it exited; ms. */
function watchCpu(pid: number): () => number {
  const tick = 10; // ms per clock tick (USER_HZ 100)
  let last = 0;
  const read = () => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      last = (Number(fields[11]) + Number(fields[12])) * tick;
    } catch {
      /* gone */
    }
  };
  const timer = setInterval(read, 50);
  return () => {
    clearInterval(timer);
    return last;
  };
}
