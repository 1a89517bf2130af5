// The retention job: keeps deliveries and their mailed papers for DELIVERY_RETENTION (default a year)
// and drops what is older (db/retention.ts). Every run, in order:
//   1. creates the mailed_paper partitions of this month and the next MONTHS_AHEAD (so a send never
//      writes into the default partition);
//   2. each month partition whose every row is older than the cutoff: folded into reader_mailed and
//      dropped whole, in one transaction (seconds whatever its size: bench/README.md, retention);
//   3. the default partition's rows older than the cutoff: folded and deleted;
//   4. finished deliveries (sent, failed, bounced, skipped) of digests built before the cutoff:
//      deleted in batches of BATCH, each its own short transaction. Deliveries still on their way
//      (queued, claimed, handed, unknown) are kept, whatever their age.
// Scheduled daily (RETENTION_CRON) under the job lock like every job, and run by `paperboy retention`
// (the same lock: two at once never run together). Idempotent: a second run finds nothing to drop;
// a run stopped anywhere leaves a consistent database (a month is folded and dropped together).
// What it keeps: "never twice" (reader_mailed), the digests and their frozen papers (feeds, the
// archive's papers), feedback and reader models (the relevance models); the archive lists the
// deliveries within the retention.
import type { Sql } from '../db/database.ts';
import {
  countUnfinishedBefore,
  createMailedPartitions,
  dropMailedPartition,
  expireDefaultPartition,
  expireDeliveryBatch,
  mailedPartitions,
} from '../db/retention.ts';
import type { Logger } from '../log/logger.ts';

const MONTHS_AHEAD = 3;
const BATCH = 5_000;

export interface RetentionDeps {
  sql: Sql;
  log: Logger;
  now: () => Date;
  /** DELIVERY_RETENTION, in milliseconds */
  retentionMs: number;
}

export interface RetentionRun {
  /** what was mailed or built before this went (or is kept only if still on its way) */
  cutoff: Date;
  partitionsCreated: string[];
  /** months whose rows already sit in the default partition: no partition of their own */
  partitionsRefused: string[];
  partitionsDropped: string[];
  /** months to create or drop whose lock was not free in time (a long transaction): left for the next run */
  partitionsBusy: string[];
  /** readers whose reader_mailed row was written (one per reader and dropped month) */
  readersFolded: number;
  defaultRowsExpired: number;
  deliveriesExpired: number;
  /** deliveries older than the cutoff kept because they are still on their way */
  unfinishedKept: number;
  ms: number;
}

export async function runRetention(deps: RetentionDeps, options: { batch?: number } = {}): Promise<RetentionRun> {
  const { sql, log } = deps;
  const started = performance.now();
  const now = deps.now();
  const cutoff = new Date(now.getTime() - deps.retentionMs);
  const { created, refused, busy: notCreated } = await createMailedPartitions(sql, now, MONTHS_AHEAD);
  if (refused.length)
    log.warn(
      { event: 'retention.partition_refused', months: refused },
      `mailed_paper: no partition for ${refused.join(', ')}: their rows are in the default partition (expired row by row)`,
    );

  const dropped: string[] = [];
  const busy: string[] = [...notCreated];
  let readersFolded = 0;
  for (const p of await mailedPartitions(sql)) {
    if (p.to.getTime() > cutoff.getTime()) continue;
    const outcome = await dropMailedPartition(sql, p.name);
    if (outcome.dropped) {
      dropped.push(p.name);
      readersFolded += outcome.folded;
      log.info({ event: 'retention.partition_dropped', partition: p.name, readers: outcome.folded }, `dropped ${p.name}`);
    } else {
      busy.push(p.name);
      log.warn({ event: 'retention.partition_busy', partition: p.name }, `${p.name}: mailed_paper is locked by a long transaction; left for the next run`);
    }
  }
  const defaultRowsExpired = await expireDefaultPartition(sql, cutoff);

  let deliveriesExpired = 0;
  for (;;) {
    const n = await expireDeliveryBatch(sql, cutoff, options.batch ?? BATCH);
    deliveriesExpired += n;
    if (n === 0) break;
  }
  const unfinishedKept = await countUnfinishedBefore(sql, cutoff);
  return {
    cutoff,
    partitionsCreated: created,
    partitionsRefused: refused,
    partitionsDropped: dropped,
    partitionsBusy: busy,
    readersFolded,
    defaultRowsExpired,
    deliveriesExpired,
    unfinishedKept,
    ms: Math.round(performance.now() - started),
  };
}
