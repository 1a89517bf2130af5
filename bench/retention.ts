// Retention (issue 23): what dropping a month of mailed papers, and a month of deliveries, costs,
// against deleting the same rows. On PostgreSQL (BENCH_PG), a database of its own:
//   - BENCH_RETENTION_ROWS (default 1,000,000) mailed_paper rows in each of December 2025, January
//     and February 2026 (10 papers each to ROWS/10 readers), and a tenth as many this month (kept);
//   - BENCH_RETENTION_DELIVERIES (default 1,000,000) deliveries, each with its attempt, in each of two
//     old months: January's in its digest partition (delivery_digests_32_64: ten digests to the same
//     readers, 100 of the last one still queued), February's in the default partition (digests
//     without a partition of their own, as every delivery was before the partitions);
//   - December's mailed_paper partition is dropped bare (DROP TABLE, no fold): the catalog step alone — timed;
//   - January's mailed papers go as the retention job takes a month: folded into reader_mailed and
//     the partition dropped, one transaction (dropMailedPartition) — timed;
//   - February's mailed papers go as without partitions: one DELETE of its rows — timed;
//   - January's deliveries go as the job takes a month of them: the partitions of delivery and
//     delivery_attempt dropped whole, the unfinished ones moved out first (dropDeliveryPartition) — timed;
//   - February's deliveries go as the job deleted every delivery before: batches of 5,000
//     (expireDeliveryBatch, the default partition's way) — timed.
// Target (issue 23): dropping a month takes seconds, not a long DELETE.
//   npm run bench -- retention          (BENCH_RETENTION_ROWS=…, BENCH_RETENTION_DELIVERIES=… other sizes)
import { deliveryPartitions, dropDeliveryPartition, dropMailedPartition, expireDeliveryBatch } from '../src/db/retention.ts';
import { benchContext, freshBenchDatabase } from './support/bench-db.ts';
import { report, round } from './support/measure.ts';

