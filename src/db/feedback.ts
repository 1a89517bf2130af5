// Feedback events (every one kept) and muted topics. Muting is a guarded update of an active
// subscriber's own topic; it also moves updated_at, so their feed's validator changes.
import type { Sql } from './database.ts';
import type { Db } from './snapshots.ts';

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
    data: { subscriberId: event.subscriberId, kind: event.kind, paperId: event.paperId ?? null, topic: event.topic ?? null, deliveryId: event.deliveryId ?? null, at: event.at },
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
