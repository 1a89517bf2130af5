import type { Command } from 'commander';
import { dkimRecord } from '../../deliver/dkim.ts';
import { CliError, cliEnv } from '../run.ts';

export function registerDkimRecord(program: Command): void {
  program
    .command('dkim-record')
    .description('print the DNS TXT record that publishes the DKIM key (DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY[_FILE])')
    .action(() => {
      const { config } = cliEnv();
      if (!config.dkim) throw new CliError('DKIM is off: set DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY or DKIM_PRIVATE_KEY_FILE');
      const record = dkimRecord(config.dkim);
      // one zone-file line; the value split in quoted strings of at most 255 characters (RFC 1035 TXT)
      const strings = record.value
        .match(/.{1,255}/g)!
        .map((s) => `"${s}"`)
        .join(' ');
      process.stdout.write(`${record.name}. IN TXT ( ${strings} )\n`);
    });
}
