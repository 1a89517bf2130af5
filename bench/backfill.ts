// `paperboy ingest --since` of 30 days from a local stand-in of the daily papers API (the API's item
// shape from tests/fixtures; 50 papers a weekday, one day of 130 in two pages, weekends empty), by the
// real command in a process of its own: wall time and peak RSS of the command, and on the embedded
// database the peak PSS of its server. Paced at 0 (what paperboy itself costs) and at the default
// 1 s between requests (what an operator waits). The database is created and migrated first, untimed.
//   npm run bench -- backfill        (BENCH_BACKFILL=postgres or embedded for one; BENCH_PACES=0,1s)
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDailyPapersApi } from '../tests/support/daily-papers-api.ts';
import { freshBenchDatabase } from './support/bench-db.ts';
import { paperboyCommand } from './support/command.ts';
import { report } from './support/measure.ts';

const backends = (process.env.BENCH_BACKFILL ?? 'embedded,postgres').split(',') as Array<'postgres' | 'embedded'>;
const paces = (process.env.BENCH_PACES ?? '0,1s').split(',');
const SINCE = '2026-11-01';
const UNTIL = '2026-11-30'; // 30 days: 21 weekdays, 9 weekend days

const paperboy = paperboyCommand;

for (const backend of backends) {
  for (const pace of paces) {
    const api = await startDailyPapersApi({ perDay: (day) => (day === '2026-11-13' ? 130 : 50) });
    const database = backend === 'postgres' ? await freshBenchDatabase('backfill') : null;
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-bench-'));
    await chmod(dataDir, 0o755); // as root, the embedded server runs as the user postgres
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      SNAPSHOT_SOURCE: api.url,
    };
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
