// The backfill from the operator's side, on a real `serve`: the dashboard's button asks first (a page
// that says what it will do), then runs it in the background as a job with its progress; the admin
// API starts one too and refuses a second while one runs; and when the live source cannot be reached
// the overview says so plainly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratedPostgresUrl, freshDataDir } from '../../support/databases.ts';
import { startDailyPapersApi, type FakeDailyPapersApi } from '../../support/daily-papers-api.ts';
import { freePort } from '../../support/ports.ts';
import { anyOf, stringMatching } from '../../support/matchers.ts';
import { startServe, type ServeChild } from './serve-child.ts';

const TOKEN = 'a-long-enough-admin-token-for-tests';

/** A logged-in dashboard session: its cookie, and the CSRF token of the page last read. */
async function login(url: string) {
  const res = await fetch(`${url}/admin/ui/login`, { method: 'POST', body: new URLSearchParams({ token: TOKEN }), redirect: 'manual' });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  let csrf = '';
  const get = async (path: string) => {
    const body = await (await fetch(`${url}${path}`, { headers: { cookie } })).text();
    csrf = /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? csrf;
    return body;
  };
  const post = (path: string, fields: Record<string, string>) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ _csrf: csrf, ...fields }), redirect: 'manual' });
  return { get, post };
}

describe('backfill from the dashboard and the admin API', () => {
  let api: FakeDailyPapersApi;
  let serve: ServeChild;
  beforeAll(async () => {
    api = await startDailyPapersApi({ perDay: () => 12, newest: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10) });
    serve = await startServe({
      DATABASE_URL: await migratedPostgresUrl(),
      DATA_DIR: await freshDataDir(),
      SNAPSHOT_SOURCE: api.url,
      ADMIN_TOKEN: TOKEN,
      LOG_LEVEL: 'info',
    });
    await serve.waitForHealth((h) => h.lastIngest?.status === 'ok');
  }, 120_000);
  afterAll(async () => {
    await serve?.stop();
    await api?.close();
  });

  it('the button asks first, then backfills in the background as a job; the days are history, no digest', async () => {
    const dash = await login(serve.url);
    const overview = await dash.get('/admin/ui');
    expect(overview).toMatch(/<legend>Backfill earlier days<\/legend>/);
    expect(overview).not.toMatch(/cannot be reached/);

    const days = ['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06', '2026-11-07', '2026-11-08'];
    const confirm = await dash.post('/admin/ui/backfill/confirm', { since: days[0]!, until: days.at(-1)! });
    expect(confirm.status).toBe(200);
    const page = await confirm.text();
    expect(page).toMatch(/Backfill <strong>7 days<\/strong>, 2026-11-02 to 2026-11-08, from <code>http:\/\/127\.0\.0\.1:\d+\/api\/daily_papers<\/code>\?/);
    expect(page).toMatch(/no digest is built from them, and nobody is mailed/);
    expect(api.requests.filter((r) => r.date !== null)).toEqual([]); // asking started nothing

    // without the confirmation's field: refused, nothing started
    expect((await dash.post('/admin/ui/backfill', { since: days[0]! })).status).toBe(400);
    const started = await dash.post('/admin/ui/backfill', { since: days[0]!, until: days.at(-1)!, confirm: 'yes' });
    expect(started.status).toBe(303);
    expect(decodeURIComponent(started.headers.get('location')!)).toMatch(/Backfill of 7 days \(2026-11-02 to 2026-11-08\) started as job \d+/);

    let jobs = '';
    for (let i = 0; i < 120 && !/<td>backfill<\/td><td>dashboard<\/td><td><span class="badge ok">ok/.test(jobs); i++) {
      await new Promise((r) => setTimeout(r, 250));
      jobs = await dash.get('/admin/ui');
    }
    expect(jobs).toMatch(/<td>backfill<\/td><td>dashboard<\/td><td><span class="badge ok">ok/);
    expect(api.requests.filter((r) => r.date !== null).map((r) => r.date)).toEqual(days);
    // paced: a second apart by default (as the server stamps arrivals: a connection's set-up may make
    // one arrive a few milliseconds later after its send than the next)
    const at = api.requests.filter((r) => r.date !== null).map((r) => r.at);
    expect(
      at
        .slice(1)
        .map((t, i) => t - at[i]!)
        .filter((gap) => gap < 950),
    ).toEqual([]);

    const health = (await (await fetch(`${serve.url}/healthz`)).json()) as { lastDigest: unknown };
    expect(health.lastDigest).toBeNull();
    expect(serve.events('backfill.started')).toMatchObject([{ days: 7, via: 'dashboard' }]);
    expect(serve.events('snapshot.ingested').filter((e) => e.asHistory)).toHaveLength(5);
  }, 60_000);

  it('the admin API: 202 and a job; a second while one runs is refused (409); a range it cannot ask for is 400', async () => {
    const call = (body: unknown) =>
      fetch(`${serve.url}/admin/backfill`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    api.hangOn('2026-10-20'); // keeps the first one running
    const first = await call({ since: '2026-10-20', until: '2026-10-21' });
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ from: '2026-10-20', to: '2026-10-21', days: 2, jobId: anyOf(Number) });
    const second = await call({ since: '2026-10-22' });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: { code: 'BACKFILL_RUNNING' } });
    const future = await call({ since: '2026-10-20', until: '2099-01-01' });
    expect(future.status).toBe(400);
    expect(await future.json()).toMatchObject({ error: { code: 'BACKFILL_RANGE', message: stringMatching(/ends yesterday/) } });

    // a SIGTERM while it waits on the API: the backfill stops at once, the service stops cleanly
    const started = Date.now();
    expect(await serve.stop()).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(serve.events('service.stopped')).toMatchObject([{ clean: true }]);
    expect(serve.events('backfill.finished')).toMatchObject([{}, { stopped: { day: '2026-10-20', error: 'interrupted' } }]);
  });
});

describe('the overview when the live source cannot be reached', () => {
  it('says so plainly, with what the pages show meanwhile', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/api/daily_papers`; // nothing listens there
    const serve = await startServe({
      DATABASE_URL: await migratedPostgresUrl(),
      DATA_DIR: await freshDataDir(),
      SNAPSHOT_SOURCE: dead,
      ADMIN_TOKEN: TOKEN,
      LOG_LEVEL: 'info',
    });
    try {
      await serve.waitForHealth((h) => h.lastIngest?.status === 'ok');
      const overview = await (await login(serve.url)).get('/admin/ui');
      expect(overview).toMatch(
        /<p class="notice error" role="alert"><strong>The live source cannot be reached<\/strong>: <code>http:\/\/127\.0\.0\.1:\d+\/api\/daily_papers<\/code> — ECONNREFUSED \(nothing listens there: the connection was refused\)\. The pages show the 0 snapshots already stored/,
      );
      for (let i = 0; i < 40 && !/cannot be reached/.test(serve.stdout()); i++) await new Promise((r) => setTimeout(r, 250));
      expect(serve.stdout()).toMatch(
        /source +the live source http:\/\/127\.0\.0\.1:\d+\/api\/daily_papers cannot be reached: ECONNREFUSED \(nothing listens there/,
      );
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  }, 120_000);
});
