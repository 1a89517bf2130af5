// The days a backfill has done (backfill_day): a day recorded here is not fetched again, so a
// backfill stopped half-way (killed, interrupted, the API down) continues where it was.
import type { Sql } from './database.ts';

export type BackfillOutcome = 'ingested' | 'duplicate' | 'quiet';

export interface BackfillDayRecord {
  day: string;
  outcome: BackfillOutcome;
  snapshotId: number | null;
  papers: number;
}

/** Of these days (YYYY-MM-DD), the ones already done for this source (as shown: redacted). */
export async function doneDays(sql: Sql, source: string, days: string[]): Promise<Set<string>> {
  if (days.length === 0) return new Set();
  const { rows } = await sql.query<{ day: string }>(`SELECT to_char(day, 'YYYY-MM-DD') AS day FROM backfill_day WHERE source = $1 AND day = ANY($2::date[])`, [
    source,
    days,
  ]);
  return new Set(rows.map((r) => r.day));
}

export async function recordDay(sql: Sql, source: string, record: BackfillDayRecord): Promise<void> {
  await sql.query(
    `INSERT INTO backfill_day (source, day, outcome, snapshot_id, papers) VALUES ($1, $2::date, $3, $4, $5)
     ON CONFLICT (source, day) DO UPDATE SET outcome = EXCLUDED.outcome, snapshot_id = EXCLUDED.snapshot_id, papers = EXCLUDED.papers, at = now()`,
    [source, record.day, record.outcome, record.snapshotId, record.papers],
  );
}
