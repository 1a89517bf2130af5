// PostgreSQL's CPU per statement of the send (issue 23): the claim, the hand-over and the sent record,
// run one after another on ONE connection in the send's batch sizes (claims of 32, hand-overs of 3 —
// what the group commit gathers at concurrency 8 — and sent records of 16), over BENCH_DELIVERIES
// queued deliveries (default 4,000) built as the send benchmark builds them. The backend's CPU is read
// from /proc/<pid>/schedstat (nanoseconds, kernel time included: the commits' WAL writes) around each
// statement, so the figures hardly move with the machine's load, and neither paperboy's nor the sink's
// CPU is in them. Linux, PostgreSQL on this machine (BENCH_PG). No SMTP: nothing is mailed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { digestDeps, ingestDeps } from '../src/app/deps.ts';
import { claimDeliveries, markSent } from '../src/db/deliveries.ts';
import { markHanded } from '../src/db/hand-over.ts';
import { buildDigest } from '../src/digest/build-digest.ts';
import { ingestInputs } from '../src/ingest/ingest-inputs.ts';
import { benchContext, freshBenchDatabase, insertSubscribers } from './support/bench-db.ts';
import { report, round } from './support/measure.ts';
import { SEND_TOPICS } from './support/topics.ts';

const COUNT = Number(process.env.BENCH_DELIVERIES ?? 4_000);
const CLAIM = 32;
const HAND = 3;
const SENT = 16;
const WORKER = 'bench-statements';

const database = await freshBenchDatabase('statements');
const { ctx } = await benchContext({ DATABASE_URL: database.url, SMTP_URL: 'smtp://127.0.0.1:2525' });
// one connection, as a sender's connection sees it (paperboy's settings: JIT off)
const pool = new pg.Pool({ connectionString: database.url, max: 1 });
pool.on('connect', (client) => void client.query('SET jit = off'));
try {
  await ingestInputs(ingestDeps(ctx), [path.resolve(import.meta.dirname, '../seeds')]);
  await insertSubscribers(ctx, COUNT, (i) => [SEND_TOPICS[i % SEND_TOPICS.length]!]);
  const built = await buildDigest(digestDeps(ctx));
  if (built.kind !== 'built' || built.deliveries !== COUNT) throw new Error(`expected ${COUNT} deliveries, got ${JSON.stringify(built.kind)}`);

  const pid = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const backendMs = () => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  const kinds = { claim: { ms: 0, calls: 0 }, handOver: { ms: 0, calls: 0 }, sentRecord: { ms: 0, calls: 0 } };
  const timed = async <T>(kind: keyof typeof kinds, statement: () => Promise<T>): Promise<T> => {
    const before = backendMs();
    const value = await statement();
    kinds[kind].ms += backendMs() - before;
    kinds[kind].calls++;
    return value;
  };

  let sent = 0;
  let after = 0;
  for (;;) {
    const claimed = await timed('claim', () => claimDeliveries(pool, WORKER, CLAIM, 'localhost', after));
    if (claimed.length === 0) break;
    after = Math.max(after, ...claimed.map((c) => c.id));
    const handed = [];
    for (let i = 0; i < claimed.length; i += HAND) {
      const batch = claimed.slice(i, i + HAND).map((c) => ({ id: c.id, attempt: c.attempt }));
      const result = await timed('handOver', () => markHanded(pool, WORKER, batch));
      handed.push(...batch.filter((h) => result.handed.includes(h.id)));
    }
    for (let i = 0; i < handed.length; i += SENT) {
      const batch = handed.slice(i, i + SENT).map((h) => ({ ...h, response: '250 2.0.0 Ok' }));
      sent += (await timed('sentRecord', () => markSent(pool, WORKER, batch))).length;
    }
  }
  const per = ({ ms, calls }: { ms: number; calls: number }) => ({ calls, msPerCall: round(ms / calls, 3), msPerMessage: round(ms / sent, 3) });
  const total = kinds.claim.ms + kinds.handOver.ms + kinds.sentRecord.ms;
  report('send-statements', {
    deliveries: COUNT,
    sent,
    batches: { claim: CLAIM, handOver: HAND, sentRecord: SENT },
    claim: per(kinds.claim),
    handOver: per(kinds.handOver),
    sentRecord: per(kinds.sentRecord),
    msPerMessage: round(total / sent, 3),
  });
} finally {
  await pool.end();
  await ctx.close();
  await database.drop();
}
