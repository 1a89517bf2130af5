import type { Db } from './database.ts';
// What the feeds read: the newest digests (their frozen papers never change, so callers may keep
// them) and a cheap validator of "has anything new been digested".

export interface FeedDigest {
  id: number;
  /** when the digest was built: the date of its papers in the feeds */
  createdAt: Date;
  /** the snapshot's capture date */
  capturedAt: Date;
}

/** The newest digests that carry papers (not skipped, nor still building), newest snapshot first. */
export async function recentDigests(db: Db, limit: number): Promise<FeedDigest[]> {
  return db.$queryRaw<FeedDigest[]>`
    SELECT g.id, g.created_at AS "createdAt", s.captured_at AS "capturedAt"
      FROM digest g JOIN snapshot s ON s.id = g.snapshot_id
     WHERE g.status IN ('ready', 'paused')
     ORDER BY s.captured_at DESC, g.id DESC
     LIMIT ${limit}`;
}
