// The README's first command on a fresh clone in a temporary folder, on a machine offline: `npm start`
// serves on its embedded defaults — its source, the live daily papers API, cannot be reached, and the
// banner and /healthz say so plainly; the bundled seeds are there as history, so the page's live
// preview shows their papers, and no digest is built from them (nobody is mailed old papers).
// (The clone shares this checkout's node_modules instead of downloading them again, and generates
// its Prisma client as `npm install` would; it holds what is committed. Offline: no host name
// resolves — tests/support/offline.mjs — whatever network the machine has.)
import { spawn, execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OFFLINE, ROOT, runCli } from '../../support/cli.ts';
import { stopEmbeddedCluster } from '../../support/databases.ts';
import { freePort } from '../../support/ports.ts';

describe('npm start on a fresh clone', () => {
  let dir: string;
  afterAll(async () => {
    if (!dir) return;
    await stopEmbeddedCluster(path.join(dir, 'data'));
    await rm(dir, { recursive: true, force: true });
  });

  it('offline: up all the same, the live source reported unreachable, the seeds there as history and never digested; a clean SIGTERM', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-clone-'));
    // a checkout as CI and containers have it (mkdtemp's folder is private: as root, the embedded
    // server's user could not reach ./data in it — that case has its own test and message)
    await chmod(dir, 0o755);
    execFileSync('git', ['clone', '--quiet', ROOT, dir]);
    await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    execFileSync('npm', ['run', '--silent', 'db:generate'], { cwd: dir, stdio: 'ignore' });
    const port = await freePort();
    const child = spawn('npm', ['start'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), LOG_LEVEL: 'info', NODE_OPTIONS: OFFLINE },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let running = true;
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => ((running = false), resolve(code))));
    try {
      const base = `http://127.0.0.1:${port}`;
      // Up as soon as it listens; the start-up ingest of ./seeds shows in /healthz when it is done.
      let health = null as { status: string; reasons: string[]; database: { kind: string }; lastIngest: { status: string } | null; lastDigest: unknown } | null;
      for (let i = 0; i < 240 && health?.lastIngest?.status !== 'ok' && running; i++) {
        await new Promise((r) => setTimeout(r, 500));
        health = (await fetch(`${base}/healthz`).then(
          (r) => (r.ok ? r.json() : null),
          () => null,
        )) as typeof health;
      }
      // up and serving; degraded only because the live source cannot be reached, which it says
      expect(health, stderr).toMatchObject({ status: 'degraded', database: { kind: 'embedded' }, lastIngest: { status: 'ok' }, lastDigest: null });
      expect(health!.reasons).toEqual([
        expect.stringMatching(/^source fetch_failed: cannot be reached: ENOTFOUND \(the host name does not resolve: no network, or no DNS\)$/),
      ]);
      expect(stdout).toMatch(/paperboy is running/);
      expect(stdout).toMatch(/written to .*data\/outbox/);
      expect(stdout).toMatch(/source +https:\/\/huggingface\.co\/api\/daily_papers: next ingest/);
      for (let i = 0; i < 60 && !/the live source/.test(stdout); i++) await new Promise((r) => setTimeout(r, 250));
      expect(stdout).toMatch(
        /source +the live source https:\/\/huggingface\.co\/api\/daily_papers cannot be reached: ENOTFOUND \(the host name does not resolve: no network, or no DNS\); the pages show the 2 snapshots stored \(2 of them history: the bundled seeds or backfilled days, never mailed\)/,
      );
      expect(stderr).toMatch(/"event":"source\.bundled_seeds"[^\n]*"snapshots":2/);

      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<form[^>]+action="\/subscribe"/);
      const preview = (await (await fetch(`${base}/api/preview?topics=${encodeURIComponent('scaling laws')}`)).json()) as {
        topics: Array<{ papers: Array<{ title: string }> }>;
      };
      expect(preview.topics[0]!.papers.map((p) => p.title)).toContain('Broken Neural Scaling Laws');
    } finally {
      // what a terminal or a supervisor does: the signal to the whole process group (npm and paperboy)
      if (running) process.kill(-child.pid!, 'SIGTERM');
    }
    await exited;
    expect(stderr).toMatch(/"event":"service\.stopped"[^\n]*"clean":true/);
    // the digest a scheduled run would build: none, the seeds are history
    const digest = await runCli(['digest'], { DATA_DIR: path.join(dir, 'data') }, { cwd: dir });
    expect(digest.stdout).toMatch(/no snapshot to digest yet/);
    expect(digest.code).toBe(0);
  }, 180_000);
});
