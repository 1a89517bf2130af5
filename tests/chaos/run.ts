// npm run chaos [-- --database postgres|embedded] [--deliveries N] [--senders N] [--seed N] [--minutes N]
// The long chaos run (tests/chaos/harness.ts): one JSON report per database on stdout; exit 1 if an
// invariant was broken. Defaults: both databases, 20,000 deliveries, 3 senders on PostgreSQL and 2 on
// the embedded database, a sender killed every 4 s on average, the database killed once at 40 %.
import { parseArgs } from 'node:util';
import { embeddedChaosDatabase, postgresChaosDatabase } from './databases.ts';
import { runChaos } from './harness.ts';

const { values } = parseArgs({
  options: {
    database: { type: 'string' },
    deliveries: { type: 'string', default: '20000' },
    senders: { type: 'string' },
    seed: { type: 'string', default: '20261130' },
    'kill-every': { type: 'string', default: '4000' },
    minutes: { type: 'string', default: '30' },
  },
});
const kinds = values.database ? [values.database] : ['postgres', 'embedded'];
let broken = 0;
for (const kind of kinds) {
  if (kind !== 'postgres' && kind !== 'embedded') throw new Error(`--database: postgres or embedded (got ${kind})`);
  const database = kind === 'postgres' ? await postgresChaosDatabase() : await embeddedChaosDatabase();
  try {
    const report = await runChaos({
      seed: Number(values.seed),
      deliveries: Number(values.deliveries),
      senders: Number(values.senders ?? (kind === 'postgres' ? 3 : 2)),
      killEveryMs: Number(values['kill-every']),
      killDatabaseAt: 0.4,
      database,
      timeoutMs: Number(values.minutes) * 60_000,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`${JSON.stringify(report)}\n`);
    if (report.violations.length > 0) broken++;
  } finally {
    await database.close();
  }
}
process.exit(broken ? 1 : 0);
