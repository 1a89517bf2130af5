// `serve` on a PORT that is taken: one line naming PORT, exit 1, and nothing left behind — on an
// embedded DATA_DIR no server running for nobody and no member that is not a running process; on
// PostgreSQL its worker row marked stopped. (It used to die with "Cannot destructure property 'port'
// of 'server.address(...)'" and leave the embedded server running.)
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';
import { migratedPostgresUrl } from '../../support/databases.ts';
import { FIRST, alive, cleanedUp, postmaster, serverRunning, stop } from './support.ts';

const { dataDir, serve } = cleanedUp();
const taken: net.Server[] = [];
afterEach(async () => {
  for (const s of taken.splice(0)) await new Promise((r) => s.close(r));
});

/** A port another program listens on. */
async function takenPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  taken.push(server);
  return (server.address() as AddressInfo).port;
}

/** The lines of stderr that are not JSON log lines: what the operator reads. */
const said = (stderr: string) => stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'));
const inUse = (port: number) => `paperboy: PORT: ${port} is in use on 127.0.0.1 (another process listens there): stop it, or set PORT to a free port`;

describe('serve on a PORT that is in use', () => {
  it('embedded: one line naming PORT, exit 1, and the server it started is stopped again', async () => {
    const dir = await dataDir('migrated');
    const port = await takenPort();
    const result = await runCli(['serve'], { DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', SNAPSHOT_SOURCE: FIRST }, { timeoutMs: 90_000 });
    expect(result.code, result.stderr).toBe(1);
    expect(said(result.stderr)).toEqual([inUse(port)]);
    expect(await serverRunning(dir)).toBe(false);
    expect(await postmaster(dir)).toBeNull();
  }, 120_000);

  it('embedded, a second serve on the same PORT and DATA_DIR: it leaves, the first keeps the server and is its only member', async () => {
    const dir = await dataDir('migrated');
    const port = await (async () => {
      const p = await takenPort(); // a free port number, for the first serve to take
      await new Promise((r) => taken.pop()!.close(r));
      return p;
    })();
    const first = await serve(dir, { SNAPSHOT_SOURCE: FIRST, PORT: String(port) });
    const pid = await postmaster(dir);

    const second = await runCli(['serve'], { DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', SNAPSHOT_SOURCE: FIRST }, { timeoutMs: 90_000 });
    expect(second.code, second.stderr).toBe(1);
    expect(said(second.stderr)).toEqual([inUse(port)]);
    const status = await runCli(['db', 'status'], { DATA_DIR: dir });
    expect(status.stdout).toMatch(new RegExp(`running \\(pid ${pid}\\)`));
    expect(status.stdout).toMatch(new RegExp(`used by\\s+paperboy serve \\(pid ${first.child.pid}\\)\\n`)); // the first alone

    const stopped = await stop(first);
    expect(stopped.code, stopped.stderr.slice(-2000)).toBe(0);
    expect(alive(pid)).toBe(false); // its last member left: the server stopped
  }, 180_000);

  it('PostgreSQL: one line naming PORT, exit 1, its worker marked stopped', async () => {
    const url = await migratedPostgresUrl();
    const port = await takenPort();
    const result = await runCli(['serve'], { DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', SNAPSHOT_SOURCE: FIRST }, { timeoutMs: 90_000 });
    expect(result.code, result.stderr).toBe(1);
    expect(said(result.stderr)).toEqual([inUse(port)]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ command: string; stopped: boolean }>(`SELECT command, stopped_at IS NOT NULL AS stopped FROM worker`);
      expect(rows).toEqual([{ command: 'serve', stopped: true }]);
    } finally {
      await client.end();
    }
  }, 120_000);
});
