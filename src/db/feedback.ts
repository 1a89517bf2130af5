// Feedback events (every one kept) and muted topics. Muting is a guarded update of an active
// subscriber's own topic; it also moves updated_at, so their feed's validator changes.
import type { Db, Sql } from './database.ts';

export type FeedbackKind = 'more_like_this' | 'not_relevant' | 'mute_topic' | 'restore_topic';

export interface FeedbackEvent {
  subscriberId: number;
  kind: FeedbackKind;
  paperId?: number | null;
  topic?: string | null;
  deliveryId?: number | null;
  at: Date;
}

export async function recordFeedback(db: Db, event: FeedbackEvent): Promise<void> {
  await db.feedback.create({
    data: {
      subscriberId: event.subscriberId,
      kind: event.kind,
      paperId: event.paperId ?? null,
      topic: event.topic ?? null,
      deliveryId: event.deliveryId ?? null,
      at: event.at,
    },
  });
}

/** What the reader last said about each of these papers (on the plain pool: the archive reads it on every page). */
export async function latestPaperFeedback(sql: Sql, subscriberId: number, paperIds: number[]): Promise<Map<number, FeedbackKind>> {
  if (paperIds.length === 0) return new Map();
  const { rows } = await sql.query<{ paper_id: number; kind: FeedbackKind }>(
    `SELECT DISTINCT ON (paper_id) paper_id, kind::text AS kind FROM feedback
      WHERE subscriber_id = $1 AND paper_id = ANY($2::int[])
      ORDER BY paper_id, at DESC, id DESC`,
    [subscriberId, paperIds],
  );
  return new Map(rows.map((r) => [r.paper_id, r.kind]));
}

/** One of an active subscriber's topics muted; false when it is not theirs, already muted, or they are not active. */
export async function muteTopic(db: Db, subscriberId: number, topic: string, now: Date): Promise<boolean> {
  const count = await db.$executeRaw`
    UPDATE subscriber SET muted_topics = array_append(coalesce(muted_topics, '{}'), ${topic}), updated_at = ${now}
     WHERE id = ${subscriberId} AND status = 'active' AND ${topic} = ANY(topics) AND NOT (${topic} = ANY(coalesce(muted_topics, '{}')))`;
  return count === 1;
}

/** A muted topic restored; false when it was not muted. */
export async function restoreTopic(db: Db, subscriberId: number, topic: string, now: Date): Promise<boolean> {
  const count = await db.$executeRaw`
    UPDATE subscriber SET muted_topics = array_remove(muted_topics, ${topic}), updated_at = ${now}
     WHERE id = ${subscriberId} AND status = 'active' AND ${topic} = ANY(coalesce(muted_topics, '{}'))`;
  return count === 1;
}

export interface MarkedPaper {
  paperId: number;
  kind: 'more_like_this' | 'not_relevant';
  /** when the reader gave this latest word */
  at: Date;
  title: string;
  arxivId: string | null;
}

/**
 * The papers a reader marked "more like this" or "not relevant", the latest word on each (as the
 * reader model learns it: the newest event), newest first, at most `limit`; and how many in all.
 */
export async function markedPapers(sql: Sql, subscriberId: number, limit: number): Promise<{ papers: MarkedPaper[]; total: number }> {
  const { rows } = await sql.query<{ paper_id: number; kind: MarkedPaper['kind']; at: Date; title: string; arxiv_id: string | null; total: string }>(
    `SELECT m.paper_id, m.kind, m.at, p.title, p.arxiv_id, count(*) OVER () AS total
       FROM (SELECT DISTINCT ON (paper_id) id, paper_id, kind::text AS kind, at FROM feedback
              WHERE subscriber_id = $1 AND kind IN ('more_like_this', 'not_relevant') AND paper_id IS NOT NULL
              ORDER BY paper_id, id DESC) m
       JOIN paper p ON p.id = m.paper_id
      ORDER BY m.id DESC
      LIMIT $2`,
    [subscriberId, limit],
  );
  return {
    papers: rows.map((r) => ({ paperId: r.paper_id, kind: r.kind, at: r.at, title: r.title, arxivId: r.arxiv_id })),
    total: Number(rows[0]?.total ?? 0),
  };
}
