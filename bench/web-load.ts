// Load on the reader's pages from a second process on loopback: `GET /` and the live preview
// (`GET /api/preview`) with the seeds ingested (the newest snapshot loaded), and the reader's space
// (an archive page of 10 digests, a reader's Atom feed, the public feed) after 30 more daily listings
// were digested and their deliveries recorded sent; autocannon for 10 s with 50 connections each run.
// Target: preview, archive and feed p99 under 50 ms at 500 requests/s.
//
//   npx tsx bench/web-load.ts                      # embedded database in a temporary DATA_DIR
//   DATABASE_URL=postgres://… npx tsx bench/web-load.ts
//   BENCH_SECONDS=5 npx tsx bench/web-load.ts      # shorter runs
//   BENCH_WEB=reader npx tsx bench/web-load.ts     # only the reader's space (archive, feeds)
//
// The app runs in a CHILD process (this file with --serve), so the load generator and the server
// do not share an event loop. The child raises the pages' rate limits (600 previews/min per client
// address by default) out of the way: all load comes from one address here. Prints JSON.
//
// About "at 500 requests/s": autocannon's overallRate is not a steady rate. Each connection sends
// its share (500/50 = 10) back to back at the start of every second, then waits; so the server sees
// 50 concurrent requests for the first part of each second and nothing after. And its coordinated-
// omission correction assumes one request every ceil(1/rate) = 1 ms, which adds a synthetic sample
// for every millisecond of each response's latency. Both runs are reported as asked (with and
// without that correction), plus a PACED run: 500 requests/s evenly spaced (one every 2 ms) over
// 50 keep-alive connections, each latency measured from the moment its request was due (so a
// stalled server is charged for the requests it delayed). The paced run is the target's measure.
import '../src/cli/memory.ts'; // the V8 settings `paperboy serve` runs with
import { fork, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopEmbedded } from '../src/db/embedded/admin.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SEEDS = [path.join(ROOT, 'seeds/000_0b7782e3c814158f.txt'), path.join(ROOT, 'seeds/001_92719ba14292193f.txt')];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;
const RATE = 500;
const TARGET_P99_MS = 50;

/** The child: a context on its own DATA_DIR (or DATABASE_URL), the seeds ingested, the web app on loopback. */
async function serve(): Promise<void> {
  const [{ createContext }, { loadConfig }, { createLogger }, { ingestInputs }, { ingestDeps }, { createWebApp }, { pagesRouter }] = await Promise.all([
    import('../src/app/context.ts'),
    import('../src/config/config.ts'),
    import('../src/log/logger.ts'),
    import('../src/ingest/ingest-inputs.ts'),
    import('../src/app/deps.ts'),
    import('../src/web/app.ts'),
    import('../src/web/pages/router.ts'),
  ]);
  const config = loadConfig({ env: { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL, LOG_LEVEL: 'warn' }, cwd: ROOT });
  const ctx = await createContext(config, createLogger({ level: 'warn' }));
  const outcomes = await ingestInputs(ingestDeps(ctx), SEEDS);
  const rejected = outcomes.find((o) => o.kind === 'rejected');
  if (rejected) throw new Error(`seed rejected: ${JSON.stringify(rejected)}`);
  const reader = await readerSpace(ctx);
  const unlimited = { limit: 1_000_000_000, windowMs: 60_000 };
  const pages = pagesRouter(ctx, { rateLimits: { preview: unlimited, subscribePerIp: unlimited, subscribePerAddress: unlimited } });
  const server = createWebApp(ctx, { pages }).listen(0, '127.0.0.1', () => {
    process.send!({ port: (server.address() as AddressInfo).port, reader });
  });
  const stop = () => server.close(() => void ctx.close().then(() => process.exit(0)));
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
}

/**
 * The reader's space under load: 30 daily listings of 40 papers each (a few on the readers' topics),
 * each digested for 200 readers and its deliveries recorded sent (no SMTP here), then one reader's
 * archive and feed URLs.
 */
