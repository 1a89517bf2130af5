// Retention (issue 23): deliveries and their mailed papers older than DELIVERY_RETENTION go — the
// mailed papers a month partition at a time, the deliveries and their attempts a digest partition at
// a time (32 digests, about a month; both dropped whole: checked in the catalog), the finished
// deliveries of the default partition in batches; deliveries still on their way stay (moved out of a
// dropped partition); and a paper mailed to a reader is never mailed to them again once the rows
// that said so expired (reader_mailed, checked by the digest build and by the claim). The job runs
// under the job lock, is idempotent, and a month whose lock a long transaction holds is left whole
// for the next run. PostgreSQL, and the embedded database (its own PostgreSQL) for the partitions.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps, ingestDeps, retentionDeps } from '../../../src/app/deps.ts';
import { retentionByHand } from '../../../src/app/jobs-by-hand.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { ingestInputs } from '../../../src/ingest/ingest-inputs.ts';
import { runRetention } from '../../../src/jobs/retention.ts';
import { createWebApp } from '../../../src/web/app.ts';
import { addSubscribers, sendNow, startTestApp, type TestApp } from '../../support/app.ts';
import { runCli } from '../../support/cli.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';
import { bodyOf, errorOf } from '../../support/json-body.ts';

const DAY = 86_400_000;
const TOKEN = 'retention-admin-token-0123456789';
const X = 'Zebrafish Scaling Laws Revisited';
const P = 'Zebrafish Fins at Scale';
const Q = 'Zebrafish on the Second Day';
const PAPERS: Record<string, string> = { [X]: '2605.10001', [P]: '2605.10002', [Q]: '2605.10003' };
const READERS = ['one@example.org', 'two@example.org'];

const partitionsOf = async (app: TestApp) =>
  (
    await app.ctx.db.sql.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'mailed_paper'::regclass ORDER BY 1`,
    )
  ).rows.map((r) => r.name);
const deliveryPartitionsOf = async (app: TestApp) =>
  (
    await app.ctx.db.sql.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'delivery'::regclass ORDER BY 1`,
    )
  ).rows.map((r) => r.name);
const exists = async (app: TestApp, table: string) =>
  (await app.ctx.db.sql.query<{ t: string | null }>(`SELECT to_regclass($1) AS t`, [table])).rows[0]!.t !== null;

