// The deliveries still waiting, as `paperboy send` counts them before and after its run: sendable
// now (queued, digest ready), held back by a paused digest, failed (per digest, with the latest reply);
// and as a sender looks when a claim found nothing: due now, or the next retry (retryOutlook).
import type { Sql } from './database.ts';

export async function countSendable(sql: Sql): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(
    `SELECT count(*) AS n FROM delivery d JOIN digest g ON g.id = d.digest_id WHERE d.status = 'queued' AND g.status = 'ready'`,
  );
  return Number(rows[0]?.n ?? 0);
}

/** Queued deliveries that no send will take until an operator acts: their digest is paused. */
export async function countHeldBack(sql: Sql): Promise<{ queued: number; digests: number[] }> {
  const { rows } = await sql.query<{ digest_id: number; n: string }>(
    `SELECT d.digest_id, count(*) AS n FROM delivery d JOIN digest g ON g.id = d.digest_id
      WHERE d.status = 'queued' AND g.status = 'paused' GROUP BY d.digest_id ORDER BY d.digest_id`,
  );
  return { queued: rows.reduce((n, r) => n + Number(r.n), 0), digests: rows.map((r) => r.digest_id) };
}

/** Digests with failed deliveries (oldest first), with how many and the latest reply: what `send` names next. */
export async function failedByDigest(sql: Sql): Promise<Array<{ digestId: number; failed: number; reply: string | null }>> {
  const { rows } = await sql.query<{ digest_id: number; n: string; reply: string | null }>(
    `SELECT digest_id, count(*) AS n, (array_agg(coalesce(smtp_response, last_error) ORDER BY id DESC))[1] AS reply
       FROM delivery WHERE status = 'failed' GROUP BY digest_id ORDER BY digest_id`,
  );
  return rows.map((r) => ({ digestId: r.digest_id, failed: Number(r.n), reply: r.reply }));
}

export interface RetryOutlook {
  /** queued deliveries of ready digests that are due now (a claim may take them) */
  dueNow: number;
  /** the earliest retry due later, if any */
  nextAt: Date | null;
}

/** What is left to send: due now, or the next retry. One statement, so nothing falls between two. */
export async function retryOutlook(sql: Sql): Promise<RetryOutlook> {
  const { rows } = await sql.query<{ due: string; next_at: Date | null }>(
    `SELECT count(*) FILTER (WHERE d.next_try_at IS NULL OR d.next_try_at <= now()) AS due,
            min(d.next_try_at) FILTER (WHERE d.next_try_at > now()) AS next_at
       FROM delivery d JOIN digest g ON g.id = d.digest_id
      WHERE d.status = 'queued' AND g.status = 'ready'`,
  );
  return { dueNow: Number(rows[0]?.due ?? 0), nextAt: rows[0]?.next_at ?? null };
}