const ROWS = Number(process.env.BENCH_RETENTION_ROWS ?? 1_000_000);
const PAPERS_EACH = 10;
const READERS = Math.ceil(ROWS / PAPERS_EACH);
const DELIVERIES = Number(process.env.BENCH_RETENTION_DELIVERIES ?? 1_000_000);
/** digests a month of deliveries is spread over (each to at most READERS readers) */
const DIGESTS = Math.max(1, Math.ceil(DELIVERIES / READERS));
const UNFINISHED = 100;
const TARGET_S = 10; // "seconds": a month dropped within ten
/** January's digests: the partition of digest ids 32–63; February's: 192–223, which has no partition */
const JAN_DIGEST = 32;
const FEB_DIGEST = 192;
if (DIGESTS > 32) throw new Error('BENCH_RETENTION_DELIVERIES: at most 32 digests of BENCH_RETENTION_ROWS/10 readers');
// a delivery's papers as the build stores them (10 papers, the topic and words that caught each)
const PAPERS_JSON = JSON.stringify(
  Array.from({ length: 10 }, (_, i) => ({ paperId: i + 1, topics: ['zebrafish'], hits: [{ topic: 'zebrafish', words: ['zebrafish'], field: 'title' }] })),
);

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
      // (the deliveries they name are not written: mailed_paper has no foreign key to delivery, and the
      // months of deliveries are measured below)
      await client.query(
        `INSERT INTO mailed_paper (subscriber_id, paper_id, delivery_id, mailed_at)
         SELECT s, ($1 % 4) * ${PAPERS_EACH} + p, 900000000 + $1 * 1000000 + s, $2 FROM generate_series(1, $3) s, generate_series(1, ${PAPERS_EACH}) p`,
        [n, `${month}-10T08:00:00Z`, READERS],
      );
    }
    // this month: a digest to a tenth of the readers, kept
    await client.query(`INSERT INTO snapshot (id, source, captured_at, content_hash, format, entry_count) VALUES (3, 'bench', now(), 'bench-3', 'json', 0)`);
    await client.query(`INSERT INTO digest (id, snapshot_id, status, created_at) VALUES (3, 3, 'ready', now())`);
    // a month of deliveries twice: DIGESTS digests in January (their partition) and in February (the default one)
    await client.query(`SELECT paperboy_delivery_partition($1)`, [JAN_DIGEST]);
    for (const [first, month] of [
      [JAN_DIGEST, '2026-01'],
      [FEB_DIGEST, '2026-02'],
    ] as const)
      for (let k = 0; k < DIGESTS; k++) {
        const id = first + k;
        const readers = Math.min(READERS, DELIVERIES - k * READERS);
        const at = `${month}-${String(k + 1).padStart(2, '0')}T07:00:00Z`;
        await client.query(`INSERT INTO snapshot (id, source, captured_at, content_hash, format, entry_count) VALUES ($1, 'bench', $2, $3, 'json', 0)`, [
          id,
          at,
          `bench-${id}`,
        ]);
        await client.query(`INSERT INTO digest (id, snapshot_id, status, created_at) VALUES ($1, $1, 'ready', $2)`, [id, at]);
        await client.query(
          `INSERT INTO delivery (id, digest_id, subscriber_id, status, papers, message_id, smtp_response, sent_at)
           SELECT $1 * 1000000 + s, $1, s, 'sent', $4::jsonb, 'delivery-' || ($1 * 1000000 + s) || '.1@papers.example.org',
                  '250 2.0.0 Ok: queued as ' || md5(s::text), $2::timestamptz + interval '1 hour'
             FROM generate_series(1, $3) s`,
          [id, at, readers, PAPERS_JSON],
        );
        await client.query(
          `INSERT INTO delivery_attempt (delivery_id, digest_id, attempt, status, message_id, smtp_response, worker_id, at)
           SELECT id, digest_id, 1, 'sent', message_id, smtp_response, 'bench-worker', sent_at FROM delivery WHERE digest_id = $1`,
          [id],
        );
      }
    // the last January digest's first readers: still on their way (queued again after a failure)
    await client.query(`UPDATE delivery SET status = 'queued', sent_at = NULL, next_try_at = now() WHERE digest_id = $1 AND subscriber_id <= $2`, [
      JAN_DIGEST + DIGESTS - 1,
      UNFINISHED,
    ]);
    await client.query(
      `INSERT INTO mailed_paper (subscriber_id, paper_id, delivery_id, mailed_at)
       SELECT s, ${3 * PAPERS_EACH} + p, 903000000 + s, now() FROM generate_series(1, $1) s, generate_series(1, ${PAPERS_EACH}) p`,
      [Math.ceil(READERS / 10)],
    );
    for (const table of ['snapshot', 'digest']) await client.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), 400)`);
    await client.query(`SELECT setval(pg_get_serial_sequence('delivery', 'id'), 500000000)`);
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

  // January's deliveries, as the job drops a month of them: both partitions dropped whole, the unfinished moved out
  const janPartition = (await deliveryPartitions(sql)).find((p) => p.from === JAN_DIGEST)!;
  const janDeliveries = await count(janPartition.name);
  const janAttempts = await count(janPartition.attempts);
  wal = await walLsn();
  const droppingDeliveries = performance.now();
  const deliveryDrop = await dropDeliveryPartition(sql, janPartition);
  const deliveryDropS = seconds(droppingDeliveries);
  const deliveryDropWalMb = await walMbSince(wal);
  if (!deliveryDrop.dropped) throw new Error('the delivery partition was busy: nothing else should run on this database');

  // February's deliveries, as the job deleted every delivery before the partitions (batches of 5,000, default partition)
  const febDeliveries = (await count('delivery_default')) - deliveryDrop.moved;
  wal = await walLsn();
  const expiring = performance.now();
  let deliveries = 0;
  for (let n = 1; n > 0; deliveries += n) n = await expireDeliveryBatch(sql, new Date('2026-03-01T00:00:00Z'), 5_000);
  const deliveriesS = seconds(expiring);
  const deliveriesWalMb = await walMbSince(wal);
  const deliveriesLeft = await count('delivery');

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
    deliveryRowsPerMonth: janDeliveries,
    deliveryAttemptRows: janAttempts,
    deliveryDropS,
    deliveryDropTargetS: TARGET_S,
    deliveryDropMet: deliveryDropS < TARGET_S,
    deliveryDropWalMb,
    deliveryDropLockedS: round(deliveryDrop.lockedMs / 1000, 2),
    deliveriesMovedUnfinished: deliveryDrop.moved,
    febDeliveryRows: febDeliveries,
    deliveryDeleteRows: deliveries,
    deliveryDeleteS: deliveriesS,
    deliveryDeletePerS: deliveriesS > 0 ? Math.round(deliveries / deliveriesS) : null,
    deliveryDeleteWalMb: deliveriesWalMb,
    deliveriesLeft,
  });
} finally {
  await ctx.close();
  await database.drop();
}
