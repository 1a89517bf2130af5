// `paperboy db status|stop|import-pglite`: the embedded database from outside. Every other command
// starts it as needed and the last paperboy process to exit stops it; `db stop` is for a server
// left running by a process that was killed, or before copying DATA_DIR (the embedded backup);
// `db import-pglite` brings over the database of an earlier paperboy.
import type { Command } from 'commander';
import { embeddedStatus, stopEmbedded } from '../../db/embedded/admin.ts';
import { importPglite } from '../../db/embedded/import-pglite.ts';
import { CliError, cliEnv } from '../run.ts';

export function registerDb(program: Command): void {
  const db = program.command('db').description('the embedded database (DATA_DIR/postgres): status, stop, import from an earlier paperboy');

  db.command('status')
    .description('whether the embedded database is running, and which paperboy processes use it')
    .action(async () => {
      const { config } = cliEnv();
      if (config.DATABASE_URL) return void process.stdout.write('DATABASE_URL is set: paperboy uses that PostgreSQL, not the embedded database\n');
      const s = await embeddedStatus(config.DATA_DIR);
      const state = !s.exists
        ? 'not created yet (the first command creates it)'
        : s.state === 'ready'
          ? `running (pid ${s.pid})`
          : s.state === 'absent'
            ? 'stopped'
            : `${s.state} (pid ${s.pid})`;
      const lines = [`embedded PostgreSQL in ${s.pgdata}: ${state}`];
      if (s.exists) lines.push(`  size     ${(s.bytes / 1024 / 1024).toFixed(0)} MB`, `  socket   ${s.socketDir}`, `  log      ${s.log}`);
      const nobody = 'no paperboy process (it stops when the next one exits, or with `paperboy db stop`)';
      if (s.state === 'ready') lines.push(`  used by  ${s.members.length ? s.members.map((m) => m.name).join(', ') : nobody}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  db.command('stop')
    .description('stop the embedded database; refused while a paperboy process uses it (stop those first, or --force)')
    .option('--force', 'stop it even while paperboy processes use it (they lose their connections and start it again)')
    .action(async (options: { force?: boolean }) => {
      const { config } = cliEnv();
      if (config.DATABASE_URL) throw new CliError('DATABASE_URL is set: there is no embedded database to stop');
      const result = await stopEmbedded(config.DATA_DIR, { force: Boolean(options.force) });
      if (result.stopped) return void process.stdout.write('embedded database stopped\n');
      if (result.reason === 'not-running') return void process.stdout.write('embedded database is not running\n');
      if (result.reason === 'in-use')
        throw new CliError(`the embedded database is in use by ${result.members.map((m) => m.name).join(', ')}: stop those first (or --force)`);
      throw new CliError('the embedded database is still stopping after 30 s: see DATA_DIR/postgres.log');
    });

  db.command('import-pglite')
    .description('copy the database of an earlier paperboy (PGlite, DATA_DIR/pglite) into this one (needs `npm install --no-save @electric-sql/pglite@0.5.14`)')
    .action(async () => {
      const { config, log } = cliEnv();
      const result = await importPglite({
        dataDir: config.DATA_DIR,
        databaseUrl: config.DATABASE_URL,
        log,
        onTable: (table, rows) => process.stdout.write(`  ${table}: ${rows} rows\n`),
      });
      const skipped = result.skipped.length ? ` (${result.skipped.join(', ')}: no longer used, not copied)` : '';
      process.stdout.write(`imported into ${result.into}${skipped}; the PGlite folder is kept as ${result.keptAt}\n`);
    });
}
