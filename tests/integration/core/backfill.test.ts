// A backfill against a local stand-in of the daily papers API (tests/support/daily-papers-api.ts):
// 30 days, day by day through ?date=, weekends quiet, a long day paged; every day a history snapshot,
// so no digest is built from them; a backfill killed half-way continues where it stopped; the API's
// 429 (Retry-After) and 500 are waited out, a 404 stops it with the day named; and a backfill never
// changes which snapshot the next digest mails, nor does the bundled seeds' history.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps, ingestDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { backfillDays } from '../../../src/ingest/backfill-plan.ts';
import { ingestBundledSeedsOnce } from '../../../src/jobs/bundled-seeds.ts';
import { backfill } from '../../../src/jobs/backfill.ts';
import { ingestSource } from '../../../src/jobs/ingest-source.ts';
import { addSubscribers, startTestApp, type TestApp } from '../../support/app.ts';
import { collect, startCli } from '../../support/cli.ts';
import { isWeekendDay, startDailyPapersApi, type FakeDailyPapersApi } from '../../support/daily-papers-api.ts';

const NOW = new Date('2026-12-01T09:00:00Z'); // yesterday: 2026-11-30
const NOVEMBER = backfillDays('2026-11-01', undefined, NOW);

describe('backfill from the daily papers API', () => {
  let app: TestApp;
  let api: FakeDailyPapersApi;
  const run = (days: string[], extra: Partial<Parameters<typeof backfill>[1]> = {}) =>
    backfill(ingestDeps(app.ctx), { api: api.url, days, paceMs: 0, ...extra });
  const snapshots = () => app.ctx.db.prisma.snapshot.findMany({ orderBy: { id: 'asc' } });

  beforeAll(async () => {
    // 2026-11-13 is a long day: 130 papers, two pages
    api = await startDailyPapersApi({ perDay: (day) => (day === '2026-11-13' ? 130 : 30), newest: '2026-12-01' });
    app = await startTestApp('postgres', { SNAPSHOT_SOURCE: api.url }, { now: () => NOW });
  });
  afterAll(async () => {
    await app?.close();
    await api?.close();
  });

  it('30 days: one request per day (two for the long one), weekends quiet, every day a history snapshot, no digest', async () => {
    expect(NOVEMBER).toHaveLength(30);
    const summary = await run(NOVEMBER);
    const weekdays = NOVEMBER.filter((d) => !isWeekendDay(d));
    expect(summary).toMatchObject({ days: 30, ingested: weekdays.length, quiet: 30 - weekdays.length, already: 0, rejected: [], stopped: null, requests: 31 });
    expect(api.requests.map((r) => r.date)).toEqual([...NOVEMBER.slice(0, 13), '2026-11-13', ...NOVEMBER.slice(13)]);
    expect(api.requests.every((r) => r.limit === 100 && r.sort === 'trending')).toBe(true);
    expect(api.requests.filter((r) => r.date === '2026-11-13').map((r) => r.page)).toEqual([0, 1]);

    const stored = await snapshots();
    expect(stored).toHaveLength(weekdays.length);
    expect(stored.every((s) => s.history)).toBe(true);
    expect(stored.map((s) => s.capturedAt.toISOString().slice(0, 10))).toEqual(weekdays);
    const long = stored.find((s) => s.capturedAt.toISOString().startsWith('2026-11-13'))!;
    expect(long.entryCount).toBe(130);
    expect(await app.ctx.db.prisma.paper.count()).toBe(30 * (weekdays.length - 1) + 130);

    await addSubscribers(app, [['reader@example.org', ['scaling laws']]]);
    expect(await buildDigest(digestDeps(app.ctx))).toEqual({ kind: 'no-snapshot' });
    expect(await app.ctx.db.prisma.digest.count()).toBe(0);

    // run again: nothing fetched, nothing stored twice
    api.requests.length = 0;
    expect(await run(NOVEMBER)).toMatchObject({ already: 30, ingested: 0, requests: 0 });
    expect(api.requests).toEqual([]);
  });

  it('the live listing after a backfill: its digest mails only what is new since the last backfilled day; history is never skipped', async () => {
    const check = await ingestSource(ingestDeps(app.ctx), api.url, { staleAfterMs: 4 * 86_400_000, tries: 1 });
    expect(check.outcomes).toMatchObject([{ kind: 'ingested' }]);
    const live = check.outcomes[0]!.kind === 'ingested' ? check.outcomes[0]!.snapshot : null;
    expect(live).toMatchObject({ history: false });
    const built = await buildDigest(digestDeps(app.ctx));
    expect(built).toMatchObject({ kind: 'built', snapshot: { id: live!.id }, skippedSnapshots: [] });
    if (built.kind !== 'built') throw new Error('no digest');
    expect(built.newPapers.map((p) => p.arxivId).sort()).toEqual(
      api
        .itemsOf('2026-12-01')
        .map((i) => i.paper.id)
        .sort(),
    );
    expect(await app.ctx.db.prisma.digest.count()).toBe(1);
    expect(built.deliveries).toBe(1);
  });
});

