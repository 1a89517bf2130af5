// The embedded PostgreSQL of a DATA_DIR, shared by every paperboy process on it (serve and any CLI
// command beside it). Who starts and stops it:
//   - the first process that finds it not running starts it (created first on a new DATA_DIR);
//   - every process is a **member** while it runs: it holds a shared advisory lock on a session
//     connection of its own;
//   - a process leaving (closing its database) gives up its shared lock and tries the exclusive
//     one: it gets it only if no other member is left, and then stops the server (fast shutdown).
//     A newcomer blocked on the shared lock meanwhile sees its connection end, waits for the server
//     to be gone and starts it again.
//   - a member killed with SIGKILL drops its connection and with it its lock; if it was the last,
//     the server keeps running until the next process leaves (or `paperboy db stop`): never a
//     server the next start cannot use. A killed server (its postmaster SIGKILLed) is started
//     again, with PostgreSQL's own crash recovery, by the next process or by the members' sessions.
import pg from 'pg';
import type { Logger } from '../../log/logger.ts';
import { postgresBinaries } from './binaries.ts';
import { clusterExists, createCluster, removeAbandoned } from './create-cluster.ts';
import { EmbeddedDatabaseError } from './errors.ts';
import { embeddedLayout, type EmbeddedLayout } from './layout.ts';
import { clientConfig, sleep, startServer, stateOf, stopServer } from './server.ts';
import { reclaim, serverUser } from './server-user.ts';

/** The advisory lock of membership (two-key form, apart from the job locks' one-key space). */
export const MEMBERSHIP_LOCK = [0x70627079, 1] as const;

export interface JoinOptions {
  dataDir: string;
  log: Logger;
  /** how long starting may take (creating a new cluster is not counted) */
  timeoutMs?: number;
}

export class EmbeddedCluster {
  private session: pg.Client | null = null;
  private leaving = false;
  private rejoining: Promise<void> | null = null;

  private constructor(
    readonly layout: EmbeddedLayout,
    private readonly log: Logger,
    private readonly timeoutMs: number,
  ) {}

  /** Creates and starts the cluster as needed, and joins it as a member. */
  static async join({ dataDir, log, timeoutMs = 60_000 }: JoinOptions): Promise<EmbeddedCluster> {
    const layout = embeddedLayout(dataDir);
    refuseOldLayout(layout);
    const cluster = new EmbeddedCluster(layout, log, timeoutMs);
    cluster.session = await cluster.becomeMember();
    return cluster;
  }

  get pgConfig(): pg.ClientConfig {
    return clientConfig(this.layout);
  }

  private async becomeMember(): Promise<pg.Client> {
    const binaries = await postgresBinaries();
    const user = await serverUser(this.log);
    await removeAbandoned(this.layout, this.log);
    if (!clusterExists(this.layout)) await createCluster(this.layout, binaries, user, this.log);
    else await reclaim(this.layout.pgdata, user, this.log);
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const how = await startServer(this.layout, { binaries, user, timeoutMs: Math.max(1_000, deadline - Date.now()) });
      if (how === 'started') this.log.info({ event: 'embedded.started', dataDir: this.layout.dataDir }, 'embedded database started');
      const session = new pg.Client({ ...this.pgConfig, application_name: memberName() });
      session.on('error', () => undefined);
      try {
        await session.connect();
        // Blocks while a leaving process holds the exclusive lock; it is about to stop the server,
        // which ends this connection: then start again.
        await session.query('SELECT pg_advisory_lock_shared($1, $2)', [...MEMBERSHIP_LOCK]);
        session.once('end', () => this.onSessionLost(session));
        return session;
      } catch (err) {
        await session.end().catch(() => undefined);
        stateOf(err); // rethrows anything but "the server went away or is stopping"
        if (Date.now() > deadline) throw new EmbeddedDatabaseError(`the embedded database kept stopping while paperboy joined it (see ${this.layout.log})`);
        await sleep(100);
      }
    }
  }

  /** The server went away under a running process (killed?): start it again and rejoin. */
  private onSessionLost(lost: pg.Client): void {
    if (this.leaving || this.session !== lost) return;
    this.session = null;
    this.log.warn({ event: 'embedded.disconnected', dataDir: this.layout.dataDir }, 'lost the embedded database; starting it again');
    this.rejoining = (async () => {
      for (let delay = 200; !this.leaving; delay = Math.min(delay * 2, 5_000)) {
        try {
          // (if the process started leaving meanwhile, leave() goes on with this session: it may
          // be the last member, and must then stop the server this just started)
          this.session = await this.becomeMember();
          this.log.info({ event: 'embedded.reconnected', dataDir: this.layout.dataDir }, 'the embedded database is back');
          return;
        } catch (err) {
          this.log.error({ event: 'embedded.reconnect_failed', err }, 'the embedded database did not come back');
          await sleep(delay);
        }
      }
    })();
  }

  /** Leaves the cluster; the last member stops the server. Returns whether this process stopped it. */
  async leave(): Promise<boolean> {
    if (this.leaving) return false;
    this.leaving = true;
    await this.rejoining;
    const session = this.session;
    this.session = null;
    if (!session) return false;
    try {
      await session.query('SELECT pg_advisory_unlock_shared($1, $2)', [...MEMBERSHIP_LOCK]);
      const { rows } = await session.query<{ last: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS last', [...MEMBERSHIP_LOCK]);
      if (!rows[0]?.last) return false;
      this.log.info({ event: 'embedded.stopping', dataDir: this.layout.dataDir }, 'stopping the embedded database (no other paperboy process uses it)');
      const stopped = await stopServer(this.layout);
      if (!stopped) this.log.warn({ event: 'embedded.stop_slow', dataDir: this.layout.dataDir }, 'the embedded database is still stopping');
      return true;
    } catch (err) {
      this.log.warn({ event: 'embedded.leave_failed', err }, 'could not leave the embedded database in order (it keeps running)');
      return false;
    } finally {
      await session.end().catch(() => undefined);
    }
  }
}

/** A DATA_DIR of an earlier paperboy, which kept PGlite in DATA_DIR/pglite: say what to do, in one line. */
function refuseOldLayout(layout: EmbeddedLayout): void {
  if (clusterExists(layout) || !clusterExists({ ...layout, pgdata: layout.pglite })) return;
  throw new EmbeddedDatabaseError(
    `${layout.pglite} is the embedded database of an earlier paperboy (PGlite), which this version does not open: copy it over with \`npx ` +
      `paperboy db import-pglite\` (README, "Upgrading from an earlier paperboy"), or move it aside to start empty`,
    'EMBEDDED_DB_OLD_LAYOUT',
  );
}

/** How this process shows in pg_stat_activity: `paperboy <command> (pid <pid>)`. */
function memberName(): string {
  const command = process.argv.slice(2).find((a) => !a.startsWith('-')) ?? 'node';
  return `paperboy ${command} (pid ${process.pid})`.slice(0, 63);
}
