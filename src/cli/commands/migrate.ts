import type { Command } from 'commander';
import { openDatabase } from '../../db/database.ts';
import { migrate } from '../../db/migrate.ts';
import { cliEnv } from '../run.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (every other command also does this first)')
    .action(async () => {
      const { config, log } = cliEnv();
      const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, log });
      try {
        const result = await migrate(db.pgConfig, log);
        const applied = result.applied.length ? `applied ${result.applied.join(', ')}` : 'already up to date';
        process.stdout.write(`${db.description}: ${applied}\n`);
        for (const name of result.modified) process.stdout.write(`warning: ${name} changed after it was applied\n`);
      } finally {
        await db.close();
      }
    });
}
