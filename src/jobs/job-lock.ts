// One process at a time runs a scheduled job. On PostgreSQL: a session advisory lock, tried (never
// waited for) on a connection of its own and held only while the job runs; a process that dies
// drops its connection and with it the lock. On the embedded database every connection shares one
// backend, so advisory locks do not separate processes there: a lease row does (claimed by one
// guarded statement, renewed while the job runs, expiring if its holder dies).
import pg from 'pg';
import type { Db } from '../db/snapshots.ts';
import type { DatabaseKind } from '../db/database.ts';

export type LockedRun<T> = { ran: true; value: T } | { ran: false };

export interface JobLock {
  /** Runs `fn` if no other process is running `job`; otherwise returns at once with ran: false. */
  tryRun<T>(job: string, fn: () => Promise<T>): Promise<LockedRun<T>>;
}

export function createJobLock(kind: DatabaseKind, pgConfig: pg.ClientConfig, db: Db, holder: string): JobLock {
  return kind === 'postgres' ? new AdvisoryJobLock(pgConfig) : new LeaseJobLock(db, holder);
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

export class LeaseJobLock implements JobLock {
  constructor(
    private readonly db: Db,
    private readonly holder: string,
    private readonly ttlMs = 60_000,
  ) {}

  async tryRun<T>(job: string, fn: () => Promise<T>): Promise<LockedRun<T>> {
    const claimed = await this.db.$queryRaw<Array<{ holder: string }>>`
      INSERT INTO job_lease (job, holder, acquired_at, expires_at)
      VALUES (${job}, ${this.holder}, now(), now() + ${this.ttlMs} * interval '1 millisecond')
      ON CONFLICT (job) DO UPDATE SET holder = EXCLUDED.holder, acquired_at = now(), expires_at = EXCLUDED.expires_at
        WHERE job_lease.expires_at < now()
      RETURNING holder`;
    if (claimed[0]?.holder !== this.holder) return { ran: false };
    const renew = setInterval(() => {
      void this.db.$executeRaw`
        UPDATE job_lease SET expires_at = now() + ${this.ttlMs} * interval '1 millisecond' WHERE job = ${job} AND holder = ${this.holder}`.catch(() => undefined);
    }, this.ttlMs / 3);
    renew.unref();
    try {
      return { ran: true, value: await fn() };
    } finally {
      clearInterval(renew);
      await this.db.$executeRaw`DELETE FROM job_lease WHERE job = ${job} AND holder = ${this.holder}`.catch(() => undefined);
    }
  }
}
