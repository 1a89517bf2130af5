// One process at a time runs a scheduled job: a session advisory lock, tried (never waited for) on a
// connection of its own and held only while the job runs. A process that dies drops its connection
// and with it the lock. The same on PostgreSQL and on the embedded database (a real PostgreSQL too).
// The digest build has its own lock, by two keys (BUILD_LOCK in src/db/digests.ts) so that pg_locks
// names it: a `building` digest whose lock nobody holds was left by a dead process (staleBuild).
import pg from 'pg';

export type LockedRun<T> = { ran: true; value: T } | { ran: false };

/** A lock by two integer keys (pg_try_advisory_lock(int, int)): a key space and a key in it. */
export type AdvisoryKey = readonly [space: number, key: number];

export interface JobLock {
  /** Runs `fn` if no other process is running `job`; otherwise returns at once with ran: false. */
  tryRun<T>(job: string | AdvisoryKey, fn: () => Promise<T>): Promise<LockedRun<T>>;
}

/** The job lock for a database: an advisory lock on a connection of its own, per job. */
export function createJobLock(pgConfig: pg.ClientConfig): JobLock {
  return new AdvisoryJobLock(pgConfig);
}

export class AdvisoryJobLock implements JobLock {
  constructor(private readonly pgConfig: pg.ClientConfig) {}

  async tryRun<T>(job: string | AdvisoryKey, fn: () => Promise<T>): Promise<LockedRun<T>> {
    const [keys, params] = typeof job === 'string' ? ["hashtext('paperboy.job.' || $1)", [job]] : ['$1::int, $2::int', [...job]];
    const client = new pg.Client(this.pgConfig);
    client.on('error', () => undefined);
    await client.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${keys}) AS locked`, params);
      if (!rows[0]?.locked) return { ran: false };
      try {
        return { ran: true, value: await fn() };
      } finally {
        await client.query(`SELECT pg_advisory_unlock(${keys})`, params).catch(() => undefined);
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
