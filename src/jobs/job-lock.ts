// One process at a time runs a scheduled job: a session advisory lock, tried (never waited for) on a
// connection of its own and held only while the job runs. A process that dies drops its connection
// and with it the lock. The same on PostgreSQL and on the embedded database (a real PostgreSQL too).
import pg from 'pg';

export type LockedRun<T> = { ran: true; value: T } | { ran: false };

export interface JobLock {
  /** Runs `fn` if no other process is running `job`; otherwise returns at once with ran: false. */
  tryRun<T>(job: string, fn: () => Promise<T>): Promise<LockedRun<T>>;
}

/** The job lock for a database: an advisory lock on a connection of its own, per job. */
export function createJobLock(pgConfig: pg.ClientConfig): JobLock {
  return new AdvisoryJobLock(pgConfig);
}

export class AdvisoryJobLock implements JobLock {
  constructor(private readonly pgConfig: pg.ClientConfig) {}

  async tryRun<T>(job: string, fn: () => Promise<T>): Promise<LockedRun<T>> {
    const client = new pg.Client(this.pgConfig);
    client.on('error', () => undefined);
    await client.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtext('paperboy.job.' || $1)) AS locked", [job]);
      if (!rows[0]?.locked) return { ran: false };
      try {
        return { ran: true, value: await fn() };
      } finally {
        await client.query("SELECT pg_advisory_unlock(hashtext('paperboy.job.' || $1))", [job]).catch(() => undefined);
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