async function readerSpace(ctx: import('../src/app/context.ts').AppContext): Promise<ReaderPaths> {
  const [{ writeFile }, { ingestInputs }, { ingestDeps, digestDeps }, { buildDigest }, { insertSubscriber }] = await Promise.all([
    import('node:fs/promises'),
    import('../src/ingest/ingest-inputs.ts'),
    import('../src/app/deps.ts'),
    import('../src/digest/build-digest.ts'),
    import('../src/db/subscribers.ts'),
  ]);
  const prisma = ctx.db.prisma;
  const topics = [['scaling laws', 'language model'], ['diffusion -video'], ['quantum OR entanglement', 'reinforcement learning']];
  for (let i = 0; i < 200; i++) await insertSubscriber(prisma, { email: `reader${i}@example.org`, topics: topics[i % topics.length]! });
  const subjects = [
    'Scaling Laws for',
    'Diffusion Models of',
    'Quantum Entanglement in',
    'Reinforcement Learning with',
    'Language Models and',
    'Sparse Mixtures of',
  ];
  for (let day = 0; day < 30; day++) {
    const date = new Date(Date.UTC(2026, 9, 1 + day));
    const iso = date.toISOString();
    const items = Array.from({ length: 40 }, (_, n) => ({
      paper: {
        id: `2610.${String(day * 100 + n).padStart(5, '0')}`,
        title: `${subjects[(day + n) % subjects.length]} Things ${day}-${n}`,
        summary: `An abstract about ${subjects[(day + n) % subjects.length]!.toLowerCase()} things, day ${day}, paper ${n}. `.repeat(8),
        authors: [{ name: 'A. Author' }],
        upvotes: n,
        publishedAt: iso,
      },
      publishedAt: iso,
    }));
    const file = path.join(process.env.DATA_DIR ?? os.tmpdir(), `bench-listing-${day}.json`);
    await writeFile(file, JSON.stringify(items));
    await ingestInputs(ingestDeps(ctx), [file]);
    await buildDigest({ ...digestDeps(ctx), beforeBuild: undefined, relevance: undefined, now: () => new Date(date.getTime() + 8 * 3600_000) });
  }
  await prisma.$executeRaw`UPDATE delivery SET status = 'sent', sent_at = now()`;
  const ids = (await prisma.subscriber.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((s) => s.id);
  return {
    archives: ids.map((id) => `/archive?token=${ctx.tokens.sign({ purpose: 'archive', subscriberId: id })}`),
    feeds: ids.map((id) => `/feeds/mine.atom?token=${ctx.tokens.sign({ purpose: 'feed', subscriberId: id })}`),
    publicFeed: '/feeds/new-papers.atom',
  };
}

/** every reader's archive and feed (the load goes round them), and the public feed */
interface ReaderPaths {
  archives: string[];
  feeds: string[];
  publicFeed: string;
}

interface Histogram {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
interface AutocannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  setupRequest?: (request: { path: string }) => { path: string };
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  overallRate?: number;
  ignoreCoordinatedOmission?: boolean;
  requests?: AutocannonRequest[];
}) => Promise<AutocannonResult>;

// autocannon ships no types; it is a dev dependency used only here
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

