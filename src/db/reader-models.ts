// Reader models (reader_model) and what they are trained from: each reader's "more like this" /
// "not relevant" events, the papers mailed to them, a random sample of stored papers. Plain SQL on
// the pool: the job reads and writes them in batches.
import type { Sql } from './database.ts';
import type { FeedbackMark } from '../model/reader.ts';

type Query = Pick<Sql, 'query'>;

/**
 * Active readers whose model is out of date: they marked a paper since it was trained, or have
 * marks and no model row at all. Ascending ids.
 */
export async function readersToTrain(sql: Query): Promise<number[]> {
  const { rows } = await sql.query<{ subscriber_id: number }>(
    `SELECT f.subscriber_id
       FROM feedback f
       JOIN subscriber s ON s.id = f.subscriber_id AND s.status = 'active'
       LEFT JOIN reader_model m ON m.subscriber_id = f.subscriber_id
      WHERE f.kind IN ('more_like_this', 'not_relevant') AND f.paper_id IS NOT NULL
      GROUP BY f.subscriber_id, m.feedback_through
     HAVING m.feedback_through IS NULL OR max(f.id) > m.feedback_through
      ORDER BY f.subscriber_id`,
  );
  return rows.map((r) => r.subscriber_id);
}

export interface ReaderFeedback {
  subscriberId: number;
  marks: FeedbackMark[];
  /** the newest event's id */
  through: number;
}

/** Every paper mark of these readers (more like this, not relevant), ordered by event. */
export async function readerFeedback(sql: Query, subscriberIds: readonly number[]): Promise<Map<number, ReaderFeedback>> {
  const { rows } = await sql.query<{ id: number; subscriber_id: number; paper_id: number; kind: FeedbackMark['kind'] }>(
    `SELECT id, subscriber_id, paper_id, kind::text AS kind FROM feedback
      WHERE subscriber_id = ANY($1::int[]) AND kind IN ('more_like_this', 'not_relevant') AND paper_id IS NOT NULL
      ORDER BY id`,
    [subscriberIds],
  );
  const out = new Map<number, ReaderFeedback>();
  for (const r of rows) {
    let f = out.get(r.subscriber_id);
    if (!f) out.set(r.subscriber_id, (f = { subscriberId: r.subscriber_id, marks: [], through: 0 }));
    f.marks.push({ paperId: r.paper_id, kind: r.kind, at: r.id });
    f.through = r.id;
  }
  return out;
}

/** The papers last mailed to each of these readers, newest first, at most `perReader` each. */
export async function recentlyMailed(sql: Query, subscriberIds: readonly number[], perReader: number): Promise<Map<number, number[]>> {
  if (subscriberIds.length === 0) return new Map();
  const { rows } = await sql.query<{ subscriber_id: number; paper_id: number }>(
    `SELECT subscriber_id, paper_id FROM (
       SELECT subscriber_id, paper_id, row_number() OVER (PARTITION BY subscriber_id ORDER BY mailed_at DESC, paper_id DESC) AS n
         FROM mailed_paper WHERE subscriber_id = ANY($1::int[])) m
      WHERE n <= $2 ORDER BY subscriber_id, n`,
    [subscriberIds, perReader],
  );
  const out = new Map<number, number[]>();
  for (const r of rows) {
    const list = out.get(r.subscriber_id) ?? [];
    list.push(r.paper_id);
    out.set(r.subscriber_id, list);
  }
  return out;
}

/** A random sample of stored paper ids (the pool weak negatives are drawn from). */
export async function randomPaperIds(sql: Query, count: number): Promise<number[]> {
  const { rows } = await sql.query<{ id: number }>(`SELECT id FROM paper ORDER BY random() LIMIT $1`, [count]);
  return rows.map((r) => r.id);
}

export interface StoredReaderModel {
  subscriberId: number;
  /** compact JSON, or null: nothing to learn yet */
  model: string | null;
  feedbackThrough: number;
  /** how many mark events (up to feedbackThrough) it was trained from */
  events: number;
  positives: number;
  negatives: number;
}

/**
 * Writes these models (one statement), replacing older ones. A model whose marks changed under it
 * — one was undone, or everything forgotten, while it was being trained — is not written: its
 * events up to feedbackThrough are no longer all there (the reader keeps no model, and the job
 * trains them again from what is left).
 */
