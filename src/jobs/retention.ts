// The retention job: keeps deliveries and their mailed papers for DELIVERY_RETENTION (default a year)
// and drops what is older (db/retention.ts). Every run, in order:
//   1. creates the mailed_paper partitions of this month and the next MONTHS_AHEAD, and the delivery
//      (and delivery_attempt) partitions of the next digest's ids and the PARTITIONS_AHEAD ranges after
//      (so neither a send nor a build writes into a default partition);
//   2. each month partition of mailed_paper whose every row is older than the cutoff: folded into
//      reader_mailed and dropped whole, in one transaction (seconds whatever its size:
//      bench/README.md, retention);
//   3. each digest partition of delivery whose every digest was built before the cutoff: dropped
//      whole with its attempts, in one transaction; its deliveries still on their way (queued,
//      claimed, handed, unknown) moved first into the default partition (seconds: bench/README.md);
//   4. the default partitions' rows older than the cutoff: mailed papers folded and deleted;
//      finished deliveries (sent, failed, bounced, skipped) deleted in batches of BATCH, each its own
//      short transaction. Deliveries still on their way are kept, whatever their age.
// Scheduled daily (RETENTION_CRON) under the job lock like every job, and run by `paperboy retention`
// (the same lock: two at once never run together). Idempotent: a second run finds nothing to drop;
// a run stopped anywhere leaves a consistent database (a month is folded and dropped together).
// What it keeps: "never twice" (reader_mailed), the digests and their frozen papers (feeds, the
// archive's papers), feedback and reader models (the relevance models); the archive lists the
// deliveries within the retention.
import type { Sql } from '../db/database.ts';
import {
  countUnfinishedBefore,
  createDeliveryPartitions,
  createMailedPartitions,
  deliveryPartitionExpired,
  deliveryPartitions,
  dropDeliveryPartition,
  dropMailedPartition,
  expireDefaultPartition,
  expireDeliveryBatch,
  mailedPartitions,
} from '../db/retention.ts';
import type { Logger } from '../log/logger.ts';

const MONTHS_AHEAD = 3;
/** digest partitions of delivery beyond the next digest's: 64 digests, two months of daily digests */
const PARTITIONS_AHEAD = 2;
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
  /** months (or digest ranges) whose rows already sit in the default partition: no partition of their own */
  partitionsRefused: string[];
  partitionsDropped: string[];
  /** partitions to create or drop whose lock was not free in time (a long transaction): left for the next run */
  partitionsBusy: string[];
  /** deliveries that went with their digest partitions (dropped whole, attempts with them) */
  deliveriesDropped: number;
  /** deliveries still on their way in a dropped partition: moved to the default partition, kept */
  deliveriesMoved: number;
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
  const mailed = await createMailedPartitions(sql, now, MONTHS_AHEAD);
  const deliveries = await createDeliveryPartitions(sql, PARTITIONS_AHEAD);
  const created = [...mailed.created, ...deliveries.created];
  const refused = [...mailed.refused, ...deliveries.refused];
  if (refused.length)
    log.warn(
      { event: 'retention.partition_refused', partitions: refused },
      `no partition for ${refused.join(', ')}: their rows are in the default partition (expired row by row)`,
    );

  const dropped: string[] = [];
  const busy: string[] = [...mailed.busy, ...deliveries.busy];
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
  let deliveriesDropped = 0;
  let deliveriesMoved = 0;
  for (const p of await deliveryPartitions(sql)) {
    if (!(await deliveryPartitionExpired(sql, p, cutoff))) continue;
    const outcome = await dropDeliveryPartition(sql, p);
    if (outcome.dropped) {
      dropped.push(p.name);
      deliveriesDropped += outcome.deliveries;
      deliveriesMoved += outcome.moved;
      log.info(
        {
          event: 'retention.partition_dropped',
          partition: p.name,
          deliveries: outcome.deliveries,
          moved: outcome.moved,
          reportsCleared: outcome.reportsCleared,
          lockedMs: outcome.lockedMs,
        },
        `dropped ${p.name} and ${p.attempts}` + (outcome.moved ? ` (${outcome.moved} still on their way moved to delivery_default)` : ''),
      );
    } else {
      busy.push(p.name);
      log.warn({ event: 'retention.partition_busy', partition: p.name }, `${p.name}: delivery is locked by a long transaction; left for the next run`);
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
    deliveriesDropped,
    deliveriesMoved,
    readersFolded,
    defaultRowsExpired,
    deliveriesExpired,
    unfinishedKept,
    ms: Math.round(performance.now() - started),
  };
}
