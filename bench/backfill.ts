// `paperboy ingest --since` of 30 days from a local stand-in of the daily papers API (the API's item
// shape from tests/fixtures; 50 papers a weekday, one day of 130 in two pages, weekends empty), by the
// real command in a process of its own: wall time and peak RSS of the command, and on the embedded
// database the peak PSS of its server. Paced at 0 (what paperboy itself costs) and at the default
// 1 s between requests (what an operator waits). The database is created and migrated first, untimed.
//   npm run bench -- backfill        (BENCH_BACKFILL=postgres or embedded for one; BENCH_PACES=0,1s)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDailyPapersApi } from '../tests/support/daily-papers-api.ts';
import { freshBenchDatabase } from './support/bench-db.ts';
import { watchPeakPss } from './support/memory.ts';
import { report } from './support/measure.ts';
import { watchPeakRss } from './support/sink.ts';

const root = path.resolve(import.meta.dirname, '..');
const backends = (process.env.BENCH_BACKFILL ?? 'embedded,postgres').split(',') as Array<'postgres' | 'embedded'>;
const paces = (process.env.BENCH_PACES ?? '0,1s').split(',');
const SINCE = '2026-11-01';
const UNTIL = '2026-11-30'; // 30 days: 21 weekdays, 9 weekend days

async function paperboy(args: string[], env: NodeJS.ProcessEnv, embeddedDataDir: string | null) {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'bin/paperboy.js'), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const peak = watchPeakRss(child.pid!);
  const server = embeddedDataDir ? watchPeakPss(() => postmaster(embeddedDataDir), 100) : null;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, ms: Math.round(performance.now() - started), peakRssMb: peak(), serverPeakPssMb: server ? server() : null, stdout, stderr };
}

function postmaster(dataDir: string): number[] {
  const file = path.join(dataDir, 'postgres/postmaster.pid');
  const pid = existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : 0;
  return pid > 0 ? [pid] : [];
}

for (const backend of backends) {
  for (const pace of paces) {
    const api = await startDailyPapersApi({ perDay: (day) => (day === '2026-11-13' ? 130 : 50) });
    const database = backend === 'postgres' ? await freshBenchDatabase('backfill') : null;
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-bench-'));
    await chmod(dataDir, 0o755); // as root, the embedded server runs as the user postgres
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'production', SNAPSHOT_SOURCE: api.url };
    if (database) env.DATABASE_URL = database.url;
    const embedded = database ? null : dataDir;
    const migrated = await paperboy(['migrate'], env, embedded);
    if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
    const result = await paperboy(['ingest', '--since', SINCE, '--until', UNTIL, '--pace', pace], env, embedded);
    report('backfill', {
      database: backend,
      pace,
      days: 30,
      requests: api.requests.length,
      exit: result.code,
      wallMs: result.ms,
      peakRssMb: result.peakRssMb,
      ...(result.serverPeakPssMb ? { embeddedDatabasePeakPssMb: result.serverPeakPssMb } : {}),
      said: result.stdout.trim().split('\n').at(-1),
    });
    await api.close();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
