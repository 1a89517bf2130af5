// The record writer against a fake SQL runner, the handover batcher against a fake statement (the statements themselves run
// against PostgreSQL in the integration tests): batching, group commit, retries while the database
// is away, giving up at the stop deadline, and what they log.
import { describe, expect, it, vi } from 'vitest';
import type { Sql } from '../../../src/db/database.ts';
import type { Held } from '../../../src/model/delivery.ts';
import type { HandOverResult } from '../../../src/db/hand-over.ts';
import { ClaimLostError, Handover, PapersTakenError, WorkerAwayError } from '../../../src/deliver/handover.ts';
import { RecordWriter } from '../../../src/deliver/record-writer.ts';
import { capturingLogger } from '../../support/logs.ts';

interface Call {
  text: string;
  params: unknown[];
}

/** A SQL runner that answers with `answer` and records every call; `down` makes it throw. */
function fakeSql(answer: (call: Call) => { rows: unknown[]; rowCount?: number }) {
  const calls: Call[] = [];
  let down = false;
  const sql = {
    // a statement as text and values, or as a named statement ({ name, text, values }: markSent)
    query: async (statement: string | { text: string; values?: unknown[] }, values: unknown[] = []) => {
      const [text, params] = typeof statement === 'string' ? [statement, values] : [statement.text, statement.values ?? []];
      calls.push({ text, params });
      await new Promise((r) => setTimeout(r, 1));
      if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      return answer({ text, params });
    },
  } as unknown as Sql;
  return { sql, calls, setDown: (v: boolean) => (down = v) };
}

/** markSent answers with every id it was given; single-row writes report one row. */
const allWritten = ({ text, params }: Call) =>
  text.includes('mailed_paper') ? { rows: (params[0] as number[]).map((id) => ({ id })) } : { rows: [{ delivery_id: 1 }], rowCount: 1 };

describe('RecordWriter', () => {
  it('writes sent deliveries in batches of at most maxBatch, each promise resolving once written', async () => {
    const { sql, calls } = fakeSql(allWritten);
    const writer = new RecordWriter({ sql, workerId: 'w1', log: capturingLogger().log, maxBatch: 50, maxDelayMs: 5 });
    const done = Array.from({ length: 120 }, (_, i) => writer.sent({ id: i + 1, attempt: 1 }, `250 ok ${i}`));
    await Promise.all(done);
    const batches = calls.filter((c) => c.text.includes('mailed_paper')).map((c) => (c.params[0] as number[]).length);
    expect(batches).toEqual([50, 50, 20]);
    expect(calls.flatMap((c) => c.params[0] as number[])).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(calls[0]!.params[3]).toBe('w1');
    await writer.close();
  });

  it('tries a failing write again until the database is back; `failing` meanwhile', async () => {
    const { sql, calls, setDown } = fakeSql(allWritten);
    const captured = capturingLogger();
    const writer = new RecordWriter({ sql, workerId: 'w1', log: captured.log, retryDelayMs: 5, maxRetryDelayMs: 20 });
    setDown(true);
    const failed = writer.failed({ id: 7, attempt: 2 }, { code: 'smtp:550', error: 'user unknown', response: '550 5.1.1 user unknown' });
    // tried, refused, and tried again: the writer is in its retry loop
    await vi.waitFor(() => expect(calls.length).toBeGreaterThanOrEqual(2), { timeout: 2_000, interval: 5 });
    expect(writer.failing).toBe(true);
    const healthy = writer.whenHealthy();
    setDown(false);
    expect(await failed).toBe(true);
    await healthy;
    expect(writer.failing).toBe(false);
    expect(calls.length).toBeGreaterThanOrEqual(2); // failed at least once, then written
    expect(calls.at(-1)!.params.slice(0, 3)).toEqual([7, 2, 'w1']);
    expect(captured.events('delivery.record_retry')).toHaveLength(1);
    expect(captured.events('delivery.record_failed')).toHaveLength(0);
    await writer.close();
  });

  it('gives up at the deadline, saying which deliveries and what the relay had answered', async () => {
    const { sql, setDown } = fakeSql(allWritten);
    const captured = capturingLogger();
    const writer = new RecordWriter({ sql, workerId: 'w1', log: captured.log, retryDelayMs: 5, maxRetryDelayMs: 10, maxDelayMs: 1 });
    setDown(true);
    const sent = writer.sent({ id: 3, attempt: 1 }, '250 2.0.0 Ok: queued as ABC');
    const giveUp = new AbortController();
    const closing = writer.close(giveUp.signal);
    // the deadline comes once the write has failed and is being tried again
    await vi.waitFor(() => expect(captured.events('delivery.record_retry')).toHaveLength(1), { timeout: 2_000, interval: 5 });
    giveUp.abort();
    await closing;
    await sent;
    expect(writer.unrecorded).toEqual([3]);
    const [line] = captured.events('delivery.record_failed');
    expect(line).toMatchObject({ deliveryIds: [3], outcome: 'sent', replies: [{ id: 3, response: '250 2.0.0 Ok: queued as ABC' }] });
  });

  it("says so when a sent delivery was no longer this worker's to record", async () => {
    const { sql } = fakeSql(({ params }) => ({ rows: (params[0] as number[]).filter((id) => id !== 2).map((id) => ({ id })) }));
    const captured = capturingLogger();
    const writer = new RecordWriter({ sql, workerId: 'w1', log: captured.log, maxDelayMs: 1 });
    await Promise.all([writer.sent({ id: 1, attempt: 1 }, '250'), writer.sent({ id: 2, attempt: 1 }, '250')]);
    expect(captured.events('delivery.record_conflict')[0]).toMatchObject({ deliveryIds: [2] });
    await writer.close();
  });
});