interface Run {
  name: string;
  /** autocannon, or the paced constant-rate generator below */
  tool: 'autocannon' | 'paced';
  path: string;
  overallRate: number | null;
  requestsPerSecond: number;
  requests: number;
  latencyMs: { average: number; p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-web-load-'));
  await chmod(dataDir, 0o755); // as root, the embedded server runs as the user postgres
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
    execArgv: ['--import', 'tsx'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    process.stderr.write('starting the app (seeds ingested) in a child process…\n');
    const { port, reader } = await portOf(child);
    const url = `http://127.0.0.1:${port}`;
    const fixed = '/api/preview?topics=scaling%20laws%0Aquantum%20-gravity';
    const varied = variedPaths(5000);
    // warm-up, not reported: the first preview loads the snapshot, and the JIT settles
    await fetch(`${url}${fixed}`);
    await autocannon({
      url,
      connections: 10,
      duration: 3,
      requests: [
        { method: 'GET', path: fixed },
        { method: 'GET', path: '/' },
      ],
    });
    const runs: Run[] = [];
    if (process.env.BENCH_WEB !== 'reader') await previewRuns(runs, url, fixed, varied);
    // the reader's space: 200 readers' archives (10 digests a page) and feeds, round robin, and the public feed
    const rotate = (paths: string[]) => {
      let n = 0;
      return () => paths[n++ % paths.length]!;
    };
    const etags = new Map<string, string>();
    // first renders, not reported
    for (const p of [...reader.archives, ...reader.feeds, reader.publicFeed]) etags.set(p, (await fetch(`${url}${p}`)).headers.get('etag') ?? '');
    runs.push(await paced(`archive page, ${reader.archives.length} readers, paced ${RATE}/s`, url, '/archive?token=<reader>', rotate(reader.archives)));
    runs.push(await paced(`reader's Atom feed, ${reader.feeds.length} readers, paced ${RATE}/s`, url, '/feeds/mine.atom?token=<reader>', rotate(reader.feeds)));
    runs.push(
      await paced(
        `reader's Atom feed, ${reader.feeds.length} readers asking again with If-None-Match (304), paced ${RATE}/s`,
        url,
        '/feeds/mine.atom?token=<reader>',
        rotate(reader.feeds),
        (p) => ({ 'If-None-Match': etags.get(p) ?? '' }),
        304,
      ),
    );
    runs.push(await paced(`public Atom feed, paced ${RATE}/s`, url, reader.publicFeed, () => reader.publicFeed));

    const atRate = runs.filter((r) => r.tool === 'paced' && r.path !== '/');
    // (a run answered 304 counts its non-304 answers in non2xx)
    const snapshot = (await (await fetch(`${url}${fixed}`)).json()) as { snapshot: unknown };
    console.log(
      JSON.stringify(
        {
          command: process.env.DATABASE_URL ? 'DATABASE_URL=… npx tsx bench/web-load.ts' : 'npx tsx bench/web-load.ts',
          database: process.env.DATABASE_URL ? 'postgresql' : 'embedded PostgreSQL',
          machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
          seconds: SECONDS,
          connections: CONNECTIONS,
          snapshot: snapshot.snapshot,
          target: {
            previewArchiveFeedP99Ms: TARGET_P99_MS,
            atRequestsPerSecond: RATE,
            met: atRate.every((r) => r.latencyMs.p99 < TARGET_P99_MS && r.non2xx === 0 && r.errors === 0),
          },
          runs,
        },
        null,
        2,
      ),
    );
  } finally {
    child.disconnect();
    await new Promise((resolve) => child.once('exit', resolve));
    await stopEmbedded(dataDir, { force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function previewRuns(runs: Run[], url: string, fixed: string, varied: string[]): Promise<void> {
  runs.push(await run('GET / (unthrottled)', url, { path: '/' }, null));
  runs.push(await paced(`GET /, paced ${RATE}/s`, url, '/', () => '/'));
  runs.push(await paced(`preview, fixed topics, paced ${RATE}/s`, url, fixed, () => fixed));
  runs.push(await run(`preview, fixed topics, autocannon overallRate ${RATE}`, url, { path: fixed }, RATE));
  runs.push(await run(`preview, fixed topics, autocannon overallRate ${RATE}, raw latencies`, url, { path: fixed }, RATE, true));
  runs.push(await run('preview, fixed topics (unthrottled)', url, { path: fixed }, null));
  let next = 0;
  const nextVaried = () => varied[next++ % varied.length]!;
  runs.push(await paced(`preview, ${varied.length} varied topic sets, paced ${RATE}/s`, url, '/api/preview?topics=<varied>', nextVaried));
  const pick = { path: varied[0]!, setupRequest: (r: { path: string }) => ({ ...r, path: nextVaried() }) };
  runs.push(await run(`preview, ${varied.length} varied topic sets, autocannon overallRate ${RATE}`, url, pick, RATE));
  runs.push(await run(`preview, ${varied.length} varied topic sets (unthrottled)`, url, pick, null));
}

function portOf(child: ChildProcess): Promise<{ port: number; reader: ReaderPaths }> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number; reader: ReaderPaths }));
    child.once('exit', (code) => reject(new Error(`the server process exited (${code}) before listening`)));
  });
}

