// Retention (issue 23): what dropping a month of mailed papers costs, against a plain DELETE of the
// same number of rows. On PostgreSQL (BENCH_PG), a database of its own:
//   - BENCH_RETENTION_ROWS (default 1,000,000) mailed_paper rows in each of December 2025, January
//     and February 2026 (10 papers each to ROWS/10 readers, one sent delivery each a month), and a
//     tenth as many this month (kept);
//   - December's partition is dropped bare (DROP TABLE, no fold): the catalog step alone — timed;
//   - January goes as the retention job takes a month: folded into reader_mailed and its partition
//     dropped, one transaction (dropMailedPartition) — timed, and its DROP's share;
//   - February goes as without partitions: one DELETE of its rows — timed;
//   - then the finished deliveries of both months go as the job deletes them (batches of 5,000).
// Target (issue 23): dropping a month takes seconds, not a long DELETE.
//   npm run bench -- retention          (BENCH_RETENTION_ROWS=… another size)
import { dropMailedPartition, expireDeliveryBatch } from '../src/db/retention.ts';
import { benchContext, freshBenchDatabase } from './support/bench-db.ts';
import { report, round } from './support/measure.ts';

const ROWS = Number(process.env.BENCH_RETENTION_ROWS ?? 1_000_000);
const PAPERS_EACH = 10;
const READERS = Math.ceil(ROWS / PAPERS_EACH);
const TARGET_S = 10; // "seconds": a month dropped within ten

