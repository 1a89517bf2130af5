// The chaos run: real `paperboy serve` processes send one digest to a fault relay that picks a fault
// per message (seeded), while senders are SIGKILLed and restarted every few seconds and the database
// is killed once; at the end an operator settles the unknown deliveries from the relay's truth.
// It then checks the promise against what the relay actually took:
//   - no delivery is left queued, claimed or handed;
//   - the relay took each (delivery, attempt) — each Message-ID — at most once;
//   - every sent delivery was taken by the relay, and its papers are mailed papers;
//   - every message the relay took belongs to a delivery recorded sent or unknown;
//   - after the operator: every reader with a sent delivery got exactly one copy, the others none.
// Used by tests/integration/delivery/chaos.test.ts (a short run) and `npm run chaos` (a long one).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { createContext } from '../../src/app/context.ts';
import { digestDeps, ingestDeps } from '../../src/app/deps.ts';
import { loadConfig } from '../../src/config/config.ts';
import { newNonce } from '../../src/db/subscribers.ts';
import { buildDigest } from '../../src/digest/build-digest.ts';
import { ingestInputs } from '../../src/ingest/ingest-inputs.ts';
import { createLogger } from '../../src/log/logger.ts';
import { startFaultRelay, type ConnectionFault, type Fault, type FaultRelay } from '../support/fault-relay.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/paperboy.js');
const SEEDS = path.join(ROOT, 'seeds');

/** The database under test, and how to kill it. */
export interface ChaosDatabase {
  kind: 'postgres' | 'embedded';
  /** what every paperboy process gets: DATABASE_URL, or DATA_DIR for the embedded database */
  env: Record<string, string>;
  /** how the harness itself watches progress (a plain client, reconnected when the database is away) */
  pgConfig(): pg.ClientConfig;
  /** SIGKILL the database server */
  kill(): Promise<void>;
  /** bring it back after a kill (PostgreSQL: as a supervisor would; embedded: paperboy itself does) */
  recover(): Promise<void>;
  /** keep it running for the checks once the senders are gone (the embedded one stops with its last user) */
  hold(): Promise<void>;
}

export interface ChaosOptions {
  seed: number;
  deliveries: number;
  senders: number;
  /** mean time between two sender kills */
  killEveryMs: number;
  /** kill the database once, when this share of the deliveries is settled (0: never) */
  killDatabaseAt: number;
  database: ChaosDatabase;
  /** give up after this long */
  timeoutMs: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  database: string;
  deliveries: number;
  senders: number;
  senderKills: number;
  databaseKills: number;
  seconds: number;
  beforeOperator: Record<string, number>;
  unknown: { total: number; takenByRelay: number; byCode: Record<string, number> };
  relay: { messagesSeen: number; taken: number; faults: Record<string, number> };
  operator: { markedSent: number; resent: number };
  final: Record<string, number>;
  violations: string[];
}

/** mulberry32: a small seeded generator, so a run can be repeated. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The faults and how often: most messages are accepted, every kind of trouble shows up. */
export function faultPicker(random: () => number): () => Fault {
  const table: Array<[number, () => Fault]> = [
    [0.04, () => ({ kind: 'rcpt-451' })],
    [0.01, () => ({ kind: 'rcpt-452' })],
    [0.02, () => ({ kind: 'rcpt-550' })],
    [0.02, () => ({ kind: 'data-554' })],
    [0.02, () => ({ kind: 'drop-mid-data' })],
    [0.02, () => ({ kind: 'drop-after-dot', keep: random() < 0.5 })],
    [0.01, () => ({ kind: 'stall-after-dot', keep: random() < 0.5 })],
    [0.02, () => ({ kind: 'late-reply', delayMs: 200 + Math.round(random() * 800) })], // within SMTP_REPLY_TIMEOUT
    [0.01, () => ({ kind: 'late-reply', delayMs: 2_500 })], // beyond it
  ];
  return () => {
    let r = random();
    for (const [p, fault] of table) {
      if (r < p) return fault();
      r -= p;
    }
    return { kind: 'accept' };
  };
}

const SENDER_ENV = {
  PORT: '0',
  HOST: '127.0.0.1',
  INGEST_CRON: '0 0 1 1 *',
  DIGEST_CRON: '0 0 1 1 *',
  SEND_CONCURRENCY: '4',
  SEND_MAX_TRIES: '3',
  SEND_RETRY_DELAY: '100ms',
  SEND_MAX_ERRORS: '1000000',
  SMTP_TIMEOUT: '1s',
  SMTP_REPLY_TIMEOUT: '2s',
  SHUTDOWN_TIMEOUT: '5s',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'test',
};

