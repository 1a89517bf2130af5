// A folder source with a poison file in the middle, under a real `paperboy serve`: the files after
// it are ingested, /healthz and GET /admin/source name the bad file (and the line), it is not read
// again while it is unchanged, a digest is built from the good ones; replaced by a good file, it is
// ingested and the source is healthy again.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freshPostgresUrl } from '../../support/databases.ts';
import { bodyOf } from '../../support/json-body.ts';
import { stringMatching } from '../../support/matchers.ts';
import { SEEDS, startServe, type ServeChild } from './serve-child.ts';

const TOKEN = 'admin-token-for-the-poison-test';

/** GET /admin/source: the parts read here. */
interface SourceBody {
  rejectedFiles: Array<{ name: string; line?: number; error: string }>;
  recentFiles: Array<{ name: string; outcome: string }>;
}
const POISON = JSON.stringify([
  { paper: { id: '2606.00001', title: 'A Fine Paper' }, publishedAt: '2026-06-09T08:00:00.000Z' },
  { paper: { id: '2606.00002', title: 'From The Future' }, publishedAt: '2030-01-01T00:00:00.000Z' },
]).replace('},{', '},\n{'); // the bad item on line 2

describe('a poison file in a folder source, under serve (PostgreSQL)', () => {
  let dir: string;
  let serve: ServeChild | undefined;
  afterAll(async () => {
    await serve?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('never blocks the source: named in health, skipped, the files after it ingested, a digest built', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-poison-'));
    const folder = path.join(dir, 'snapshots');
    await mkdir(folder);
    await copyFile(path.join(SEEDS, '000_0b7782e3c814158f.txt'), path.join(folder, '000_first.txt'));
    await writeFile(path.join(folder, '001_poison.json'), POISON);
    await copyFile(path.join(SEEDS, '001_92719ba14292193f.txt'), path.join(folder, '002_second.txt'));
    const databaseUrl = await freshPostgresUrl();
    serve = await startServe({
      DATABASE_URL: databaseUrl,
      DATA_DIR: path.join(dir, 'data'),
      SNAPSHOT_SOURCE: folder,
      ADMIN_TOKEN: TOKEN,
      INGEST_CRON: '0 0 1 1 *',
      DIGEST_CRON: '0 0 1 1 *',
      LOG_LEVEL: 'info',
    });
    const admin = (route: string, init: RequestInit = {}) =>
      fetch(`${serve!.url}${route}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers } }).then(
        async (r) => ({ status: r.status, body: await r.json() }),
      );

    const health = await serve.waitForHealth((h) => h.lastIngest?.status === 'ok');
    expect(health.status).toBe('degraded');
    expect(health.reasons).toEqual([
      'source rejected_file: 001_poison.json:2: item 2 (line 2): $[1].publishedAt: "2030-01-01T00:00:00.000Z" is more than a day after the ingest clock (' +
        `${new Date().toISOString().slice(0, 10)}): a listing cannot come from the future (skipped until the file changes)`,
    ]);
    expect(health.source).toMatchObject({ healthy: false, rejectedFiles: [{ name: '001_poison.json', line: 2 }] });

    const source = await admin('/admin/source');
    expect(source.status).toBe(200);
    const { rejectedFiles, recentFiles } = bodyOf<SourceBody>(source);
    expect(rejectedFiles).toEqual([{ name: '001_poison.json', line: 2, error: stringMatching(/^item 2 \(line 2\): \$\[1\]\.publishedAt: /) }]);
    expect(recentFiles.map((f) => [f.name, f.outcome]).sort()).toEqual([
      ['000_first.txt', 'ingested'],
      ['001_poison.json', 'rejected'],
      ['002_second.txt', 'ingested'],
    ]);

    // The files after it are in; the newest snapshot is the second seed's.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: number; newest: string }>(`SELECT count(*)::int AS n, max(captured_at)::date::text AS newest FROM snapshot`);
      expect(rows[0]).toEqual({
        n: 2,
        newest: `${new Date().getUTCFullYear() - (new Date() < new Date(`${new Date().getUTCFullYear()}-06-11`) ? 1 : 0)}-06-10`,
      });

      // Another check reads the unchanged poison file no more: no second rejection.
      expect((await admin('/admin/ingest', { method: 'POST', body: '{}' })).body).toMatchObject({ outcome: 'ran', detail: { ingested: 0, rejected: 0 } });
      expect(serve.events('snapshot.rejected')).toHaveLength(1);
      expect((await serve.waitForHealth(() => true)).reasons[0]).toMatch(/^source rejected_file: 001_poison\.json:2: /);

      const digest = await admin('/admin/digest', { method: 'POST', body: '{}' });
      expect(digest.body).toMatchObject({ kind: 'built', newPapers: 10 });

      // Replaced by a good file (new content): ingested, and the source is healthy again.
      await writeFile(
        path.join(folder, '001_poison.json'),
        JSON.stringify([{ paper: { id: '2606.00001', title: 'A Fine Paper' }, publishedAt: '2026-06-09T08:00:00.000Z' }]),
      );
      expect((await admin('/admin/ingest', { method: 'POST', body: '{}' })).body).toMatchObject({ outcome: 'ran', detail: { ingested: 1, rejected: 0 } });
      const healthy = await serve.waitForHealth(() => true);
      expect(healthy).toMatchObject({ status: 'ok', reasons: [], source: { healthy: true, rejectedFiles: [] } });
      expect((await db.query(`SELECT count(*)::int AS n FROM snapshot`)).rows[0]).toEqual({ n: 3 });
    } finally {
      await db.end();
    }
    expect(await serve.stop()).toBe(0);
  }, 120_000);
});
