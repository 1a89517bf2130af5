import path from 'node:path';

/** In the host process's command line: tells a live host from an unrelated process with a reused pid. */
export const HOST_MARKER = 'host-main';

/** Written by the host once it listens; read by every process that connects. */
export interface HostInfo {
  pid: number;
  startedAt: string;
  /** a folder holding .s.PGSQL.<port> (Unix socket), or 127.0.0.1 */
  host: string;
  port: number;
}

export function embeddedPaths(dataDir: string) {
  return {
    pgdata: path.join(dataDir, 'pglite'),
    lock: path.join(dataDir, 'pglite.lock'),
    info: path.join(dataDir, 'pglite.json'),
    log: path.join(dataDir, 'pglite-host.log'),
    socketDir: dataDir,
  };
}
