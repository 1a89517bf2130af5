// The relevance storage on PostgreSQL: the text model counted as snapshots are ingested (once each,
// incrementally, whatever missed a count), reader models trained for readers with new feedback
// only, within their size, retrained when they mark again, forgotten on request.
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeSnapshot } from '../../../src/ingest/store-snapshot.ts';
import { insertSubscriber } from '../../../src/db/subscribers.ts';
import { TextModelCache } from '../../../src/db/text-model.ts';
import { dropReaderModel, forgetReader, loadReaderModels } from '../../../src/db/reader-models.ts';
import { contentHash, ingestInputs, type IngestDeps } from '../../../src/ingest/ingest-inputs.ts';
import { parseSnapshot } from '../../../src/ingest/parse-snapshot.ts';
import { trainReaderModels } from '../../../src/jobs/train-reader-models.ts';
import { decodeReaderModel, DEFAULT_BUCKETS, explainReaderModel } from '../../../src/relevance/index.ts';
import { openTestDatabase, type TestDatabase } from '../../support/databases.ts';
import { capturingLogger } from '../../support/logs.ts';
import { countTextModel } from '../../../src/relevance/stored-text-model.ts';

const SEEDS = path.resolve(import.meta.dirname, '../../../seeds');
const FIRST = path.join(SEEDS, '000_0b7782e3c814158f.txt');
const SECOND = path.join(SEEDS, '001_92719ba14292193f.txt');
const API = path.resolve(import.meta.dirname, '../../fixtures/ingest/api-daily-papers-2024-10-25.json');
const NOW = new Date('2026-11-23T12:00:00Z');