describe('a backfill never changes which snapshot the next digest mails', () => {
  let app: TestApp;
  let api: FakeDailyPapersApi;
  afterEach(async () => {
    await app?.close();
    await api?.close();
  });

  it('the live listing of a day, then a fuller backfill of that same day: the digest is the live one', async () => {
    // the live check sees 50 of the day's 60 papers (the API's default page); the backfill all 60
    api = await startDailyPapersApi({ perDay: () => 60, newest: '2026-11-30' });
    app = await startTestApp('postgres', { SNAPSHOT_SOURCE: api.url }, { now: () => NOW });
    const check = await ingestSource(ingestDeps(app.ctx), api.url, { staleAfterMs: 4 * 86_400_000, tries: 1 });
    const live = check.outcomes[0]!.kind === 'ingested' ? check.outcomes[0]!.snapshot : null;
    expect(live?.entryCount).toBe(50);

    const summary = await backfill(ingestDeps(app.ctx), { api: api.url, days: backfillDays('2026-11-27', undefined, NOW), paceMs: 0 });
    expect(summary).toMatchObject({ ingested: 2, quiet: 2 }); // Fri 27, Mon 30 (Sat, Sun quiet)
    const sameDay = await app.ctx.db.prisma.snapshot.findFirst({ where: { history: true }, orderBy: { id: 'desc' } });
    expect(sameDay).toMatchObject({ entryCount: 60 });
    expect(sameDay!.capturedAt > live!.capturedAt).toBe(true); // newer than the live one

    const built = await buildDigest(digestDeps(app.ctx));
    expect(built).toMatchObject({ kind: 'built', snapshot: { id: live!.id } });
    expect(await app.ctx.db.prisma.digest.findUnique({ where: { snapshotId: sameDay!.id } })).toBeNull();
  });

  it('the bundled seeds: once, as history, on a new database only; no digest from them', async () => {
    api = await startDailyPapersApi();
    app = await startTestApp('postgres', {}, { now: () => NOW });
    expect(app.ctx.config.bundledSeeds).toBe(true);
    const first = await ingestBundledSeedsOnce(ingestDeps(app.ctx));
    expect(first?.map((o) => o.kind)).toEqual(['ingested', 'ingested']);
    expect(await ingestBundledSeedsOnce(ingestDeps(app.ctx))).toBeNull();
    const stored = await app.ctx.db.prisma.snapshot.findMany();
    expect(stored.map((s) => s.history)).toEqual([true, true]);
    expect(app.captured.events('source.bundled_seeds')).toMatchObject([{ snapshots: 2 }]);
    await addSubscribers(app, [['reader@example.org', ['scaling laws']]]);
    expect(await buildDigest(digestDeps(app.ctx))).toEqual({ kind: 'no-snapshot' });
  });
});

