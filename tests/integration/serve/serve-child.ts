// `paperboy serve` in a child process, as a supervisor runs it: its stdout and every stderr line
// kept, HTTP calls against it, a SIGTERM to stop it. For the serve tests that need a real process.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { BIN, cliEnvironment, ROOT } from '../../support/cli.ts';
import type { Health } from '../../support/json-body.ts';
import { freePort } from '../../support/ports.ts';

export interface ServeChild {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  /** the JSON log lines so far */
  events(name?: string): Array<Record<string, unknown>>;
  /** polls /healthz until `ready` says so (or the process ends, or timeoutMs passes) */
  waitForHealth(ready: (health: Health) => boolean, timeoutMs?: number): Promise<Health>;
  /** SIGTERM, then the exit code */
  stop(): Promise<number | null>;
}

export async function startServe(vars: Record<string, string | undefined>): Promise<ServeChild> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd: ROOT,
    env: cliEnvironment({ HOST: '127.0.0.1', PORT: String(port), ...vars }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let running = true;
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => ((running = false), resolve(code))));
  const url = `http://127.0.0.1:${port}`;
  const events = (name?: string) =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => name === undefined || l.event === name);
  return {
    child,
    url,
    stdout: () => stdout,
    stderr: () => stderr,
    events,
    async waitForHealth(ready, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      let last: Health | null = null;
      while (Date.now() < until && running) {
        last = (await fetch(`${url}/healthz`).then(
          (r) => r.json(),
          () => null,
        )) as Health | null;
        if (last && ready(last)) return last;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`serve never got there: ${JSON.stringify(last)}\n${stderr.slice(-3000)}`);
    },
    async stop() {
      if (running) child.kill('SIGTERM');
      return exited;
    },
  };
}

export const SEEDS = path.join(ROOT, 'seeds');
