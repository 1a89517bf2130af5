// Who the embedded server runs as. The suite runs as root in CI and containers, where the server
// runs as the system user postgres; these run paperboy as an ordinary user (its server runs as
// itself), and show the one line a root user gets when the user postgres cannot reach DATA_DIR.
import { execFileSync, spawn } from 'node:child_process';
import { chmod, chown, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnvironment, collect, ROOT, runCli } from '../../support/cli.ts';
import { FIRST, cleanedUp, serverRunning } from './support.ts';

const { dataDir } = cleanedUp();

describe.skipIf(process.getuid?.() !== 0)("the embedded server's user", () => {
  it('as a normal user: the cluster and its server belong to that user', async () => {
    const dir = await dataDir('new');
    const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim())) as [number, number];
    await chown(dir, uid, gid);
    const child = spawn(process.execPath, [BIN, 'ingest', FIRST], {
      cwd: ROOT,
      uid,
      gid,
      env: cliEnvironment({ DATA_DIR: dir, HOME: dir }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result = await collect(child, 90_000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/31 papers/);
    expect((await stat(path.join(dir, 'postgres'))).uid).toBe(uid);
    expect(await serverRunning(dir)).toBe(false);
  }, 120_000);

  it('as root, a DATA_DIR the user postgres cannot reach gets one line saying what to do', async () => {
    const base = await dataDir('new');
    await chmod(base, 0o700);
    const result = await runCli(['ingest', FIRST], { DATA_DIR: path.join(base, 'data') });
    expect(result.code).toBe(1);
    expect(
      result.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('{')),
    ).toEqual([
      expect.stringMatching(
        /^paperboy: creating the embedded database failed: .*Permission denied \(it runs as the user postgres, who must be able to reach DATA_DIR: chmod o\+x each private folder on the way, or move DATA_DIR\)$/,
      ),
    ]);
  }, 60_000);
});
