// The database goes away in the middle of a `paperboy send` (every connection to it cut, new ones
// refused — what a restart looks like to a client): the sender hands nothing more to the relay at
// once — only the messages already on their way arrive — records what it sent when the database is
// back, and sends the rest: every reader gets exactly one copy, nothing unknown. Before the handed
// mark, `send` went on mailing for a second and the resend then duplicated what it had not recorded.
import pg from 'pg';
import { describe, expect, vi } from 'vitest';
import { digestDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { ingestSeeds, insertReaders, type TestApp } from '../../support/app.ts';
import { collect, startCli } from '../../support/cli.ts';
import { deliveryTest as it } from '../../support/delivery-test.ts';

/** SEND_CONCURRENCY: messages on their way at once */
const SLOTS = 4;

/** Closes the test database to every client (or opens it again), as a restart would. */
async function setAway(a: TestApp, away: boolean) {
  const name = new URL(a.databaseUrl!).pathname.slice(1);
  const admin = new pg.Client({ connectionString: new URL('/postgres', a.databaseUrl).toString() });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${away ? 'false' : 'true'}`);
    if (away) await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  } finally {
    await admin.end();
  }
}

describe('the database goes away mid-send', () => {
  it('nothing more is handed over while it is away; when it is back every outcome is recorded and the rest sent, each once', async ({ delivery }) => {
    // replies take a moment, so messages are in flight when the database goes
    const { app, relay } = await delivery.withFaultRelay({ pick: () => ({ kind: 'late-reply', delayMs: 40 }) });
    await ingestSeeds(app);
    await insertReaders(app, 300);
    const built = await buildDigest(digestDeps(app.ctx));
    expect(built.kind === 'built' && built.deliveries).toBe(300);
    await app.ctx.close(); // this test's own connections would be cut too: reopen later

    const send = startCli(['send'], { ...app.env, SMTP_URL: relay.url, SEND_CONCURRENCY: String(SLOTS), LOG_LEVEL: 'warn' });
    let stderr = '';
    send.stderr!.on('data', (d) => (stderr += d));
    const done = collect(send, 120_000);
    await relay.waitForTaken(60, 60_000);
    await setAway(app, true);
    const atCut = relay.seen.length;
    // Not a time but the point where the sender can hand nothing more: each of its send slots took the
    // next delivery, was refused its handed mark (the database is away) and now waits to give the claim
    // back — one `delivery.record_retry` of a release per slot. A slot takes nothing else meanwhile,
    // and claiming more needs the database. Should it go on handing instead, the wait ends as soon as
    // more than what was in flight reached the relay, and the check below fails.
    const releasesWaiting = () => stderr.split('\n').filter((l) => l.includes('"event":"delivery.record_retry"') && l.includes('"outcome":"released"')).length;
    await vi.waitFor(
      () => {
        if (releasesWaiting() < SLOTS && relay.seen.length - atCut <= SLOTS)
          throw new Error(`${releasesWaiting()} of ${SLOTS} send slots stopped: ${stderr.slice(-1500)}`);
      },
      { timeout: 30_000, interval: 50 },
    );
    // only what was already on its way when the database went reached the relay
    expect(relay.seen.length - atCut).toBeLessThanOrEqual(SLOTS);
    expect(releasesWaiting()).toBe(SLOTS);

    await setAway(app, false);
    const result = await done;
    expect(result.code, result.stderr.slice(-1500)).toBe(0);
    expect(result.stdout).toMatch(/^sent 300, failed 0, retried 0 /);
    expect(result.stderr).toMatch(/"event":"sender\.database_unavailable"|"event":"worker\.lock_lost"/);

    const check = new pg.Client({ connectionString: app.databaseUrl });
    await check.connect();
    try {
      const { rows } = await check.query<{ status: string; n: string }>('SELECT status::text AS status, count(*) AS n FROM delivery GROUP BY status');
      expect(Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))).toEqual({ sent: 300 });
    } finally {
      await check.end();
    }
    const copies = new Map<string, number>();
    for (const m of relay.taken) copies.set(m.to, (copies.get(m.to) ?? 0) + 1);
    expect(copies.size).toBe(300);
    expect([...copies.values()].every((n) => n === 1)).toBe(true);
  }, 180_000);
});
