// The composition root: builds the concrete things (configuration, logger, database, clock) once
// and passes them down in one object. Nothing connects to anything at import time.
import type { Config } from '../config/config.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import type { Logger } from '../log/logger.ts';

export interface AppContext {
  config: Config;
  log: Logger;
  db: Database;
  now: () => Date;
  close(): Promise<void>;
}

export interface ContextOptions {
  /** apply pending migrations first (every command but `migrate` itself, which reports them) */
  migrate?: boolean;
  poolSize?: number;
}

export async function createContext(config: Config, log: Logger, options: ContextOptions = {}): Promise<AppContext> {
  const db = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    log,
    logLevel: config.LOG_LEVEL,
    ...(options.poolSize ? { poolSize: options.poolSize } : {}),
  });
  try {
    if (options.migrate !== false) await migrate(db.pgConfig, log);
  } catch (err) {
    await db.close();
    throw err;
  }
  return {
    config,
    log,
    db,
    now: () => new Date(),
    close: () => db.close(),
  };
}
