// Where the embedded PostgreSQL keeps its things under DATA_DIR, and the settings it runs with.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

export const EMBEDDED_PORT = 5432;
/** The database paperboy uses in the embedded cluster (initdb's own). */
export const EMBEDDED_DATABASE = 'postgres';
export const EMBEDDED_USER = 'postgres';

export interface EmbeddedLayout {
  dataDir: string;
  /** the cluster's data folder (PGDATA): DATA_DIR/postgres */
  pgdata: string;
  /** the folder of the Unix socket: PGDATA itself, or a short folder in the temp dir if that path is too long */
  socketDir: string;
  /** the server's log (stderr of the postmaster) */
  log: string;
  /** where an earlier paperboy kept its PGlite database */
  pglite: string;
}

/** sun_path is 104 bytes on macOS, 108 on Linux, with the terminating NUL. */
const MAX_SOCKET_PATH = 100;

export function embeddedLayout(dataDir: string): EmbeddedLayout {
  const root = path.resolve(dataDir);
  const pgdata = path.join(root, 'postgres');
  const socketInData = path.join(pgdata, `.s.PGSQL.${EMBEDDED_PORT}`);
  const socketDir =
    Buffer.byteLength(socketInData) <= MAX_SOCKET_PATH
      ? pgdata
      : path.join(os.tmpdir(), `paperboy-pg-${createHash('sha256').update(pgdata).digest('hex').slice(0, 16)}`);
  return { dataDir: root, pgdata, socketDir, log: path.join(root, 'postgres.log'), pglite: path.join(root, 'pglite') };
}

/**
 * Small settings for one machine: no TCP listener (the Unix socket only), a 32 MB buffer pool, few
 * background processes. Passed on the command line at every start, so an upgrade of paperboy
 * changes them for existing clusters too.
 */
export function serverSettings(layout: EmbeddedLayout): Record<string, string> {
  return {
    listen_addresses: '',
    port: String(EMBEDDED_PORT),
    unix_socket_directories: layout.socketDir,
    unix_socket_permissions: '0700',
    max_connections: '50',
    shared_buffers: '32MB',
    work_mem: '4MB',
    maintenance_work_mem: '32MB',
    // no I/O worker processes (PostgreSQL 18), no parallel workers, no replication
    io_method: 'sync',
    max_worker_processes: '2',
    max_parallel_workers: '0',
    max_parallel_workers_per_gather: '0',
    max_parallel_maintenance_workers: '0',
    max_logical_replication_workers: '0',
    autovacuum_max_workers: '2',
    wal_level: 'minimal',
    max_wal_senders: '0',
    max_wal_size: '64MB',
    min_wal_size: '32MB',
    jit: 'off',
    timezone: 'UTC',
    log_timezone: 'UTC',
    log_checkpoints: 'off',
  };
}