const database = await freshBenchDatabase('retention');
const { ctx } = await benchContext({ DATABASE_URL: database.url });
const sql = ctx.db.sql;
const seconds = (started: number) => round((performance.now() - started) / 1000, 2);
const walLsn = async () => (await sql.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)).rows[0]!.lsn;
/** MB of WAL written since `from` (the whole server's: nothing else should run on it meanwhile) */
const walMbSince = async (from: string) =>
  round(
    Number((await sql.query<{ bytes: string }>(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn) AS bytes`, [from])).rows[0]!.bytes) / 1024 / 1024,
    1,
  );
try {
  // the data, written without triggers or foreign-key checks (replica role): the setup, not the measure
  const setup = performance.now();
  const client = await sql.connect();
  try {
    await client.query(`SET session_replication_role = replica`);
    await client.query(
      `INSERT INTO subscriber (email, email_key, status, topics, token_nonce, updated_at)
       SELECT 'reader' || i || '@example.org', 'reader' || i || '@example.org', 'active', '{zebrafish}', md5(i::text), now() FROM generate_series(1, $1) i`,
      [READERS],
    );
    await client.query(
      `INSERT INTO paper (title_key, title, abstract, first_seen_at, last_seen_at, updated_at)
       SELECT 'paper ' || i, 'Paper ' || i, '', now(), now(), now() FROM generate_series(1, $1) i`,
      [PAPERS_EACH * 4],
    );
    for (const [n, month] of [
      [4, '2025-12'],
      [1, '2026-01'],
      [2, '2026-02'],
    ] as const) {
      await client.query(`SELECT paperboy_mailed_paper_month($1)`, [`${month}-01T00:00:00Z`]);
      await client.query(`INSERT INTO snapshot (id, source, captured_at, content_hash, format, entry_count) VALUES ($1, 'bench', $2, $3, 'json', 0)`, [
        n,
        `${month}-10T07:00:00Z`,
        `bench-${n}`,
      ]);
      await client.query(`INSERT INTO digest (id, snapshot_id, status, created_at) VALUES ($1, $1, 'ready', $2)`, [n, `${month}-10T07:00:00Z`]);
      await client.query(
        `INSERT INTO delivery (id, digest_id, subscriber_id, status, papers, sent_at)
         SELECT $1 * 10000000 + s, $1, s, 'sent', '[]', $2 FROM generate_series(1, $3) s`,
        [n, `${month}-10T08:00:00Z`, READERS],
      );
      await client.query(
        `INSERT INTO mailed_paper (subscriber_id, paper_id, delivery_id, mailed_at)
         SELECT s, ($1 % 4) * ${PAPERS_EACH} + p, $1 * 10000000 + s, $2 FROM generate_series(1, $3) s, generate_series(1, ${PAPERS_EACH}) p`,
        [n, `${month}-10T08:00:00Z`, READERS],
      );
    }
    // this month: a digest to a tenth of the readers, kept
    await client.query(`INSERT INTO snapshot (id, source, captured_at, content_hash, format, entry_count) VALUES (3, 'bench', now(), 'bench-3', 'json', 0)`);
    await client.query(`INSERT INTO digest (id, snapshot_id, status, created_at) VALUES (3, 3, 'ready', now())`);
    await client.query(
      `INSERT INTO delivery (id, digest_id, subscriber_id, status, papers, sent_at)
       SELECT 30000000 + s, 3, s, 'sent', '[]', now() FROM generate_series(1, $1) s`,
      [Math.ceil(READERS / 10)],
    );
    await client.query(
      `INSERT INTO mailed_paper (subscriber_id, paper_id, delivery_id, mailed_at)
       SELECT s, ${3 * PAPERS_EACH} + p, 30000000 + s, now() FROM generate_series(1, $1) s, generate_series(1, ${PAPERS_EACH}) p`,
      [Math.ceil(READERS / 10)],
    );
    for (const table of ['snapshot', 'digest']) await client.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), 10)`);
    await client.query(`SELECT setval(pg_get_serial_sequence('delivery', 'id'), 50000000)`);
    await client.query(`ANALYZE`);
  } finally {
    await client.query(`RESET session_replication_role`);
    client.release();
  }
  const count = async (table: string) => Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
  const setupS = seconds(setup);
  const janRows = await count('mailed_paper_2026_01');
  const febRows = await count('mailed_paper_2026_02');
  const total = await count('mailed_paper');

  // December 2025, the catalog step alone: its partition dropped without folding (what the job's DROP costs)
  let wal = await walLsn();
  const bare = performance.now();
  await sql.query(`DROP TABLE mailed_paper_2025_12`);
  const bareDropS = seconds(bare);
  const bareDropWalMb = await walMbSince(wal);

  // January, as the job drops a month: folded into reader_mailed, then the partition dropped
  wal = await walLsn();
  const started = performance.now();
  const dropped = await dropMailedPartition(sql, 'mailed_paper_2026_01');
  const dropMonthS = seconds(started);
  const dropMonthWalMb = await walMbSince(wal);
  if (!dropped.dropped) throw new Error('the partition was busy: nothing else should run on this database');

  // February, as without partitions: one DELETE of the month's rows
  wal = await walLsn();
  const deleting = performance.now();
  const deleted = await sql.query(`DELETE FROM mailed_paper WHERE mailed_at >= '2026-02-01T00:00:00Z' AND mailed_at < '2026-03-01T00:00:00Z'`);
  const deleteMonthS = seconds(deleting);
  const deleteMonthWalMb = await walMbSince(wal);
  // what the DELETE leaves behind for autovacuum
  const dead = await sql.query<{ n: string }>(`SELECT n_dead_tup AS n FROM pg_stat_user_tables WHERE relname = 'mailed_paper_2026_02'`);

  // the finished deliveries of both months, as the job deletes them
  wal = await walLsn();
  const expiring = performance.now();
  let deliveries = 0;
  for (let n = 1; n > 0; deliveries += n) n = await expireDeliveryBatch(sql, new Date('2026-03-01T00:00:00Z'), 5_000);
  // (December's deliveries too: three months of them)
  const deliveriesS = seconds(expiring);
  const deliveriesWalMb = await walMbSince(wal);

  const kept = await count('mailed_paper');
  const folded = await sql.query<{ readers: string; papers: string }>(`SELECT count(*) AS readers, sum(cardinality(paper_ids)) AS papers FROM reader_mailed`);
  report('retention', {
    readers: READERS,
    mailedRowsPerMonth: janRows,
    mailedRowsBefore: total,
    setupS,
    bareDropS,
    bareDropWalMb,
    dropMonthS,
    dropMonthTargetS: TARGET_S,
    dropMonthMet: dropMonthS < TARGET_S,
    dropMonthWalMb,
    deleteMonthS,
    deleteMonthWalMb,
    deletedRows: deleted.rowCount,
    deadTuplesLeftByDelete: Number(dead.rows[0]?.n ?? 0),
    febRows,
    mailedRowsKept: kept,
    readerMailedRows: Number(folded.rows[0]!.readers),
    readerMailedPapers: Number(folded.rows[0]!.papers),
    deliveriesExpired: deliveries,
    deliveriesS,
    deliveriesPerS: deliveriesS > 0 ? Math.round(deliveries / deliveriesS) : null,
    deliveriesWalMb,
  });
} finally {
  await ctx.close();
  await database.drop();
}