describe('the API misbehaving', () => {
  let app: TestApp;
  let api: FakeDailyPapersApi;
  beforeAll(async () => {
    api = await startDailyPapersApi({ perDay: () => 5 });
    app = await startTestApp('postgres', { SNAPSHOT_SOURCE: api.url }, { now: () => NOW });
  });
  afterAll(async () => {
    await app?.close();
    await api?.close();
  });

  it("429 waits for the server's Retry-After, a 500 is tried again after a backoff; the days all stored once", async () => {
    api.misbehave({ status: 429, retryAfter: '1' }, { status: 500 });
    const summary = await backfill(ingestDeps(app.ctx), { api: api.url, days: ['2026-11-02', '2026-11-03'], paceMs: 200 });
    expect(summary).toMatchObject({ ingested: 2, stopped: null, requests: 4 });
    const [first, second, third, fourth] = api.requests;
    // (the server stamps a request when it arrives: a request that opens a connection arrives a few
    // milliseconds later after its send than one on a kept-alive connection)
    const CLOCK = 50;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000 - CLOCK); // Retry-After: 1
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(1000 - CLOCK); // a 500: at least a second
    expect(fourth!.at - third!.at).toBeGreaterThanOrEqual(200 - CLOCK); // paced
    expect(app.captured.events('source.retry')).toHaveLength(2);
  });

  it('a 404 stops it naming the day; a Retry-After longer than it waits stops it too; the next run continues from there', async () => {
    api.requests.length = 0;
    api.misbehave({ status: 404 });
    const stopped = await backfill(ingestDeps(app.ctx), { api: api.url, days: ['2026-11-04', '2026-11-05'], paceMs: 0 });
    expect(stopped).toMatchObject({ ingested: 0, stopped: { day: '2026-11-04', error: 'HTTP 404 Not Found' } });
    api.misbehave({ status: 429, retryAfter: '3600' });
    const waitTooLong = await backfill(ingestDeps(app.ctx), { api: api.url, days: ['2026-11-04', '2026-11-05'], paceMs: 0 });
    expect(waitTooLong.stopped?.error).toMatch(/asks to wait 3600 s/);
    const again = await backfill(ingestDeps(app.ctx), { api: api.url, days: ['2026-11-04', '2026-11-05'], paceMs: 0 });
    expect(again).toMatchObject({ ingested: 2, stopped: null });
  });
});

describe('paperboy ingest --since (the command)', () => {
  let app: TestApp;
  let api: FakeDailyPapersApi;
  beforeAll(async () => {
    api = await startDailyPapersApi({ perDay: () => 20 });
    app = await startTestApp('postgres');
  });
  afterAll(async () => {
    await app?.close();
    await api?.close();
  });

  it('killed (SIGKILL) half-way, the same command continues where it stopped: each day fetched and stored once', async () => {
    const env = { ...app.env, SNAPSHOT_SOURCE: api.url, LOG_LEVEL: 'warn' };
    const args = ['ingest', '--since', '2026-11-02', '--until', '2026-11-13', '--pace', '0'];
    api.hangOn('2026-11-10'); // the API stops answering on the 10th: the process is killed while it waits
    const child = startCli(args, env);
    const first = collect(child, 60_000);
    for (let i = 0; i < 400 && !api.requests.some((r) => r.date === '2026-11-10'); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    expect((await first).signal).toBe('SIGKILL');
    const before = api.requests.map((r) => r.date);
    expect(before.at(-1)).toBe('2026-11-10');
    expect(await app.ctx.db.prisma.backfillDay.count()).toBe(8); // the 2nd to the 9th

    // the API again on the same address (the outage is over), the same command
    await api.close();
    const resumed = await startDailyPapersApi({ perDay: () => 20, port: Number(new URL(api.url).port) });
    try {
      const again = await collect(
        startCli([...args.slice(0, -2), '--pace', '0', resumed.url], { ...env, SNAPSHOT_SOURCE: 'https://example.invalid/elsewhere' }),
        60_000,
      );
      // (the API named on the command line wins over SNAPSHOT_SOURCE, and the days are keyed by the API shown)
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/^2026-11-09: already backfilled$/m);
      expect(again.stdout).toMatch(/^2026-11-10: snapshot \d+, 20 papers \(20 new\), kept as history \(never mailed\)$/m);
      expect(again.stdout).toMatch(/^backfill: 4 days stored, 0 quiet, 0 unchanged, 8 already done, 0 rejected \(4 requests\)$/m);
      expect(resumed.requests.map((r) => r.date)).toEqual(['2026-11-10', '2026-11-11', '2026-11-12', '2026-11-13']);
    } finally {
      await resumed.close();
    }
    const days = await app.ctx.db.prisma.snapshot.findMany({ select: { capturedAt: true, history: true } });
    const dayNames = days.map((d) => d.capturedAt.toISOString().slice(0, 10));
    expect(new Set(dayNames).size).toBe(dayNames.length); // each day once
    expect(dayNames.sort()).toEqual(['02', '03', '04', '05', '06', '09', '10', '11', '12', '13'].map((d) => `2026-11-${d}`));
    expect(days.every((d) => d.history)).toBe(true);
  }, 90_000);
});