describe('relevance storage on PostgreSQL', () => {
  let t: TestDatabase;
  let deps: IngestDeps;
  const captured = capturingLogger();
  const textModel = async () =>
    (
      await t.db.sql.query<{ documents: number; counted_through: number; version: number; bytes: number }>(
        `SELECT documents, counted_through, version, octet_length(df) AS bytes FROM text_model WHERE id = 1`,
      )
    ).rows[0];
  const papers = async () => Number((await t.db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM paper`)).rows[0]!.n);
  const train = () => trainReaderModels({ sql: t.db.sql, log: captured.log, now: () => NOW });

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    deps = {
      prisma: t.db.prisma,
      sql: t.db.sql,
      log: captured.log,
      now: () => NOW,
      maxBytes: 5_000_000,
      timeoutMs: 5_000,
      countTextModel: () => countTextModel(t.db.sql),
    };
  });
  afterAll(() => t?.close());

  it("counts each ingested snapshot's new papers into the text model, once, at a fixed size", async () => {
    await ingestInputs(deps, [FIRST]);
    const first = await textModel();
    expect(first).toMatchObject({ documents: 31, bytes: DEFAULT_BUCKETS * 4 });
    await ingestInputs(deps, [SECOND]); // 36 papers, 10 of them new
    const second = await textModel();
    expect(second).toMatchObject({ documents: 41, bytes: DEFAULT_BUCKETS * 4 });
    expect(second!.version).toBeGreaterThan(first!.version);
    expect(captured.events('snapshot.ingested').at(-1)).toMatchObject({ textModelPapers: 41 });
    // nothing new: nothing read, nothing written
    const again = await countTextModel(t.db.sql);
    expect(again.counted).toBe(0);
    expect((await textModel())!.version).toBe(second!.version);
  });

  it('makes up a count an ingest missed, and two processes counting at once count each paper once', async () => {
    // stored without the hook (as if the process died between the snapshot and the count)
    const bytes = await readFile(API);
    const parsed = parseSnapshot(bytes, { now: NOW });
    await storeSnapshot(t.db, { parsed, source: API, contentHash: contentHash(bytes), ingestedAt: NOW });
    const stored = await papers();
    expect(stored).toBeGreaterThan(41);
    expect((await textModel())!.documents).toBe(41);
    const [a, b] = await Promise.all([countTextModel(t.db.sql), countTextModel(t.db.sql)]);
    expect(a.counted + b.counted).toBe(stored - 41);
    expect(await textModel()).toMatchObject({ documents: stored });
  });

  it('a process keeps its copy while the version is the same, and reads it again when it moved', async () => {
    const cache = new TextModelCache();
    const one = await cache.current(t.db.sql);
    expect(await cache.current(t.db.sql)).toBe(one); // the same object: not read again
    await t.db.sql.query(`UPDATE text_model SET version = version + 1`);
    const two = await cache.current(t.db.sql);
    expect(two).not.toBe(one);
    expect(two!.documents).toBe(one!.documents);
  });

  it('trains a model for each active reader with feedback, and none for the others', async () => {
    const ids = (await t.db.sql.query<{ id: number; title: string }>(`SELECT id, title FROM paper ORDER BY id`)).rows;
    const liker = await insertSubscriber(t.db.prisma, { email: 'liker@example.org', topics: ['diffusion'] });
    const quiet = await insertSubscriber(t.db.prisma, { email: 'quiet@example.org', topics: ['diffusion'] });
    const gone = await insertSubscriber(t.db.prisma, { email: 'gone@example.org', topics: ['x'], status: 'unsubscribed' });
    const dislikes = await insertSubscriber(t.db.prisma, { email: 'dislikes@example.org', topics: ['x'] });
    const mark = (subscriberId: number, paperId: number, kind: 'more_like_this' | 'not_relevant' | 'mute_topic') =>
      t.db.prisma.feedback.create({
        data: { subscriberId, paperId: kind === 'mute_topic' ? null : paperId, kind, topic: kind === 'mute_topic' ? 'x' : null, at: NOW },
      });
    for (const p of ids.slice(0, 3)) await mark(liker.id, p.id, 'more_like_this');
    for (const p of ids.slice(10, 12)) await mark(liker.id, p.id, 'not_relevant');
    await mark(gone.id, ids[0]!.id, 'more_like_this');
    await mark(quiet.id, 0, 'mute_topic'); // not a mark on a paper: nothing to learn
    await mark(dislikes.id, ids[5]!.id, 'not_relevant'); // nothing mailed to stand in for a wanted side

    const run = await train();
    expect(run).toMatchObject({ readers: 2, trained: 1, countedPapers: 0 });
    expect(run.largestModelBytes).toBeGreaterThan(0);
    expect(run.largestModelBytes).toBeLessThanOrEqual(10_000);
    const rows = (
      await t.db.sql.query<{ subscriber_id: number; bytes: number; positives: number; negatives: number; model: string | null }>(
        `SELECT subscriber_id, bytes, positives, negatives, model FROM reader_model ORDER BY subscriber_id`,
      )
    ).rows;
    expect(rows.map((r) => r.subscriber_id)).toEqual([liker.id, dislikes.id]);
    expect(rows[0]).toMatchObject({ positives: 3, negatives: 2 });
    expect(rows[1]).toMatchObject({ model: null, positives: 0, negatives: 1 }); // recorded: not tried again until they mark again
    const models = await loadReaderModels(t.db.sql, [liker.id, quiet.id, dislikes.id]);
    expect([...models.keys()]).toEqual([liker.id]);
    const model = decodeReaderModel(models.get(liker.id)!);
    expect(model.liked).toHaveLength(3);
    expect(explainReaderModel(model).for.length).toBeGreaterThan(0);
    expect(captured.events('relevance.trained').at(-1)).toMatchObject({ readers: 2, trained: 1 });

    // nothing new: nobody is trained again
    expect(await train()).toMatchObject({ readers: 0, trained: 0 });
    // a new mark: only that reader
    await mark(liker.id, ids[4]!.id, 'more_like_this');
    expect(await train()).toMatchObject({ readers: 1, trained: 1 });
    expect(decodeReaderModel((await loadReaderModels(t.db.sql, [liker.id])).get(liker.id)!).liked[0]).toBe(ids[4]!.id);
  });

  it('drops a model to be trained again, and forgets a reader on request', async () => {
    const liker = (await t.db.prisma.subscriber.findFirst({ where: { email: 'liker@example.org' } }))!;
    await dropReaderModel(t.db.sql, liker.id);
    expect(await loadReaderModels(t.db.sql, [liker.id])).toEqual(new Map());
    expect(await train()).toMatchObject({ readers: 1, trained: 1 });
    expect(await forgetReader(t.db.sql, liker.id)).toEqual({ marks: 6 });
    expect(await loadReaderModels(t.db.sql, [liker.id])).toEqual(new Map());
    expect(await train()).toMatchObject({ readers: 0 }); // nothing left to learn from
  });
});
