// A short chaos run (the long one is `npm run chaos`, figures in bench/README.md): real `serve`
// processes killed and restarted while they send to a relay with a fault per message, the database
// killed once, the unknown deliveries settled by an operator from the relay's truth. The harness
// checks every invariant of the delivery log against what the relay actually took.
import { describe, expect, it } from 'vitest';
import { embeddedChaosDatabase, postgresChaosDatabase } from '../../chaos/databases.ts';
import { runChaos } from '../../chaos/harness.ts';
import { anyOf } from '../../support/matchers.ts';

describe('chaos', () => {
  it('PostgreSQL, 3 senders: SIGKILLs, a database kill, a faulty relay; nothing sent twice, nothing lost', async () => {
    const database = await postgresChaosDatabase();
    try {
      const report = await runChaos({ seed: 7, deliveries: 400, senders: 3, killEveryMs: 2_500, killDatabaseAt: 0.4, database, timeoutMs: 150_000 });
      expect(report.violations).toEqual([]);
      expect(report.senderKills).toBeGreaterThan(0);
      expect(report.databaseKills).toBe(1);
      expect(report.final).toMatchObject({ sent: anyOf(Number) });
      expect((report.final.sent ?? 0) + (report.final.failed ?? 0)).toBe(400);
      // the relay's faults were met: some refusals, some lost replies
      expect(report.beforeOperator.failed ?? 0).toBeGreaterThan(0);
      expect(report.unknown.total).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  }, 240_000);

  it('the embedded database, 2 senders: the same promise when the database they share is killed', async () => {
    const database = await embeddedChaosDatabase();
    try {
      const report = await runChaos({ seed: 11, deliveries: 300, senders: 2, killEveryMs: 3_000, killDatabaseAt: 0.4, database, timeoutMs: 150_000 });
      expect(report.violations).toEqual([]);
      expect(report.databaseKills).toBe(1);
      expect((report.final.sent ?? 0) + (report.final.failed ?? 0)).toBe(300);
    } finally {
      await database.close();
    }
  }, 240_000);
});
