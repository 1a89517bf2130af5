// Load on the reader's pages from a second process on loopback: `GET /` and the live preview
// (`GET /api/preview`) with the seeds ingested (the newest snapshot loaded), autocannon for 10 s
// with 50 connections each run. Target: preview p99 under 50 ms at 500 requests/s.
//
//   npx tsx bench/web-load.ts                      # embedded database in a temporary DATA_DIR
//   DATABASE_URL=postgres://… npx tsx bench/web-load.ts
//   BENCH_SECONDS=5 npx tsx bench/web-load.ts      # shorter runs
//
// The app runs in a CHILD process (this file with --serve), so the load generator and the server
// do not share an event loop. The child raises the pages' rate limits (600 previews/min per client
// address by default) out of the way: all load comes from one address here. Prints JSON.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');
const SEEDS = [path.join(ROOT, 'seeds/000_0b7782e3c814158f.txt'), path.join(ROOT, 'seeds/001_92719ba14292193f.txt')];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;
const RATE = 500;
const TARGET_P99_MS = 50;

if (process.argv.includes('--serve')) await serve();
else await main();

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
  const unlimited = { limit: 1_000_000_000, windowMs: 60_000 };
  const pages = pagesRouter(ctx, { rateLimits: { preview: unlimited, subscribePerIp: unlimited, subscribePerAddress: unlimited } });
  const server = createWebApp(ctx, { pages }).listen(0, '127.0.0.1', () => {
    process.send!({ port: (server.address() as AddressInfo).port });
  });
  const stop = () => server.close(() => void ctx.close().then(() => process.exit(0)));
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
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
  requests?: AutocannonRequest[];
}) => Promise<AutocannonResult>;

// autocannon ships no types; it is a dev dependency used only here
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

interface Run {
  name: string;
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
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
    execArgv: ['--import', 'tsx'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, DATABASE_URL: process.env.DATABASE_URL },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    process.stderr.write('starting the app (seeds ingested) in a child process…\n');
    const port = await portOf(child);
    const url = `http://127.0.0.1:${port}`;
    const fixed = '/api/preview?topics=scaling%20laws%0Aquantum%20-gravity';
    const varied = variedPaths(5000);
    await fetch(`${url}${fixed}`); // the first preview loads the snapshot; not part of any run
    const runs: Run[] = [];
    runs.push(await run('GET / (unthrottled)', url, { path: '/' }, null));
    runs.push(await run(`preview, fixed topics, ${RATE}/s`, url, { path: fixed }, RATE));
    runs.push(await run('preview, fixed topics (unthrottled)', url, { path: fixed }, null));
    let next = 0;
    const pick = { path: varied[0]!, setupRequest: (r: { path: string }) => ({ ...r, path: varied[next++ % varied.length]! }) };
    runs.push(await run(`preview, ${varied.length} varied topic sets, ${RATE}/s`, url, pick, RATE));
    runs.push(await run(`preview, ${varied.length} varied topic sets (unthrottled)`, url, pick, null));

    const atRate = runs.filter((r) => r.overallRate === RATE);
    const snapshot = (await (await fetch(`${url}${fixed}`)).json()) as { snapshot: unknown };
    console.log(
      JSON.stringify(
        {
          command: process.env.DATABASE_URL ? 'DATABASE_URL=… npx tsx bench/web-load.ts' : 'npx tsx bench/web-load.ts',
          database: process.env.DATABASE_URL ? 'postgresql' : 'embedded (PGlite)',
          machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
          seconds: SECONDS,
          connections: CONNECTIONS,
          snapshot: snapshot.snapshot,
          target: { previewP99Ms: TARGET_P99_MS, atRequestsPerSecond: RATE, met: atRate.every((r) => r.latencyMs.p99 < TARGET_P99_MS && r.non2xx === 0 && r.errors === 0) },
          runs,
        },
        null,
        2,
      ),
    );
  } finally {
    child.disconnect();
    await new Promise((resolve) => child.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}

function portOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the server process exited (${code}) before listening`)));
  });
}

async function run(name: string, url: string, request: AutocannonRequest & { path: string }, overallRate: number | null): Promise<Run> {
  process.stderr.write(`${name}: ${SECONDS} s, ${CONNECTIONS} connections…\n`);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    ...(overallRate ? { overallRate } : {}),
    requests: [{ method: 'GET', ...request }],
  });
  const l = result.latency;
  return {
    name,
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

const round = (n: number): number => Math.round(n * 100) / 100;

/**
 * Topic sets as readers type them: 1–3 lines of words from the seeds' fields, some phrases, ORs,
 * exclusions, and a few that do not parse; deterministic (a fixed seed), mostly distinct.
 */
function variedPaths(count: number): string[] {
  const words = ['scaling', 'laws', 'quantum', 'gravity', 'diffusion', 'video', 'neural', 'networks', 'language', 'model', 'models', 'benchmark', 'phase',
    'transition', 'spin', 'chain', 'battery', 'entanglement', 'inflation', 'bispectrum', 'learning', 'deep', 'uncertainty', 'alignment', 'transformer',
    'attention', 'graph', 'protein', 'folding', 'robot', 'reinforcement', 'policy', 'sparse', 'mixture', 'experts', 'condensed', 'matter', 'theory'];
  let state = 42;
  const random = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  const word = () => words[random(words.length)]!;
  const topic = (): string => {
    switch (random(8)) {
      case 0: return `"${word()} ${word()}"`;
      case 1: return `${word()} OR ${word()}`;
      case 2: return `${word()} -${word()}`;
      case 3: return `${word()} "${word()}`; // does not parse: an unclosed quote
      case 4: return `${word()} ${word()} ${word()}`;
      default: return `${word()} ${word()}`;
    }
  };
  const paths = new Set<string>();
  while (paths.size < count) {
    const lines = Array.from({ length: 1 + random(3) }, topic);
    paths.add(`/api/preview?topics=${encodeURIComponent(lines.join('\n'))}`);
  }
  return [...paths];
}
