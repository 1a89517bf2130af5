// `paperboy` — the command line. Each command lives in commands/<name>.ts.
import './memory.ts'; // first: V8 settings that must be in place before anything is compiled
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerDb } from './commands/db.ts';
import { registerDigest } from './commands/digest.ts';
import { registerDigests } from './commands/digests.ts';
import { registerDkimRecord } from './commands/dkim-record.ts';
import { registerIngest } from './commands/ingest.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerPreview } from './commands/preview.ts';
import { registerRelevance } from './commands/relevance.ts';
import { registerResend } from './commands/resend.ts';
import { registerResolve } from './commands/resolve.ts';
import { registerRetention } from './commands/retention.ts';
import { registerRunOnce } from './commands/run-once.ts';
import { registerSend } from './commands/send.ts';
import { registerServe } from './commands/serve.ts';
import { registerSubscriber } from './commands/subscriber.ts';
import { registerSubscriptionMails } from './commands/subscription-mails.ts';
import { fail } from './run.ts';

// package.json is two folders up from both src/cli/ and dist/cli/ (and is in the image)
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command()
  .name('paperboy')
  .version(version, '-V, --version', 'print the version of paperboy')
  .description('Trending research papers in your inbox: ingest snapshots of Hugging Face Daily Papers, match topics, mail digests.')
  .showHelpAfterError('(paperboy --help lists every command)')
  .configureHelp({ sortSubcommands: false });

registerServe(program);
registerMigrate(program);
registerIngest(program);
registerDigest(program);
registerSend(program);
registerRunOnce(program);
registerPreview(program);
registerDigests(program);
registerResend(program);
registerResolve(program);
registerRelevance(program);
registerRetention(program);
registerSubscriptionMails(program);
registerSubscriber(program);
registerDb(program);
registerDkimRecord(program);

program.parseAsync(process.argv).catch(fail);