async function run(name: string, url: string, request: AutocannonRequest & { path: string }, overallRate: number | null, raw = false): Promise<Run> {
  process.stderr.write(`${name}: ${SECONDS} s, ${CONNECTIONS} connections…\n`);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    ...(overallRate ? { overallRate, ignoreCoordinatedOmission: raw } : {}),
    requests: [{ method: 'GET', ...request }],
  });
  const l = result.latency;
  return {
    name,
    tool: 'autocannon',
    path: request.setupRequest ? '/api/preview?topics=<varied>' : request.path,
    overallRate,
    requestsPerSecond: Math.round(result.requests.average),
    requests: result.requests.total,
    latencyMs: { average: round(l.average), p50: l.p50, p90: l.p90, p99: l.p99, max: l.max },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/**
 * RATE requests per second, one every 1000/RATE ms, for SECONDS, over CONNECTIONS keep-alive
 * connections (open loop: a slow answer never delays the next request). Each latency runs from
 * when the request was due to the end of its response.
 */
async function paced(
  name: string,
  url: string,
  label: string,
  nextPath: () => string,
  headersFor: (path: string) => Record<string, string> = () => ({}),
  expect = 200,
): Promise<Run> {
  process.stderr.write(`${name}: ${SECONDS} s, ${CONNECTIONS} connections…\n`);
  const { hostname, port } = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const interval = 1000 / RATE;
  const total = RATE * SECONDS;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const start = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait)); // a late timer only adds to the latency measured
    inFlight.push(
      new Promise<void>((resolve) => {
        const path = nextPath();
        const req = http.get({ hostname, port, path, agent, headers: headersFor(path) }, (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - due);
            if (res.statusCode !== expect) non2xx++;
            resolve();
          });
        });
        req.on('error', () => {
          errors++;
          resolve();
        });
      }),
    );
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return {
    name,
    tool: 'paced',
    path: label,
    overallRate: RATE,
    requestsPerSecond: Math.round(latencies.length / elapsed),
    requests: latencies.length,
    latencyMs: {
      average: round(latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1)),
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      max: round(latencies.at(-1) ?? 0),
    },
    non2xx,
    errors,
    timeouts: 0,
  };
}

const round = (n: number): number => Math.round(n * 100) / 100;

/**
 * Topic sets as readers type them: 1–3 lines of words from the seeds' fields, some phrases, ORs,
 * exclusions, and a few that do not parse; deterministic (a fixed seed), mostly distinct.
 */
function variedPaths(count: number): string[] {
  const words = [
    'scaling',
    'laws',
    'quantum',
    'gravity',
    'diffusion',
    'video',
    'neural',
    'networks',
    'language',
    'model',
    'models',
    'benchmark',
    'phase',
    'transition',
    'spin',
    'chain',
    'battery',
    'entanglement',
    'inflation',
    'bispectrum',
    'learning',
    'deep',
    'uncertainty',
    'alignment',
    'transformer',
    'attention',
    'graph',
    'protein',
    'folding',
    'robot',
    'reinforcement',
    'policy',
    'sparse',
    'mixture',
    'experts',
    'condensed',
    'matter',
    'theory',
  ];
  let state = 42; // mulberry32: deterministic, 32-bit exact
  const random = (n: number): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const word = () => words[random(words.length)]!;
  const topic = (): string => {
    switch (random(8)) {
      case 0:
        return `"${word()} ${word()}"`;
      case 1:
        return `${word()} OR ${word()}`;
      case 2:
        return `${word()} -${word()}`;
      case 3:
        return `${word()} "${word()}`; // does not parse: an unclosed quote
      case 4:
        return `${word()} ${word()} ${word()}`;
      default:
        return `${word()} ${word()}`;
    }
  };
  const paths = new Set<string>();
  for (let tries = 0; paths.size < count && tries < count * 20; tries++) {
    const lines = Array.from({ length: 1 + random(3) }, topic);
    paths.add(`/api/preview?topics=${encodeURIComponent(lines.join('\n'))}`);
  }
  return [...paths];
}

// last, so that every const above is initialised before either side runs
if (process.argv.includes('--serve')) await serve();
else await main();
