// The Docker image's steps, without Docker (no daemon or registry here): each stage of the Dockerfile
// in a clean folder of its own — what its COPY lines copy, from the build context as .dockerignore
// filters it or from the stage before; its ENV; its npm RUN lines run as written (npm offline: from
// the machine's npm cache, never the network) — then its CMD as an unprivileged user, as USER makes
// the image run: the embedded PostgreSQL runs as that user, the HEALTHCHECK's own command says
// healthy, and the STOPSIGNAL stops it cleanly within the stop timeout compose.yaml and the README give.
// The few RUN parts that only set up the operating system are named below with what stands for them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/config/parsers.ts';
import { variables } from '../../../src/config/variables.ts';
import { OFFLINE, ROOT } from '../../support/cli.ts';
import { stopEmbeddedCluster } from '../../support/databases.ts';
import { freePort } from '../../support/ports.ts';
import { buildContext, readDockerfile, type Stage } from './dockerfile.ts';
import type { Health } from '../../support/json-body.ts';

/** RUN parts that set up the system, not paperboy, and what the test does instead. */
const SYSTEM_STEPS: Record<string, string> = {
  'groupadd --system paperboy': 'the user: this test runs the image as an unprivileged user of the machine',
  'useradd --system --gid paperboy --home-dir /app --no-create-home --shell /usr/sbin/nologin paperboy': 'the same',
  'mkdir -p /app/data': 'made below',
  'chown paperboy:paperboy /app/data': 'made below, owned by the unprivileged user',
  'npm cache clean --force': "only makes the image smaller; here it would empty the machine's npm cache",
};

const root = process.getuid?.() === 0;
/** as root: nobody (what USER paperboy is to the image); otherwise the test's own user is unprivileged */
const USER = root ? { uid: 65534, gid: 65534 } : {};

describe('the image, step by step (no Docker)', () => {
  let work: string;
  let serve: ChildProcess | null = null;
  afterAll(async () => {
    if (serve && serve.exitCode === null) serve.kill('SIGKILL');
    if (work) {
      await stopEmbeddedCluster(path.join(work, 'image/app/data'));
      await rm(work, { recursive: true, force: true });
    }
  });

  it('builds dist/ in its build stage, installs only production dependencies, runs unprivileged, healthy, and stops cleanly', async () => {
    const image = readDockerfile(path.join(ROOT, 'Dockerfile'));
    expect(image.stages.map((s) => s.name)).toEqual(['build', null]);
    for (const stage of image.stages) expect(stage.image).toMatch(/^node:20\b/); // package.json engines: Node 20
    const context = await buildContext(ROOT);
    // nothing of a working checkout reaches the image: no database, key, .env, dependencies or build
    expect([...context].filter((f) => /^(data|node_modules|dist|\.git|scratch|test-artifacts)\/|^\.env$|^src\/db\/generated\//.test(f))).toEqual([]);
    expect(context.has('src/cli/main.ts') && context.has('package-lock.json') && context.has('seeds/000_0b7782e3c814158f.txt')).toBe(true);

    work = await mkdtemp(path.join(os.tmpdir(), 'paperboy-image-'));
    await chmod(work, 0o755);
    const folders = new Map<string | null, string>();
    const envs = new Map<string | null, Record<string, string>>();
    const ran: string[] = [];
    const skipped: string[] = [];
    for (const [i, stage] of image.stages.entries()) {
      const dir = path.join(work, i === image.stages.length - 1 ? 'image' : `stage-${stage.name}`, 'app');
      mkdirSync(dir, { recursive: true });
      folders.set(stage.name, dir);
      envs.set(stage.name, runStage(stage, dir, folders, context, ran, skipped));
    }
    expect(ran).toEqual(['npm ci --ignore-scripts --no-audit --no-fund', 'npm run db:generate', 'npm run build', 'npm ci --omit=dev --no-audit --no-fund']);
    expect(skipped.sort()).toEqual(Object.keys(SYSTEM_STEPS).sort());

    const app = folders.get(null)!;
    // the build stage's dist/, production dependencies only, no TypeScript source
    expect(existsSync(path.join(app, 'dist/cli/main.js'))).toBe(true);
    expect(existsSync(path.join(app, 'src'))).toBe(false);
    // (typescript stays: prisma names it as an optional peer, and npm keeps such a "devOptional" package)
    for (const dev of ['vitest', 'playwright-core', 'supertest', 'fast-check', 'mailauth', 'autocannon'])
      expect(existsSync(path.join(app, 'node_modules', dev)), dev).toBe(false);
    expect(existsSync(path.join(app, 'node_modules/@prisma/client')) && existsSync(path.join(app, 'node_modules/pg'))).toBe(true);
    const finalSteps = image.stages.at(-1)!.steps;
    expect(finalSteps.filter((s) => s.kind === 'USER')).toEqual([{ kind: 'USER', user: 'paperboy' }]);

    // its CMD as the unprivileged user, DATA_DIR theirs; the port published as `docker run -p` would
    const env = envs.get(null)!;
    const dataDir = env.DATA_DIR!;
    expect(dataDir).toBe(path.join(app, 'data'));
    mkdirSync(dataDir, { recursive: true });
    if (root) chownSync(dataDir, 65534, 65534);
    const port = await freePort();
    const runEnv = { PATH: process.env.PATH!, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_OPTIONS: OFFLINE };
    let stdout = '';
    let stderr = '';
    serve = spawn(image.cmd[0]!, image.cmd.slice(1), { cwd: app, env: runEnv, stdio: ['ignore', 'pipe', 'pipe'], ...USER });
    serve.stdout!.on('data', (d) => (stdout += d));
    serve.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => serve!.on('close', (code) => resolve(code)));

    // the HEALTHCHECK's own command, as the same user, until it says healthy
    const check = image.healthcheck!;
    expect(parseDuration(check.flags['start-period']!)).toBeGreaterThanOrEqual(60_000); // a first start creates the database
    let healthy = false;
    for (let i = 0; i < 240 && !healthy && serve.exitCode === null; i++) {
      healthy = spawnSync(check.command[0]!, check.command.slice(1), { env: runEnv, ...USER, timeout: 5_000 }).status === 0;
      if (!healthy) await new Promise((r) => setTimeout(r, 500));
    }
    expect(healthy, stderr.slice(-3000)).toBe(true);
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Health;
    expect(health.database).toMatchObject({ kind: 'embedded', ok: true });
    expect(stdout).toMatch(/paperboy is running \(embedded PostgreSQL in .*\/app\/data\/postgres\)/);

    // the embedded PostgreSQL runs as that user, not root
    const postmaster = Number(readFileSync(path.join(dataDir, 'postgres/postmaster.pid'), 'utf8').split('\n')[0]);
    const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${postmaster}/status`, 'utf8'))![1]);
    expect(uid).toBe(process.getuid!() === 0 ? 65534 : process.getuid!());
    const serveUid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${serve.pid}/status`, 'utf8'))![1]);
    expect(serveUid).toBe(uid);

    // STOPSIGNAL, within the stop timeout the README and compose.yaml give (and longer than SHUTDOWN_TIMEOUT)
    const compose = parseYaml(readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8')) as { services: Record<string, Record<string, unknown>> };
    const grace = parseDuration(String(compose.services.paperboy!.stop_grace_period))!;
    const shutdown = parseDuration(String(variables.SHUTDOWN_TIMEOUT.example))!;
    expect(grace).toBeGreaterThanOrEqual(shutdown + 5_000);
    expect(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain(`--stop-timeout ${grace / 1000}`);
    const stopping = Date.now();
    serve.kill(image.stopSignal as NodeJS.Signals);
    expect(await exited).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(grace);
    expect(stderr).toMatch(/"event":"service\.stopped"[^\n]*"clean":true/);
    expect(existsSync(path.join(dataDir, 'postgres/postmaster.pid'))).toBe(false); // the last member stopped it
  }, 600_000);
});

