// `paperboy` — the command line. Each command lives in commands/<name>.ts.
import { Command } from 'commander';
import { registerIngest } from './commands/ingest.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerPreview } from './commands/preview.ts';
import { fail } from './run.ts';

const program = new Command()
  .name('paperboy')
  .description('Trending research papers in your inbox: ingest snapshots of Hugging Face Daily Papers, match topics, mail digests.')
  .showHelpAfterError('(paperboy --help lists every command)')
  .configureHelp({ sortSubcommands: false });

registerMigrate(program);
registerIngest(program);
registerPreview(program);

program.parseAsync(process.argv).catch(fail);
