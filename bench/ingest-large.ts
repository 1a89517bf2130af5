// A large snapshot, ingested by the real `paperboy ingest` in a process of its own: 50,000 entries
// as the daily papers JSON (~14 MB, all new papers), then the same 50,000 papers as a text capture
// (~5 MB, every one matched to a stored paper by its title), then 50,001 entries (refused up front by
// SOURCE_MAX_ENTRIES). Measured: wall time of each command (start-up and migrations included) and
// the command's peak RSS; on the embedded database also the peak PSS of its server (the postmaster
// and every process under it; the database is created and migrated first, untimed). Target: < 30 s and < 300 MB.
//   npm run bench -- ingest-large       (BENCH_INGEST=postgres or embedded for one; BENCH_ENTRIES=n)
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freshBenchDatabase } from './support/bench-db.ts';
import { paperboyCommand } from './support/command.ts';
import { report } from './support/measure.ts';
import { rng } from './support/topics.ts';

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 50_000);
const backends = (process.env.BENCH_INGEST ?? 'postgres,embedded').split(',') as Array<'postgres' | 'embedded'>;
const WORDS = (
  'scaling laws diffusion transformer quantum many body spin chain attention sparse mixture experts graph neural network retrieval reasoning ' +
  'alignment protein folding lattice gauge theory reinforcement learning policy gradient contrastive loss memory barrier'
).split(' ');

/** n papers with distinct titles and ids, short abstracts, 1–3 authors: ~14 MB of JSON and ~5 MB of text at 50,000. */
function papers(n: number) {
  const random = rng(7);
  const pick = () => WORDS[Math.floor(random() * WORDS.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const yymm = 2401 + (i % 12);
    return {
      id: `${yymm}.${String(10000 + Math.floor(i / 12)).padStart(5, '0')}`,
      title: `${Array.from({ length: 4 }, pick).join(' ')} ${i}`,
      summary: Array.from({ length: 6 }, pick).join(' '),
      authors: Array.from({ length: 1 + (i % 3) }, (_, k) => `A. Author${k}`),
      upvotes: i % 500,
      day: `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
    };
  });
}

function asJson(list: ReturnType<typeof papers>): string {
  return JSON.stringify(
    list.map((p) => ({
      paper: {
        id: p.id,
        title: p.title,
        summary: p.summary,
        authors: p.authors.map((name) => ({ name })),
        upvotes: p.upvotes,
        publishedAt: `${p.day}T12:00:00.000Z`,
      },
      publishedAt: '2026-06-10T08:00:00.000Z',
      title: p.title,
    })),
  );
}

function asText(list: ReturnType<typeof papers>): string {
  const header = ['new', 'Get trending papers in your email inbox!', 'Subscribe', 'Daily Papers', 'byAK and the research community', 'Jun 11'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const entries = list.map((p) => {
    const [year, month, day] = p.day.split('-');
    return `${p.title}\n\n${p.summary}\n\n  • ${p.authors.length} authors\n·\n${months[Number(month) - 1]} ${Number(day)}, ${year} ${p.upvotes}`;
  });
  return [...header, ...entries].join('\n\n');
}

async function paperboy(args: string[], env: NodeJS.ProcessEnv, embeddedDataDir: string | null) {
  const run = await paperboyCommand(args, env, embeddedDataDir);
  return { ...run, out: (run.stdout + run.stderr).trim().split('\n')[0]!.slice(0, 200) };
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-ingest-large-'));
const list = papers(ENTRIES);
const files = { json: path.join(dir, 'large.json'), text: path.join(dir, 'large.txt'), over: path.join(dir, 'over.json') };
await writeFile(files.json, asJson(list));
await writeFile(files.text, asText(list));
await writeFile(files.over, asJson(papers(ENTRIES + 1)));

for (const backend of backends) {
  const database = backend === 'postgres' ? await freshBenchDatabase('ingest') : null;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-bench-'));
  await chmod(dataDir, 0o755); // as root, the embedded server runs as the user postgres
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    SOURCE_MAX_ENTRIES: String(ENTRIES),
  };
  if (database) env.DATABASE_URL = database.url;
  const embedded = database ? null : dataDir;
  // Create and migrate the database first: only the ingests are timed.
  const migrated = await paperboy(['migrate'], env, embedded);
  if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.out}`);
  for (const [name, file] of [
    ['json', files.json],
    ['text', files.text],
    ['over-limit', files.over],
  ] as const) {
    const result = await paperboy(['ingest', file], env, embedded);
    report('ingest-large', {
      database: backend,
      input: name,
      entries: name === 'over-limit' ? ENTRIES + 1 : ENTRIES,
      bytes: (await stat(file)).size,
      exit: result.code,
      wallMs: result.ms,
      peakRssMb: result.peakRssMb,
      ...(result.serverPeakPssMb ? { embeddedDatabasePeakPssMb: result.serverPeakPssMb } : {}),
      said: result.out,
      target: name === 'over-limit' ? 'refused up front, exit 1' : '< 30 s, < 300 MB',
    });
  }
  await database?.drop();
  await rm(dataDir, { recursive: true, force: true });
}
await rm(dir, { recursive: true, force: true });