export async function saveReaderModels(sql: Query, models: readonly StoredReaderModel[], trainedAt: Date): Promise<void> {
  if (models.length === 0) return;
  await sql.query(
    `INSERT INTO reader_model (subscriber_id, model, bytes, feedback_through, positives, negatives, trained_at)
     SELECT s, m, coalesce(octet_length(m), 0), f, p, n, $6
       FROM unnest($1::int[], $2::text[], $3::int[], $4::int[], $5::int[], $7::int[]) AS t(s, m, f, p, n, e)
      WHERE e = (SELECT count(*) FROM feedback x
                  WHERE x.subscriber_id = t.s AND x.kind IN ('more_like_this', 'not_relevant') AND x.paper_id IS NOT NULL AND x.id <= t.f)
     ON CONFLICT (subscriber_id) DO UPDATE SET model = excluded.model, bytes = excluded.bytes, feedback_through = excluded.feedback_through,
       positives = excluded.positives, negatives = excluded.negatives, trained_at = excluded.trained_at`,
    [
      models.map((m) => m.subscriberId),
      models.map((m) => m.model),
      models.map((m) => m.feedbackThrough),
      models.map((m) => m.positives),
      models.map((m) => m.negatives),
      trainedAt,
      models.map((m) => m.events),
    ],
  );
}

/** These readers' models (compact JSON), for ranking their papers: readers without one are absent. */
export async function loadReaderModels(sql: Query, subscriberIds: readonly number[]): Promise<Map<number, string>> {
  if (subscriberIds.length === 0) return new Map();
  const { rows } = await sql.query<{ subscriber_id: number; model: string }>(
    `SELECT subscriber_id, model FROM reader_model WHERE subscriber_id = ANY($1::int[]) AND model IS NOT NULL`,
    [subscriberIds],
  );
  return new Map(rows.map((r) => [r.subscriber_id, r.model]));
}

export interface ReaderModelState {
  /** the stored model (compact JSON); null: none, or nothing to learn yet */
  model: string | null;
  /** the newest paper mark of the reader (feedback.id), null: none */
  newestMark: number | null;
  /** the newest mark the model was trained with, null: no model row */
  feedbackThrough: number | null;
}

/** What the preferences page says of a reader's model: it, and whether marks are newer than it. */
export async function readerModelState(sql: Query, subscriberId: number): Promise<ReaderModelState> {
  const { rows } = await sql.query<{ model: string | null; newest_mark: number | null; feedback_through: number | null }>(
    `SELECT m.model, m.feedback_through,
            (SELECT max(id) FROM feedback WHERE subscriber_id = $1 AND kind IN ('more_like_this', 'not_relevant') AND paper_id IS NOT NULL) AS newest_mark
       FROM (SELECT 1) one LEFT JOIN reader_model m ON m.subscriber_id = $1`,
    [subscriberId],
  );
  const row = rows[0];
  return { model: row?.model ?? null, newestMark: row?.newest_mark ?? null, feedbackThrough: row?.feedback_through ?? null };
}

/**
 * A mark undone: that paper's "more like this" / "not relevant" events of the reader deleted and,
 * when there were any, their model dropped in the same transaction (the job trains it again from
 * what is left before their next digest). How many events went.
 */
export async function undoMark(sql: Sql, subscriberId: number, paperId: number): Promise<{ marks: number }> {
  const client = await sql.connect();
  try {
    await client.query('BEGIN');
    const { rowCount } = await client.query(`DELETE FROM feedback WHERE subscriber_id = $1 AND paper_id = $2 AND kind IN ('more_like_this', 'not_relevant')`, [
      subscriberId,
      paperId,
    ]);
    if (rowCount) await dropReaderModel(client, subscriberId);
    await client.query('COMMIT');
    return { marks: rowCount ?? 0 };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * A reader's model dropped: after an undo of a mark (it is trained again from what is left before
 * their next digest) or with "forget what you learned about me" (with their marks deleted too, in
 * the same transaction: `forgetReader`).
 */
export async function dropReaderModel(sql: Query, subscriberId: number): Promise<void> {
  await sql.query(`DELETE FROM reader_model WHERE subscriber_id = $1`, [subscriberId]);
}

/** "Forget what you learned about me": their paper marks and their model, in one statement. */
export async function forgetReader(sql: Query, subscriberId: number): Promise<{ marks: number }> {
  const { rows } = await sql.query<{ marks: string }>(
    `WITH gone AS (DELETE FROM feedback WHERE subscriber_id = $1 AND kind IN ('more_like_this', 'not_relevant') RETURNING 1),
          model AS (DELETE FROM reader_model WHERE subscriber_id = $1 RETURNING 1)
     SELECT (SELECT count(*) FROM gone) AS marks, (SELECT count(*) FROM model) AS models`,
    [subscriberId],
  );
  return { marks: Number(rows[0]?.marks ?? 0) };
}

/** What changes whenever a reader's model is trained again or dropped (null: no model row): part of their feed's validator. */
export async function readerModelStamp(sql: Query, subscriberId: number): Promise<string | null> {
  const { rows } = await sql.query<{ stamp: string }>(
    `SELECT feedback_through || ':' || extract(epoch FROM trained_at)::text AS stamp FROM reader_model WHERE subscriber_id = $1`,
    [subscriberId],
  );
  return rows[0]?.stamp ?? null;
}