/** One stage's steps in its folder; returns the stage's environment (its ENV, /app mapped to the folder). */
function runStage(
  stage: Stage,
  dir: string,
  folders: Map<string | null, string>,
  context: Set<string>,
  ran: string[],
  skipped: string[],
): Record<string, string> {
  const env: Record<string, string> = {};
  const inFolder = (p: string) => (p.startsWith('/app') ? path.join(dir, p.slice('/app'.length)) : path.join(dir, p));
  for (const step of stage.steps) {
    if (step.kind === 'WORKDIR') expect(step.dir).toBe('/app');
    if (step.kind === 'ENV') for (const [k, v] of Object.entries(step.values)) env[k] = v.replace(/^\/app(?=\/|$)/, dir);
    if (step.kind === 'COPY') {
      const toDir = step.dest.endsWith('/') || step.sources.length > 1;
      for (const source of step.sources) {
        const target = toDir ? path.join(inFolder(step.dest), path.basename(source)) : inFolder(step.dest);
        if (step.from) {
          cpSync(path.join(folders.get(step.from)!, source.replace(/^\/app\/?/, '')), target, { recursive: true });
        } else {
          const files = [...context].filter((f) => f === source || f.startsWith(`${source}/`));
          expect(files.length, `COPY ${source}: not in the build context`).toBeGreaterThan(0);
          for (const f of files) {
            const to = path.join(target, path.relative(source, f));
            mkdirSync(path.dirname(to), { recursive: true });
            cpSync(path.join(ROOT, f), to);
          }
        }
      }
    }
    if (step.kind === 'RUN') {
      for (const part of step.command.split('&&').map((p) => p.trim())) {
        if (part in SYSTEM_STEPS) {
          skipped.push(part);
          continue;
        }
        expect(part, 'a RUN step this test does not know how to run').toMatch(/^npm /);
        ran.push(part);
        const run = spawnSync('sh', ['-c', part], {
          cwd: dir,
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            ...env,
            npm_config_offline: 'true',
            npm_config_update_notifier: 'false',
            NODE_OPTIONS: OFFLINE,
          },
          encoding: 'utf8',
          timeout: 540_000,
        });
        expect(run.status, `${part}\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-3000)}`).toBe(0);
      }
    }
  }
  return env;
}