function spawnPaperboy(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, SNAPSHOT_SOURCE: SEEDS, ...SENDER_ENV, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.resume(); // read and drop: a full pipe would stall it
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...SENDER_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One statement on a fresh connection; null while the database is away. */
async function ask<T extends pg.QueryResultRow>(db: ChaosDatabase, text: string, params: unknown[] = []): Promise<T[] | null> {
  const client = new pg.Client(db.pgConfig());
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.query<T>(text, params)).rows;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function statusCounts(db: ChaosDatabase): Promise<Record<string, number> | null> {
  const rows = await ask<{ status: string; n: string }>(db, 'SELECT status::text AS status, count(*) AS n FROM delivery GROUP BY status');
  return rows && Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const random = seeded(options.seed);
  const pick = faultPicker(seeded(options.seed ^ 0x5eed));
  const connectionRandom = seeded(options.seed ^ 0xc0ffee);
  const relay: FaultRelay = await startFaultRelay({
    pick: () => pick(),
    connectionFault: (): ConnectionFault => (connectionRandom() < 0.01 ? { kind: 'greeting-421' } : { kind: 'none' }),
  });
  const db = options.database;
  const env = { ...db.env, SMTP_URL: relay.url };
  const started = Date.now();
  const violations: string[] = [];
  const senders: ChildProcess[] = [];
  let senderKills = 0;
  let databaseKills = 0;
  try {
    // The digest: seeds, readers whose topics catch a new paper, one delivery each.
    const ctx = await createContext(loadConfig({ env: { ...env, LOG_LEVEL: 'warn' } }), createLogger({ level: 'warn' }));
    try {
      await ingestInputs(ingestDeps(ctx), [SEEDS]);
      for (let start = 0; start < options.deliveries; start += 5000) {
        const n = Math.min(5000, options.deliveries - start);
        await ctx.db.prisma.subscriber.createMany({
          data: Array.from({ length: n }, (_, k) => {
            const email = `reader${start + k}@example.org`;
            return { email, emailKey: email, topics: ['scaling laws'], status: 'active' as const, tokenNonce: newNonce() };
          }),
        });
      }
      const built = await buildDigest(digestDeps(ctx));
      if (built.kind !== 'built' || built.deliveries !== options.deliveries)
        throw new Error(`chaos: expected ${options.deliveries} deliveries, got ${JSON.stringify(built.kind)}`);
    } finally {
      await ctx.close();
    }
    log(`chaos: ${options.deliveries} deliveries queued; ${options.senders} senders on ${db.kind}`);

    for (let i = 0; i < options.senders; i++) senders.push(spawnPaperboy(['serve'], env));

    // Kill and restart senders; kill the database once; until nothing is left to send.
    let nextKill = Date.now() + options.killEveryMs * (0.5 + random());
    let settledPolls = 0;
    for (;;) {
      if (Date.now() - started > options.timeoutMs) throw new Error(`chaos: not done after ${options.timeoutMs} ms`);
      await sleep(250);
      if (Date.now() >= nextKill) {
        const i = Math.floor(random() * senders.length);
        senders[i]!.kill('SIGKILL');
        await exited(senders[i]!);
        senderKills++;
        senders[i] = spawnPaperboy(['serve'], env);
        nextKill = Date.now() + options.killEveryMs * (0.5 + random());
      }
      const counts = await statusCounts(db);
      if (!counts) continue; // the database is away
      const settled = (counts.sent ?? 0) + (counts.failed ?? 0) + (counts.unknown ?? 0);
      if (options.killDatabaseAt > 0 && databaseKills === 0 && settled >= options.deliveries * options.killDatabaseAt) {
        log(`chaos: killing the database at ${settled} settled`);
        await db.kill();
        databaseKills++;
        await sleep(1_000 + Math.round(random() * 2_000));
        await db.recover();
        continue;
      }
      const open = (counts.queued ?? 0) + (counts.claimed ?? 0) + (counts.handed ?? 0);
      settledPolls = open === 0 ? settledPolls + 1 : 0;
      if (settledPolls >= 3) break;
    }
    await db.hold();
    await Promise.all(senders.map(async (s) => (s.kill('SIGTERM'), exited(s))));
    senders.length = 0;

    const beforeOperator = (await statusCounts(db)) ?? {};
    const rows =
      (await ask<{ id: number; email: string; status: string; attempt: number; message_id: string | null; error_code: string | null; papers: string }>(
        db,
        `SELECT d.id, s.email, d.status::text AS status, d.attempt, d.message_id, d.error_code, jsonb_array_length(d.papers)::text AS papers
           FROM delivery d JOIN subscriber s ON s.id = d.subscriber_id ORDER BY d.id`,
      )) ?? [];
    const byMessageId = new Map(rows.map((r) => [r.message_id, r]));

    for (const [id, n] of countBy(relay.taken.map((m) => m.messageId ?? '?'))) if (n > 1) violations.push(`the relay took ${id} ${n} times`);
    for (const m of relay.taken) {
      const row = m.messageId ? byMessageId.get(m.messageId) : undefined;
      if (!row || (row.status !== 'sent' && row.status !== 'unknown'))
        violations.push(`the relay took ${m.messageId} but its delivery is ${row?.status ?? 'missing'}`);
    }
    for (const r of rows) {
      if (r.status === 'queued' || r.status === 'claimed' || r.status === 'handed') violations.push(`delivery ${r.id} left ${r.status}`);
      if (r.status === 'sent' && relay.takenBy(r.message_id!) !== 1)
        violations.push(`delivery ${r.id} is sent but the relay took ${r.message_id} ${relay.takenBy(r.message_id!)} times`);
      if (r.status === 'failed' && r.message_id && relay.takenBy(r.message_id) !== 0) violations.push(`delivery ${r.id} failed but the relay took it`);
    }
    const unknownRows = rows.filter((r) => r.status === 'unknown');
    const unknown = {
      total: unknownRows.length,
      takenByRelay: unknownRows.filter((r) => relay.takenBy(r.message_id!) > 0).length,
      byCode: Object.fromEntries(countBy(unknownRows.map((r) => r.error_code ?? '?'))),
    };

    // The operator: the relay's log says which unknown ones it took.
    const had = unknownRows.filter((r) => relay.takenBy(r.message_id!) > 0).map((r) => String(r.id));
    const lost = unknownRows.filter((r) => relay.takenBy(r.message_id!) === 0).map((r) => String(r.id));
    for (const [ids, flag] of [
      [had, '--sent'],
      [lost, '--resend'],
    ] as const) {
      for (let i = 0; i < ids.length; i += 500) {
        const result = await run(['resolve', ...ids.slice(i, i + 500), flag], env);
        if (result.code !== 0) violations.push(`resolve ${flag} exited ${result.code}: ${result.stderr.trim().split('\n').at(-1)}`);
      }
    }
    relay.setPick(() => ({ kind: 'accept' }));
    const last = await run(['send'], env);
    if (last.code !== 0) violations.push(`the last send exited ${last.code}: ${last.stderr.trim().split('\n').at(-1)}`);

    const final = (await statusCounts(db)) ?? {};
    const finalRows =
      (await ask<{ email: string; status: string; papers: string; mailed: string }>(
        db,
        `SELECT s.email, d.status::text AS status, jsonb_array_length(d.papers)::text AS papers,
              (SELECT count(*) FROM mailed_paper m WHERE m.delivery_id = d.id)::text AS mailed
         FROM delivery d JOIN subscriber s ON s.id = d.subscriber_id`,
      )) ?? [];
    const copies = countBy(relay.taken.map((m) => m.to));
    for (const r of finalRows) {
      const got = copies.get(r.email) ?? 0;
      if (r.status === 'sent' && got !== 1) violations.push(`${r.email} is sent and got ${got} copies`);
      if (r.status === 'failed' && got !== 0) violations.push(`${r.email} failed and got ${got} copies`);
      if (r.status !== 'sent' && r.status !== 'failed') violations.push(`${r.email} ends ${r.status}`);
      if (r.status === 'sent' && r.mailed !== r.papers) violations.push(`${r.email} is sent but ${r.mailed} of ${r.papers} papers are mailed papers`);
    }
    return {
      seed: options.seed,
      database: db.kind,
      deliveries: options.deliveries,
      senders: options.senders,
      senderKills,
      databaseKills,
      seconds: Math.round((Date.now() - started) / 1000),
      beforeOperator,
      unknown,
      relay: { messagesSeen: relay.seen.length, taken: relay.taken.length, faults: Object.fromEntries(countBy(relay.seen.map((m) => m.fault))) },
      operator: { markedSent: had.length, resent: lost.length },
      final,
      violations,
    };
  } finally {
    for (const s of senders) s.kill('SIGKILL');
    await relay.close();
  }
}

function countBy<T>(items: T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}
