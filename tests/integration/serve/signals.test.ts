// SIGTERM to the process a supervisor started — `npm start`, `npx paperboy serve`, `node
// bin/paperboy.js serve` — stops the service cleanly and leaves no process behind. The signal goes to
// the started process only (what Docker, `kill $PID` and systemd's KillMode=mixed send), never to its
// process group: npm exits on SIGTERM without passing it on through the shell it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, SEEDS, type TestApp } from '../../support/app.ts';
import { cliEnvironment, ROOT } from '../../support/cli.ts';

let app: TestApp | undefined;
const groups: number[] = [];
afterEach(async () => {
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await app?.close();
  app = undefined;
});

/** Is any process of this process group still running? */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

const launchers: Array<[string, string, string[]]> = [
  ['npm start', 'npm', ['start']],
  ['npx paperboy serve', 'npx', ['paperboy', 'serve']],
  ['node bin/paperboy.js serve', process.execPath, ['bin/paperboy.js', 'serve']],
];

describe('SIGTERM to the started process', () => {
  for (const [name, command, args] of launchers) {
    it(`${name}: a clean stop, exit 0, no process left`, async () => {
      app = await startTestApp('postgres');
      const env = cliEnvironment({ ...app.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', SNAPSHOT_SOURCE: SEEDS });
      // its own process group, so the test can see every process it started, and kill them if it must
      const child: ChildProcess = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      groups.push(child.pid!);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

      // up: it printed where it runs and finished the start-up ingest
      expect(await until(() => /"event":"job\.finished"[^\n]*"job":"ingest"/.test(stderr), 60_000), stderr).toBe(true);
      expect(stdout).toMatch(/paperboy is running/);

      process.kill(child.pid!, 'SIGTERM'); // the started process only
      const code = await exited;
      // npm start passes the signal to paperboy (exec) and exits with its status; npx's shell dies of
      // the signal and paperboy, its parent gone, stops by itself: every process ends, cleanly.
      expect(await until(() => !groupAlive(child.pid!), 30_000), `still running after SIGTERM:\n${stderr.slice(-1500)}`).toBe(true);
      expect(stderr).toMatch(/"event":"service\.stopped"[^\n]*"clean":true/);
      if (command !== 'npx') expect(code).toBe(0);
    }, 120_000);
  }
});
