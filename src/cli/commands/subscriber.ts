// `paperboy subscriber export <email|id>` (everything stored about them, JSON on stdout) and
// `paperboy subscriber erase <email|id> [--yes]` (their data gone, a tombstone kept for the counts:
// src/privacy/subscriber-data.ts). Erasing asks first on a terminal; elsewhere it needs --yes.
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import {
  eraseSubscriberData,
  exportSubscriberData,
  parseSubscriberRef,
  privacyDeps,
  privacyRefusal,
  type SubscriberRef,
} from '../../privacy/subscriber-data.ts';
import { plural } from '../../log/plural.ts';
import { CliError, withContext } from '../run.ts';

function ref(text: string): SubscriberRef {
  const parsed = parseSubscriberRef(text);
  if (!parsed) throw new CliError(`not an email address or a subscriber id: ${JSON.stringify(text)}`, 2);
  return parsed;
}

async function confirmed(what: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(
      `Erase every piece of data of ${what}? Their address, topics, feedback and history go for good; counts stay. Type "erase" to go on: `,
    );
    return answer.trim().toLowerCase() === 'erase';
  } finally {
    rl.close();
  }
}

export function registerSubscriber(program: Command): void {
  const subscriber = program.command('subscriber').description("one subscriber's data: `export` it as JSON, or `erase` it (privacy requests)");

  subscriber
    .command('export')
    .description('print everything stored about one subscriber as JSON: address, topics, deliveries, feedback, bounces, subscription emails, reader model')
    .argument('<subscriber>', 'their email address (any case) or subscriber id')
    .action(async (text: string) => {
      const who = ref(text);
      await withContext(async (ctx) => {
        const result = await exportSubscriberData(privacyDeps(ctx), who, 'command line');
        if (result.kind !== 'exported') throw new CliError(privacyRefusal(who, result)!.message);
        process.stdout.write(`${JSON.stringify(result.data, null, 2)}\n`);
        return 0;
      });
    });

  subscriber
    .command('erase')
    .description(
      'erase one subscriber: address, topics, feedback, reader model, subscription emails, bounce details and mailed papers go; anonymous ' +
        'counts stay; never mailed again',
    )
    .argument('<subscriber>', 'their email address (any case) or subscriber id')
    .option('--yes', 'do not ask (needed when not on a terminal)')
    .action(async (text: string, options: { yes?: boolean }) => {
      const who = ref(text);
      if (!options.yes && !process.stdin.isTTY) throw new CliError('erasing cannot be undone: give --yes to erase without being asked', 2);
      if (!options.yes && !(await confirmed('id' in who ? `subscriber ${who.id}` : who.email))) throw new CliError('nothing erased', 1);
      await withContext(async (ctx) => {
        const result = await eraseSubscriberData(privacyDeps(ctx), who, 'command line');
        if (result.kind !== 'erased') throw new CliError(privacyRefusal(who, result)!.message);
        const r = result.removed;
        process.stdout.write(
          `erased subscriber ${result.subscriberId}: address and topics gone; removed ${plural(r.feedback, 'feedback mark')}, ` +
            `${plural(r.mailedPapers, 'mailed paper')}, ${plural(r.subscriptionMails, 'subscription email')}` +
            `${r.readerModel ? ', the reader model' : ''}; ` +
            (`kept anonymous for the counts: ${plural(r.deliveriesKept, 'delivery', 'deliveries')}, ` +
              `${plural(r.inboundReports, 'bounce or complaint report')}` +
              `${r.deliveriesStopped ? ` (${r.deliveriesStopped} not yet sent: never will be)` : ''}\n`),
        );
        return 0;
      });
    });
}