describe('Handover', () => {
  const alive = { id: 'w1', alive: true };
  const noSql = {} as Sql;

  /** A hand-over statement that answers with `answer` and records every batch; `down` makes it throw. */
  function fakeMarks(answer: (ids: number[]) => HandOverResult) {
    const batches: Array<{ workerId: string; ids: number[] }> = [];
    let down = false;
    const mark = async (_sql: Sql, workerId: string, held: readonly Held[]) => {
      batches.push({ workerId, ids: held.map((h) => h.id) });
      await new Promise((r) => setTimeout(r, 1));
      if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      return answer(held.map((h) => h.id));
    };
    return { mark, batches, setDown: (v: boolean) => (down = v) };
  }
  const allHanded = (ids: number[]) => ({ handed: ids, taken: [] });

  it('marks asked for in one turn go in one statement; those asked for meanwhile wait for the next', async () => {
    const { mark, batches } = fakeMarks(allHanded);
    const handover = new Handover(noSql, alive, mark);
    const first = [1, 2, 3].map((id) => handover.mark({ id, attempt: 1 }));
    await new Promise((r) => queueMicrotask(() => r(undefined))); // the first statement is on its way
    const second = [4, 5].map((id) => handover.mark({ id, attempt: 1 }));
    await Promise.all([...first, ...second]);
    expect(batches).toEqual([
      { workerId: 'w1', ids: [1, 2, 3] },
      { workerId: 'w1', ids: [4, 5] },
    ]);
  });

  it("a delivery the statement did not change is not this worker's any more: ClaimLostError; one whose papers were taken: PapersTakenError", async () => {
    const { mark } = fakeMarks(() => ({ handed: [1], taken: [3] }));
    const handover = new Handover(noSql, alive, mark);
    const [a, b, c] = [handover.mark({ id: 1, attempt: 1 }), handover.mark({ id: 2, attempt: 1 }), handover.mark({ id: 3, attempt: 1 })];
    await expect(a).resolves.toBeUndefined();
    await expect(b).rejects.toBeInstanceOf(ClaimLostError);
    await expect(c).rejects.toBeInstanceOf(PapersTakenError);
  });

  it('a worker without its lock hands nothing; a database error refuses the whole batch', async () => {
    const { mark, batches, setDown } = fakeMarks(allHanded);
    const away = new Handover(noSql, { id: 'w1', alive: false }, mark);
    await expect(away.mark({ id: 1, attempt: 1 })).rejects.toBeInstanceOf(WorkerAwayError);
    expect(batches).toHaveLength(0);
    setDown(true);
    const handover = new Handover(noSql, alive, mark);
    const marks = [handover.mark({ id: 1, attempt: 1 }), handover.mark({ id: 2, attempt: 1 })];
    for (const m of marks) await expect(m).rejects.toThrow(/ECONNREFUSED/);
  });
});