describe('retention: a paper mailed is never mailed again after its rows expire', () => {
  let app: TestApp;
  let sink: SmtpSink;
  const titlesTo = (email: string) =>
    sink.messagesTo(email).map((m) => Object.keys(PAPERS).filter((t) => (m.parsed.text ?? '').replace(/\*/g, '').includes(t)));

  const day = async (n: number, titles: string[]) => {
    const items = titles.map((title) => ({
      paper: { id: PAPERS[title], title, summary: `${title}: what we found.`, authors: [], upvotes: 1 },
      publishedAt: `2026-06-0${n}T06:00:00.000Z`,
    }));
    const file = path.join(app.dataDir, `day-${n}.json`);
    await writeFile(file, JSON.stringify(items));
    expect((await ingestInputs(ingestDeps(app.ctx), [file]))[0]?.kind).toBe('ingested');
    const built = await buildDigest(digestDeps(app.ctx));
    expect(built.kind).toBe('built');
    return built.kind === 'built' ? built.digest!.id : 0;
  };

  beforeAll(async () => {
    sink = await startSmtpSink();
    app = await startTestApp('postgres', { SMTP_URL: sink.url, DELIVERY_RETENTION: '31d' });
    await addSubscribers(app, [
      [READERS[0]!, ['zebrafish']],
      [READERS[1]!, ['zebrafish']],
    ]);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await sink?.close();
  });

  it(
    'X mailed in January, expired by `paperboy retention`, is left out of a later digest (the build) and of a delivery that still holds it (the claim)',
    { timeout: 120_000 },
    async () => {
      const sql = app.ctx.db.sql;
      const a = await day(1, [X]);
      expect(await sendNow(app)).toMatchObject({ sent: 2 });
      for (const r of READERS) expect(titlesTo(r)).toEqual([[X]]);
      const xEntry = ((await app.ctx.db.prisma.delivery.findFirstOrThrow({ where: { digestId: a } })).papers as unknown[])[0];
      // digest A and its mail are from January: its rows move to January's partition (older than the retention);
      // and later digests get ids past its partition's (digests 0–31), as a month of daily digests would
      await sql.query(`SELECT paperboy_mailed_paper_month('2026-01-15T00:00:00Z')`);
      await sql.query(`UPDATE digest SET created_at = '2026-01-15T00:00:00Z' WHERE id = $1`, [a]);
      expect(a).toBeLessThan(32);
      await sql.query(`SELECT setval('digest_id_seq', 40)`);
      expect((await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM delivery_digests_0_32`)).rows[0]!.n).toBe(2);
      expect((await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM delivery_attempt_digests_0_32`)).rows[0]!.n).toBe(2);
      await sql.query(`UPDATE mailed_paper SET mailed_at = '2026-01-15T08:00:00Z'`);
      expect((await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM mailed_paper_2026_01`)).rows[0]!.n).toBe(2);

      const run = await runCli(['retention'], app.env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/partitions dropped {2}mailed_paper_2026_01, delivery_digests_0_32 /);
      expect(run.stdout).toMatch(/deliveries dropped {2}2\n/);
      expect(run.stdout).toMatch(/deliveries expired {2}0/);
      expect(await exists(app, 'mailed_paper_2026_01')).toBe(false);
      expect(await exists(app, 'delivery_digests_0_32')).toBe(false);
      expect(await exists(app, 'delivery_attempt_digests_0_32')).toBe(false);
      expect(await app.ctx.db.prisma.delivery.count({ where: { digestId: a } })).toBe(0);
      expect(await app.ctx.db.prisma.mailedPaper.count()).toBe(0);
      const folded = await app.ctx.db.prisma.readerMailed.findMany({ orderBy: { subscriberId: 'asc' } });
      const xId = (await app.ctx.db.prisma.paper.findFirstOrThrow({ where: { title: X } })).id;
      expect(folded.map((f) => f.paperIds)).toEqual([[xId], [xId]]);
      expect((await app.ctx.db.prisma.jobRun.findFirstOrThrow({ where: { job: 'retention' } })).trigger).toBe('cli');

      // X drops out, then comes back new with P: the build leaves X out for both readers
      await day(2, [Q]);
      expect(await sendNow(app)).toMatchObject({ sent: 2 });
      const c = await day(3, [X, P]);
      expect(c).toBeGreaterThan(40);
      const planned = await app.ctx.db.prisma.delivery.findMany({ where: { digestId: c }, orderBy: { id: 'asc' } });
      expect(planned.map((d) => (d.papers as Array<{ paperId: number }>).map((p) => p.paperId).includes(xId))).toEqual([false, false]);
      // one reader's delivery holds X anyway (as one built before the expiry would): the claim leaves it out
      await sql.query(`UPDATE delivery SET papers = jsonb_build_array($2::jsonb) || papers WHERE id = $1`, [planned[1]!.id, JSON.stringify(xEntry)]);
      // sent while the retention job runs again (nothing is old enough now): neither holds up the other
      const [sent, retention] = await Promise.all([sendNow(app), retentionByHand(app.ctx, 'admin')]);
      expect(sent).toMatchObject({ sent: 2 });
      expect(retention).toMatchObject({ ran: true, value: { partitionsDropped: [], deliveriesExpired: 0 } });
      for (const r of READERS) {
        expect(titlesTo(r).at(-1)).toEqual([P]);
        expect(titlesTo(r).filter((t) => t.includes(X))).toHaveLength(1);
      }
    },
  );
});

// on the embedded database too (DATABASE_URL unset): the same migrations and statements on its PostgreSQL
describe.each(['postgres', 'embedded'] as const)('retention (%s): a month dropped whole, unfinished deliveries kept, under the job lock', (backend) => {
  let app: TestApp;
  const NOW = new Date('2026-03-15T12:00:00Z');
  const run = () => runRetention({ ...retentionDeps(app.ctx), now: () => NOW, retentionMs: 31 * DAY }); // cutoff 2026-02-12
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    app = await startTestApp(backend, { ADMIN_TOKEN: TOKEN });
    const [s1, s2, s3] = await addSubscribers(app, [
      ['s1@example.org', ['zebrafish']],
      ['s2@example.org', ['zebrafish']],
      ['s3@example.org', ['zebrafish']],
    ]);
    const sql = app.ctx.db.sql;
    const one = async (text: string, params: unknown[]) => (await sql.query<{ id: number }>(text, params)).rows[0]!.id;
    const paper = (n: number) =>
      one(`INSERT INTO paper (title_key, title, abstract, first_seen_at, last_seen_at, updated_at) VALUES ($1, $1, '', now(), now(), now()) RETURNING id`, [
        `paper ${n}`,
      ]);
    // January's digest in the partition of digests 0–31, February's in 32–63 (ids as a month of daily digests gives)
    const digest = async (id: number, createdAt: string) => {
      const snapshot = await one(
        `INSERT INTO snapshot (source, captured_at, content_hash, format, entry_count) VALUES ('test', $1::timestamptz, $2, 'json', 0) RETURNING id`,
        [createdAt, createdAt],
      );
      await sql.query(`SELECT setval('digest_id_seq', $1)`, [id]);
      return one(`INSERT INTO digest (id, snapshot_id, status, created_at) VALUES ($1, $2, 'ready', $3) RETURNING id`, [id, snapshot, createdAt]);
    };
    const delivery = (digestId: number, subscriberId: number, status: string, paperIds: number[]) =>
      one(`INSERT INTO delivery (digest_id, subscriber_id, status, papers) VALUES ($1, $2, $3::"DeliveryStatus", $4) RETURNING id`, [
        digestId,
        subscriberId,
        status,
        JSON.stringify(paperIds.map((paperId) => ({ paperId, topics: ['zebrafish'] }))),
      ]);
    for (const month of ['2026-01-01', '2026-02-01', '2026-03-01']) await sql.query(`SELECT paperboy_mailed_paper_month($1)`, [month]);
    ids.p1 = await paper(1);
    ids.p2 = await paper(2);
    ids.p3 = await paper(3);
    const jan = await digest(5, '2026-01-10T07:00:00Z');
    const feb = await digest(33, '2026-02-20T07:00:00Z');
    ids.janSent = await delivery(jan, s1!.id, 'sent', [ids.p1]);
    ids.janQueued = await delivery(jan, s2!.id, 'queued', [ids.p1]);
    ids.janUnknown = await delivery(jan, s3!.id, 'unknown', [ids.p1]);
    ids.febSent = await delivery(feb, s1!.id, 'sent', [ids.p2]);
    await sql.query(`INSERT INTO delivery_attempt (delivery_id, digest_id, attempt, status) VALUES ($1, $2, 1, 'sent'), ($3, $2, 1, 'unknown')`, [
      ids.janSent,
      jan,
      ids.janUnknown,
    ]);
    // a bounce report naming the sent one, a complaint naming the one still on its way
    for (const [key, id] of [
      ['r-sent', ids.janSent],
      ['r-unknown', ids.janUnknown],
    ] as const)
      await sql.query(
        `INSERT INTO inbound_report (via, kind, report_key, delivery_id, subscriber_id, outcome) VALUES ('smtp', 'delayed', $1, $2, $3, 'nothing')`,
        [key, id, s1!.id],
      );
    await sql.query(
      `INSERT INTO mailed_paper (subscriber_id, paper_id, delivery_id, mailed_at) VALUES
         ($1, $2, $3, '2026-01-10T08:00:00Z'), ($1, $4, $5, '2026-02-20T08:00:00Z')`,
      [s1!.id, ids.p1, ids.janSent, ids.p2, ids.febSent],
    );
    ids.s1 = s1!.id;
    ids.s3 = s3!.id;
    // s3 was erased since (their unknown delivery stays, as an erase leaves it): moving it must not lose it
    await sql.query(`UPDATE subscriber SET status = 'erased', erased_at = now() WHERE id = $1`, [s3!.id]);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it("the oldest month is a dropped partition (gone from the catalog), the other months' rows stay, unfinished deliveries stay", async () => {
    const before = await partitionsOf(app);
    expect(before).toContain('mailed_paper_2026_01');
    expect(await deliveryPartitionsOf(app)).toEqual(['delivery_default', 'delivery_digests_0_32', 'delivery_digests_32_64', 'delivery_digests_64_96']);
    const r = await run();
    expect(r.partitionsDropped).toEqual(['mailed_paper_2026_01', 'delivery_digests_0_32']);
    expect(r.partitionsBusy).toEqual([]);
    expect(r.readersFolded).toBe(1);
    // January's three deliveries went with their partition; the two on their way were moved out first
    expect([r.deliveriesDropped, r.deliveriesMoved, r.deliveriesExpired]).toEqual([3, 2, 0]);
    expect(r.unfinishedKept).toBe(2);
    expect(await exists(app, 'delivery_digests_0_32')).toBe(false);
    expect(await exists(app, 'delivery_attempt_digests_0_32')).toBe(false);
    expect(await deliveryPartitionsOf(app)).toEqual(['delivery_default', 'delivery_digests_32_64', 'delivery_digests_64_96', 'delivery_digests_96_128']);
    const where = await app.ctx.db.sql.query(`SELECT id, tableoid::regclass::text AS part FROM delivery ORDER BY id`);
    expect(where.rows).toEqual([
      { id: ids.janQueued, part: 'delivery_default' },
      { id: ids.janUnknown, part: 'delivery_default' },
      { id: ids.febSent, part: 'delivery_digests_32_64' },
    ]);
    // the kept one's attempt moved with it; the bounce report of the dropped one forgot it, the other's did not
    const attempts = await app.ctx.db.sql.query(`SELECT delivery_id, status::text, tableoid::regclass::text AS part FROM delivery_attempt`);
    expect(attempts.rows).toEqual([{ delivery_id: ids.janUnknown, status: 'unknown', part: 'delivery_attempt_default' }]);
    // the erased subscriber's delivery was moved, not added: the trigger that skips new rows for them is back on after
    const added = await app.ctx.db.sql.query(`INSERT INTO delivery (digest_id, subscriber_id, papers) SELECT 33, $1, '[]'`, [ids.s3]);
    expect(added.rowCount).toBe(0);
    const reports = await app.ctx.db.sql.query(`SELECT report_key, delivery_id FROM inbound_report ORDER BY report_key`);
    expect(reports.rows).toEqual([
      { report_key: 'r-sent', delivery_id: null },
      { report_key: 'r-unknown', delivery_id: ids.janUnknown },
    ]);
    // the catalog: the partition is no table any more, and no longer a partition of mailed_paper
    expect(await exists(app, 'mailed_paper_2026_01')).toBe(false);
    const after = await partitionsOf(app);
    expect(after).not.toContain('mailed_paper_2026_01');
    expect(after).toEqual(expect.arrayContaining(before.filter((p) => p !== 'mailed_paper_2026_01')));
    expect(r.partitionsCreated).toEqual(['mailed_paper_2026_04', 'mailed_paper_2026_05', 'mailed_paper_2026_06', 'delivery_digests_96_128']);
    // February's rows remain, in their partition
    const feb = await app.ctx.db.sql.query(`SELECT paper_id FROM mailed_paper_2026_02`);
    expect(feb.rows).toEqual([{ paper_id: ids.p2 }]);
    const kept = await app.ctx.db.prisma.delivery.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true } });
    expect(kept).toEqual([
      { id: ids.janQueued, status: 'queued' },
      { id: ids.janUnknown, status: 'unknown' },
      { id: ids.febSent, status: 'sent' },
    ]);
    expect(await app.ctx.db.prisma.deliveryAttempt.count({ where: { deliveryId: ids.janSent } })).toBe(0);
    expect(await app.ctx.db.prisma.readerMailed.findUnique({ where: { subscriberId: ids.s1 } })).toMatchObject({ paperIds: [ids.p1] });
  });

  it('idempotent: a second run drops nothing more and changes nothing', async () => {
    const snapshot = async () => ({
      partitions: await partitionsOf(app),
      deliveries: await app.ctx.db.prisma.delivery.count(),
      mailed: await app.ctx.db.prisma.mailedPaper.count(),
      folded: await app.ctx.db.prisma.readerMailed.findMany(),
    });
    const before = await snapshot();
    const r = await run();
    expect([r.partitionsDropped, r.partitionsCreated, r.deliveriesExpired, r.readersFolded]).toEqual([[], [], 0, 0]);
    expect(await snapshot()).toEqual(before);
  });

  it('never two runs at once: while another process holds the job lock, a run by hand does nothing', async () => {
    const other = new pg.Client(app.ctx.db.pgConfig);
    await other.connect();
    try {
      const { rows } = await other.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext('paperboy.job.retention')) AS locked`);
      expect(rows[0]!.locked).toBe(true);
      expect(await retentionByHand(app.ctx, 'admin')).toEqual({ ran: false });
      const http = createWebApp(app.ctx, { requestLog: false });
      const refused = await request(http).post('/admin/retention').set('Authorization', `Bearer ${TOKEN}`);
      expect([refused.status, errorOf(refused).code]).toEqual([409, 'RETENTION_RUNNING']);
      await other.query(`SELECT pg_advisory_unlock(hashtext('paperboy.job.retention'))`);
      expect((await retentionByHand(app.ctx, 'admin')).ran).toBe(true);
      const ran = await request(http).post('/admin/retention').set('Authorization', `Bearer ${TOKEN}`);
      const detail = bodyOf<{ partitionsDropped: string[]; deliveriesExpired: number }>(ran);
      expect([ran.status, detail.partitionsDropped, detail.deliveriesExpired]).toEqual([200, [], 0]);
    } finally {
      await other.end();
    }
  });

  it('a month older than the retention in the default partition (no partition of its own) is folded and deleted row by row', async () => {
    const sql = app.ctx.db.sql;
    // December 2025 never got a partition: its rows sit in the default one
    await sql.query(`INSERT INTO mailed_paper (subscriber_id, paper_id, delivery_id, mailed_at) VALUES ($1, $2, $3, '2025-12-05T08:00:00Z')`, [
      ids.s1,
      ids.p3,
      ids.febSent,
    ]);
    expect((await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM mailed_paper_default`)).rows[0]!.n).toBe(1);
    const r = await run();
    expect(r.defaultRowsExpired).toBe(1);
    expect((await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM mailed_paper_default`)).rows[0]!.n).toBe(0);
    expect(await app.ctx.db.prisma.readerMailed.findUnique({ where: { subscriberId: ids.s1 } })).toMatchObject({
      paperIds: [ids.p1!, ids.p3!].sort((a, b) => a - b),
    });
  });

  it('a month a long transaction reads is left whole for the next run (the drop waits for its lock a few seconds only)', async () => {
    await app.ctx.db.sql.query(`UPDATE delivery SET status = 'failed', failed_at = now() WHERE id = $1`, [ids.janQueued]);
    const april = () => runRetention({ ...retentionDeps(app.ctx), now: () => new Date('2026-04-15T12:00:00Z'), retentionMs: 31 * DAY }); // cutoff 2026-03-15
    const reader = new pg.Client(app.ctx.db.pgConfig);
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM mailed_paper');
      const r = await april();
      // July, the month ahead, is not created either: creating a partition locks the table too
      expect(r.partitionsBusy).toEqual(['mailed_paper_2026_07', 'mailed_paper_2026_02']);
      expect(r.partitionsDropped).toEqual([]);
      expect(await exists(app, 'mailed_paper_2026_02')).toBe(true);
      // January's queued delivery, moved to the default partition, finished since: it goes row by row there
      // (February's stays: its digest partition is still open)
      expect(r.deliveriesExpired).toBe(1);
      expect(await app.ctx.db.prisma.delivery.count({ where: { id: ids.janQueued } })).toBe(0);
      expect(await app.ctx.db.prisma.delivery.count({ where: { id: ids.febSent } })).toBe(1);
    } finally {
      await reader.query('ROLLBACK');
      await reader.end();
    }
    const again = await april();
    expect([again.partitionsDropped, again.partitionsCreated, again.partitionsBusy]).toEqual([['mailed_paper_2026_02'], ['mailed_paper_2026_07'], []]);
    expect(await exists(app, 'mailed_paper_2026_02')).toBe(false);
  });

  it('a delivery deleted row by row (its digest given up) takes its attempts and mailed papers, and its reports forget it, as the cascades did', async () => {
    const sql = app.ctx.db.sql;
    const snapshot = (
      await sql.query<{ id: number }>(
        `INSERT INTO snapshot (source, captured_at, content_hash, format, entry_count) VALUES ('test', now(), 'given-up', 'json', 0) RETURNING id`,
      )
    ).rows[0]!.id;
    const digest = (await sql.query<{ id: number }>(`INSERT INTO digest (snapshot_id, status) VALUES ($1, 'building') RETURNING id`, [snapshot])).rows[0]!.id;
    const id = (
      await sql.query<{ id: number }>(`INSERT INTO delivery (digest_id, subscriber_id, status, papers) VALUES ($1, $2, 'sent', '[]') RETURNING id`, [
        digest,
        ids.s1,
      ])
    ).rows[0]!.id;
    await sql.query(`INSERT INTO delivery_attempt (delivery_id, digest_id, attempt, status) VALUES ($1, $2, 1, 'sent')`, [id, digest]);
    await sql.query(`INSERT INTO mailed_paper (subscriber_id, paper_id, delivery_id) VALUES ($1, $2, $3)`, [ids.s1, ids.p3, id]);
    await sql.query(`INSERT INTO inbound_report (via, kind, report_key, delivery_id, outcome) VALUES ('smtp', 'delayed', 'r-given-up', $1, 'nothing')`, [id]);
    await sql.query(`DELETE FROM digest WHERE id = $1`, [digest]);
    const left = await sql.query(
      `SELECT (SELECT count(*)::int FROM delivery WHERE id = $1) AS deliveries, (SELECT count(*)::int FROM delivery_attempt WHERE delivery_id = $1) AS attempts,
              (SELECT count(*)::int FROM mailed_paper WHERE delivery_id = $1) AS mailed,
              (SELECT delivery_id FROM inbound_report WHERE report_key = 'r-given-up') AS report`,
      [id],
    );
    expect(left.rows[0]).toEqual({ deliveries: 0, attempts: 0, mailed: 0, report: null });
  });

  it('a digest partition a long transaction reads is left whole for the next run, then dropped', async () => {
    const sql = app.ctx.db.sql;
    // February's partition (digests 32–63) is full: later digests have ids past it
    await sql.query(`SELECT setval('digest_id_seq', 80)`);
    const may = () => runRetention({ ...retentionDeps(app.ctx), now: () => new Date('2026-05-15T12:00:00Z'), retentionMs: 31 * DAY }); // cutoff 2026-04-14
    const reader = new pg.Client(app.ctx.db.pgConfig);
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM delivery');
      const r = await may();
      expect(r.partitionsBusy).toContain('delivery_digests_32_64');
      expect(r.partitionsDropped).not.toContain('delivery_digests_32_64');
      expect(await exists(app, 'delivery_digests_32_64')).toBe(true);
      expect(await app.ctx.db.prisma.delivery.count({ where: { id: ids.febSent } })).toBe(1);
    } finally {
      await reader.query('ROLLBACK');
      await reader.end();
    }
    const again = await may();
    expect(again.partitionsDropped).toContain('delivery_digests_32_64');
    expect(again.deliveriesDropped).toBe(1);
    expect(await exists(app, 'delivery_digests_32_64')).toBe(false);
    expect(await app.ctx.db.prisma.delivery.count({ where: { id: ids.febSent } })).toBe(0);
    // what February mailed to s1 is still known (folded with its month): never mailed again
    expect((await app.ctx.db.prisma.readerMailed.findUniqueOrThrow({ where: { subscriberId: ids.s1 } })).paperIds).toContain(ids.p2);
  });
});
