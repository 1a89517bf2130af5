// The reader's archive: the digests they were sent (deliveries with status sent), newest first, with
// every paper each one carried (its frozen title and id: db/digest-papers.ts) and the topics that
// caught it. And the one delivery a web view shows. Rows become plain types here.
import type { Db, Sql } from './database.ts';
import type { DeliveryPaper } from '../model/delivery.ts';
import { statusIn, WENT_TO_RELAY } from '../model/delivery-status.ts';
import { Prisma } from './generated/client.ts';
import { ROW_ID_MAX } from '../model/row-id.ts';

export interface ArchivedPaper {
  paperId: number;
  title: string;
  arxivId: string | null;
  topics: string[];
}

export interface ArchivedDigest {
  deliveryId: number;
  digestId: number;
  /** the snapshot's capture date */
  capturedAt: Date;
  sentAt: Date;
  papers: ArchivedPaper[];
}

export interface ArchivePage {
  items: ArchivedDigest[];
  /** pass as `before` for the next (older) page; null on the last */
  next: number | null;
}

/**
 * A page of the digests sent to a subscriber, newest digest first (keyset on the digest id). On the
 * plain pool (a reader's page is read often); a delivery's papers never change once built, so they
 * come from `papers` (DeliveryPapersCache) after the first time.
 */
export async function archivePage(
  sql: Sql,
  papers: DeliveryPapersCache,
  subscriberId: number,
  options: { limit: number; before?: number | null },
): Promise<ArchivePage> {
  const { rows } = await sql.query<{ id: number; digest_id: number; captured_at: Date; sent_at: Date }>(
    `SELECT d.id, d.digest_id, s.captured_at, d.sent_at
       FROM delivery d JOIN digest g ON g.id = d.digest_id JOIN snapshot s ON s.id = g.snapshot_id
      WHERE d.subscriber_id = $1 AND d.status = 'sent' AND d.digest_id < $2
      ORDER BY d.digest_id DESC
      LIMIT $3`,
    [subscriberId, options.before ?? ROW_ID_MAX, options.limit + 1],
  );
  const shown = rows.slice(0, options.limit);
  const byDelivery = await papers.get(shown.map((r) => r.id));
  return {
    items: shown.map((r) => ({ deliveryId: r.id, digestId: r.digest_id, capturedAt: r.captured_at, sentAt: r.sent_at, papers: byDelivery.get(r.id) ?? [] })),
    next: rows.length > options.limit ? shown[shown.length - 1]!.digest_id : null,
  };
}

/**
 * What a reader's archive page depends on besides its frozen papers, as one short string: their sent
 * deliveries (how many, the newest, the last sent time) and their latest feedback. Equal strings,
 * equal pages.
 */
export async function archiveVersion(sql: Sql, subscriberId: number): Promise<string> {
  const { rows } = await sql.query<{ v: string }>(
    `SELECT concat_ws('.', count(*), max(id), extract(epoch FROM max(sent_at)),
              (SELECT max(id) FROM feedback WHERE subscriber_id = $1)) AS v
       FROM delivery WHERE subscriber_id = $1 AND status = 'sent'`,
    [subscriberId],
  );
  return rows[0]?.v ?? '';
}

/** The papers of deliveries (frozen when their digest was built: they never change), kept once read. */
export class DeliveryPapersCache {
  private readonly kept = new Map<number, ArchivedPaper[]>();

  constructor(
    private readonly sql: Sql,
    private readonly limit = 20_000,
  ) {}

  async get(deliveryIds: number[]): Promise<Map<number, ArchivedPaper[]>> {
    const out = new Map<number, ArchivedPaper[]>();
    const missing: number[] = [];
    for (const id of deliveryIds) {
      const known = this.kept.get(id);
      if (known) out.set(id, known);
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    const read = await deliveryPapers(this.sql, missing);
    for (const id of missing) {
      const list = read.get(id) ?? [];
      out.set(id, list);
      if (this.kept.size >= this.limit) this.kept.delete(this.kept.keys().next().value!);
      this.kept.set(id, list);
    }
    return out;
  }
}

/** The papers of these deliveries, in the order mailed, with only what a list shows (title, id). */
export async function deliveryPapers(sql: Sql, deliveryIds: number[]): Promise<Map<number, ArchivedPaper[]>> {
  const out = new Map<number, ArchivedPaper[]>();
  if (deliveryIds.length === 0) return out;
  const { rows } = await sql.query<{ delivery_id: number; paper_id: number; title: string; arxiv_id: string | null; topics: string[] }>(
    `SELECT d.id AS delivery_id, dp.paper_id, dp.paper->>'title' AS title, dp.paper->>'arxivId' AS arxiv_id,
            ARRAY(SELECT jsonb_array_elements_text(x.p->'topics')) AS topics
       FROM delivery d
       CROSS JOIN LATERAL jsonb_array_elements(d.papers) WITH ORDINALITY AS x(p, n)
       JOIN digest_paper dp ON dp.digest_id = d.digest_id AND dp.paper_id = (x.p->>'paperId')::int
      WHERE d.id = ANY($1::int[])
      ORDER BY d.id, x.n`,
    [deliveryIds],
  );
  for (const r of rows) {
    const list = out.get(r.delivery_id) ?? [];
    list.push({ paperId: r.paper_id, title: r.title, arxivId: r.arxiv_id, topics: r.topics });
    out.set(r.delivery_id, list);
  }
  return out;
}

/** What a web view needs of one delivery, when it belongs to this subscriber and left for them. */
export interface ViewableDelivery {
  id: number;
  digestId: number;
  papers: DeliveryPaper[];
}

/**
 * A delivery of this subscriber that went to the relay (handed, sent, or unknown: the email may be in
 * their inbox, so its link works); null for anything else, someone else's included.
 */
export async function viewableDelivery(db: Db, subscriberId: number, deliveryId: number): Promise<ViewableDelivery | null> {
  const rows = await db.$queryRaw<Array<{ id: number; digest_id: number; papers: DeliveryPaper[] }>>`
    SELECT id, digest_id, papers FROM delivery
     WHERE id = ${deliveryId} AND subscriber_id = ${subscriberId} AND ${Prisma.raw(statusIn('status', WENT_TO_RELAY))}`;
  const row = rows[0];
  return row ? { id: row.id, digestId: row.digest_id, papers: row.papers } : null;
}
