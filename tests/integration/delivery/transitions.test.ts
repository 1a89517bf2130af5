// Every guarded statement of the delivery state machine, run against a delivery in every status: it
// changes the delivery exactly when the transition table (src/model/delivery-status.ts) lets it,
// to the status the table says, and leaves it as it was otherwise. Together the statements make every
// transition of the table. The table against the diagrams: tests/unit/deliver/delivery-status.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDeliveries, markBounced, markFailed, markSent, markUnknown, releaseClaims, scheduleRetry } from '../../../src/db/deliveries.ts';
import type { Held } from '../../../src/model/delivery.ts';
import { eraseSubscriber } from '../../../src/db/erase-subscriber.ts';
import { markHanded, markSkipped } from '../../../src/db/hand-over.ts';
import { requeueDelivery, requeueFailed, resolveUnknownDeliveries } from '../../../src/db/operator-deliveries.ts';
import { recoverOrphans, registerWorker } from '../../../src/db/workers.ts';
import { DELIVERY_STATUSES, TRANSITIONS, type DeliveryStatus, type TransitionName } from '../../../src/model/delivery-status.ts';
import { openTestDatabase, type TestDatabase } from '../../support/databases.ts';
import { insertReadyDigest } from '../../support/ready-digest.ts';

let t: TestDatabase;
let digestId: number;
let next = 0;
const WORKER = 'transitions-worker';
const failure = { code: 'SMTP_550', error: 'refused', response: '550 no' };

beforeAll(async () => {
  t = await openTestDatabase('postgres');
  const { sql } = t.db;
  // registered, but holding no lock: a gone worker for recovery, the claim's owner for the sender's statements
  await registerWorker(sql, WORKER, 'test');
  digestId = await insertReadyDigest(sql, 'transitions');
});
afterAll(async () => {
  await t?.close();
});

/** A new active reader with one delivery of the digest in `status`, held by WORKER at attempt 1. */
async function deliveryIn(status: DeliveryStatus): Promise<Held & { subscriberId: number; emailKey: string }> {
  const { sql } = t.db;
  const emailKey = `reader-${process.pid}-${next++}@example.test`;
  const s = await sql.query<{ id: number }>(
    `INSERT INTO subscriber (email, email_key, status, token_nonce, updated_at) VALUES ($1, $1, 'active', 'n', now()) RETURNING id`,
    [emailKey],
  );
  const subscriberId = s.rows[0]!.id;
  const d = await sql.query<{ id: number }>(
    `INSERT INTO delivery (digest_id, subscriber_id, papers, status, worker_id, attempt, message_id, claimed_at, handed_at)
     VALUES ($1, $2, '[]'::jsonb, $3::"DeliveryStatus", $4, 1, 'delivery-test@example.test', now(), now()) RETURNING id`,
    [digestId, subscriberId, status, WORKER],
  );
  return { id: d.rows[0]!.id, attempt: 1, subscriberId, emailKey };
}

const statusOf = async (id: number) =>
  (await t.db.sql.query<{ status: string }>('SELECT status::text AS status FROM delivery WHERE id = $1', [id])).rows[0]!.status;

/** Puts a delivery out of every statement's reach once its case is done (nothing leaves skipped). */
const park = (id: number) => t.db.sql.query(`UPDATE delivery SET status = 'skipped', worker_id = NULL WHERE id = $1`, [id]);

type Target = Awaited<ReturnType<typeof deliveryIn>>;

/** Each statement, run on one delivery, with the transitions it makes. */
const STATEMENTS: Array<{ name: string; makes: TransitionName[]; run: (d: Target) => Promise<unknown> }> = [
  { name: 'claimDeliveries', makes: ['claim'], run: () => claimDeliveries(t.db.sql, WORKER, 10, 'example.test') },
  { name: 'markHanded', makes: ['hand'], run: (d) => markHanded(t.db.sql, WORKER, [d]) },
  { name: 'markSkipped', makes: ['skip'], run: (d) => markSkipped(t.db.sql, WORKER, d, { code: 'nothing_new', error: 'nothing new' }) },
  { name: 'releaseClaims', makes: ['release'], run: (d) => releaseClaims(t.db.sql, WORKER, [d]) },
  { name: 'scheduleRetry', makes: ['retry'], run: (d) => scheduleRetry(t.db.sql, WORKER, d, 60_000, failure) },
  { name: 'markFailed', makes: ['fail'], run: (d) => markFailed(t.db.sql, WORKER, d, failure) },
  { name: 'markSent', makes: ['sent'], run: (d) => markSent(t.db.sql, WORKER, [{ ...d, response: '250 ok' }]) },
  { name: 'markUnknown', makes: ['no-reply'], run: (d) => markUnknown(t.db.sql, WORKER, d, { code: 'NO_REPLY', error: 'no reply', exchange: '.' }) },
  { name: 'recoverOrphans', makes: ['release-gone', 'worker-gone'], run: () => recoverOrphans(t.db.sql) },
  {
    name: 'requeueDelivery',
    makes: ['resend'],
    run: (d) => requeueDelivery(t.db.sql, { digestId, emailKey: d.emailKey, confirmed: true, attempt: d.attempt, repeatSeconds: 60 }),
  },
  { name: 'requeueFailed', makes: ['resend-failed'], run: () => requeueFailed(t.db.sql, digestId) },
  { name: 'resolveUnknownDeliveries sent', makes: ['resolve-sent'], run: (d) => resolveUnknownDeliveries(t.db.sql, [d.id], null, 'sent', 'test') },
  { name: 'resolveUnknownDeliveries resend', makes: ['resolve-resend'], run: (d) => resolveUnknownDeliveries(t.db.sql, [d.id], null, 'resend', 'test') },
  {
    name: 'markBounced',
    makes: ['bounce'],
    run: (d) =>
      t.db.prisma.$transaction((tx) => markBounced(tx, { deliveryId: d.id, attempt: d.attempt, code: 'bounce:5.1.1', reason: 'bounced', at: new Date() })),
  },
  { name: 'eraseSubscriber', makes: ['erase'], run: (d) => eraseSubscriber(t.db.sql, d.subscriberId, { now: new Date(), mailLeaseMs: 60_000 }) },
];

/** What the table says a statement making `makes` does to a delivery in `status`. */
function expected(makes: TransitionName[], status: DeliveryStatus): DeliveryStatus {
  const moves = makes.filter((name) => (TRANSITIONS[name].from as readonly string[]).includes(status));
  expect(moves.length, `${makes.join(', ')} from ${status}: one transition at most`).toBeLessThanOrEqual(1);
  return moves.length === 1 ? TRANSITIONS[moves[0]!].to : status;
}

describe('delivery transitions as the statements make them', () => {
  it('the statements make every transition of the table, each once', () => {
    const made = STATEMENTS.flatMap((s) => s.makes).sort();
    expect(made).toEqual(Object.keys(TRANSITIONS).sort());
  });

  for (const statement of STATEMENTS) {
    it(`${statement.name}: from every status, what the table says (${statement.makes.join(', ')})`, async () => {
      const seen: Record<string, string> = {};
      const want: Record<string, string> = {};
      for (const status of DELIVERY_STATUSES) {
        const d = await deliveryIn(status);
        await statement.run(d);
        seen[status] = await statusOf(d.id);
        want[status] = expected(statement.makes, status);
        await park(d.id);
      }
      expect(seen).toEqual(want);
      // it did change something: the table gives every statement at least one status to start from
      expect(Object.entries(seen).some(([from, to]) => from !== to)).toBe(true);
    });
  }
});
