// The README's first command on a fresh clone in a temporary folder: `npm start` serves on its
// embedded defaults — /healthz answers, and the page's live preview shows the seeds' papers.
// (The clone shares this checkout's node_modules instead of downloading them again, and generates
// its Prisma client as `npm install` would; it holds what is committed.)
import { spawn, execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../support/cli.ts';
import { stopEmbeddedCluster } from '../../support/databases.ts';
import { freePort } from '../../support/ports.ts';

describe('npm start on a fresh clone', () => {
  let dir: string;
  afterAll(async () => {
    if (!dir) return;
    await stopEmbeddedCluster(path.join(dir, 'data'));
    await rm(dir, { recursive: true, force: true });
  });

  it('serves /healthz and the live preview of the seeds, then stops cleanly on SIGTERM', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-clone-'));
    // a checkout as CI and containers have it (mkdtemp's folder is private: as root, the embedded
    // server's user could not reach ./data in it — that case has its own test and message)
    await chmod(dir, 0o755);
    execFileSync('git', ['clone', '--quiet', ROOT, dir]);
    await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    execFileSync('npm', ['run', '--silent', 'db:generate'], { cwd: dir, stdio: 'ignore' });
    const port = await freePort();
    const child = spawn('npm', ['start'], { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), LOG_LEVEL: 'info' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let running = true;
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => ((running = false), resolve(code))));
    try {
      const base = `http://127.0.0.1:${port}`;
      // Up as soon as it listens; the start-up ingest of ./seeds shows in /healthz when it is done.
      let health = null as { status: string; database: { kind: string }; lastIngest: { status: string } | null } | null;
      for (let i = 0; i < 240 && health?.lastIngest?.status !== 'ok' && running; i++) {
        await new Promise((r) => setTimeout(r, 500));
        health = (await fetch(`${base}/healthz`).then((r) => (r.ok ? r.json() : null), () => null)) as typeof health;
      }
      expect(health, stderr).toMatchObject({ status: 'ok', database: { kind: 'embedded' }, lastIngest: { status: 'ok' } });
      expect(stdout).toMatch(/paperboy is running/);
      expect(stdout).toMatch(/written to .*data\/outbox/);

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
  }, 180_000);
});
