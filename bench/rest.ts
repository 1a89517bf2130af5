// At rest: what `npm start` costs on a fresh DATA_DIR once the seeds are ingested and nothing
// happens — PSS of npm, `paperboy serve` and the embedded PostgreSQL (every process of it), sampled
// for a few seconds after the start-up ingest. Then SIGTERM, as a terminal's Ctrl-C would send.
//   npm run bench -- rest
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { processTree, pssKb } from './support/memory.ts';
import { report } from './support/measure.ts';
import { freePort } from '../tests/support/ports.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 15_000);

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-rest-'));
await chmod(dataDir, 0o755); // as root, the embedded server runs as the user postgres
const port = await freePort();
const npm = spawn('npm', ['start'], {
  cwd: ROOT,
  env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' },
  detached: true,
  stdio: 'ignore',
});
try {
  const started = performance.now();
  for (;;) {
    const health = (await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.json(),
      () => null,
    )) as { lastIngest?: { status: string } } | null;
    if (health?.lastIngest?.status === 'ok') break;
    if (performance.now() - started > 120_000) throw new Error('npm start did not come up');
    await new Promise((r) => setTimeout(r, 250));
  }
  const readyMs = performance.now() - started;
  await new Promise((r) => setTimeout(r, SETTLE_MS));

  const postmaster = Number((await readFile(path.join(dataDir, 'postgres/postmaster.pid'), 'utf8')).split('\n')[0]);
  const database = new Set(await processTree(postmaster));
  const all = new Set([...(await processTree(npm.pid!)), ...database]);
  const byProcess = await Promise.all(
    [...all].map(async (pid) => ({
      pid,
      kb: await pssKb(pid),
      cmd: (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ').trim(),
    })),
  );
  const mb = (rows: typeof byProcess) => Math.round(rows.reduce((a, r) => a + r.kb, 0) / 1024);
  const serve = byProcess.filter((r) => r.cmd.includes('paperboy.js serve') && !r.cmd.startsWith('sh '));
  const db = byProcess.filter((r) => database.has(r.pid));
  const npmOwn = byProcess.filter((r) => !database.has(r.pid) && !serve.includes(r));
  report('rest', {
    command: 'npm start (fresh DATA_DIR, seeds ingested, idle)',
    readyAfterMs: Math.round(readyMs),
    pssMb: { total: mb(byProcess), serve: mb(serve), database: mb(db), databaseProcesses: db.length, npmAndShell: mb(npmOwn) },
    serveAndDatabaseMb: mb(serve) + mb(db),
    target: 'serve and its database together under 250 MB PSS',
    underTarget: mb(serve) + mb(db) < 250,
  });
} finally {
  process.kill(-npm.pid!, 'SIGTERM');
  await new Promise((r) => npm.once('exit', r));
  // npm may exit before serve has stopped the database: wait for the postmaster to be gone
  for (let i = 0; i < 300 && existsSync(path.join(dataDir, 'postgres/postmaster.pid')); i++) await new Promise((r) => setTimeout(r, 100));
  await rm(dataDir, { recursive: true, force: true });
}
