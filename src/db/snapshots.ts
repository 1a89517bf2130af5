// Snapshots and papers in the database: rows become the model's types (model/) here, and storing a
// snapshot's rows is one transaction of these primitives (ingest/store-snapshot.ts runs the sequence).
import type { Paper as PaperRow, Snapshot as SnapshotRow } from './generated/client.ts';
import type { Db, Queryable, Sql } from './database.ts';
import type { Paper } from '../model/paper.ts';
import { FUTURE_DAYS, type SnapshotSummary } from '../model/snapshot.ts';

/**
 * The database refused a value of the snapshot (out of range, too long for an index…): the parser's
 * limits (ingest/plausible.ts) should make this impossible, so it is a rejection, never a crash.
 */
export class UnstorableSnapshotError extends Error {
  readonly code = 'SNAPSHOT_UNSTORABLE';
  constructor(reason: string) {
    super(`the database cannot hold a value of this snapshot: ${reason}`);
    this.name = 'UnstorableSnapshotError';
  }
}

/**
 * SQLSTATE classes of a value the database will not hold: 22 data exception (out of range, bad
 * date, too long…), 54 program limit exceeded (an index row too large), 23514 check violation.
 */
function unstorableReason(err: unknown): string | null {
  const textOf = (value: unknown): string | undefined => (typeof value === 'string' || typeof value === 'number' ? String(value) : undefined);
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const meta = (e as { meta?: { code?: unknown; message?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown; originalMessage?: unknown } } } })
      .meta;
    const cause = meta?.driverAdapterError?.cause ?? (e as { cause?: { originalCode?: unknown; originalMessage?: unknown } }).cause;
    const code = textOf(cause?.originalCode) ?? textOf(meta?.code) ?? textOf((e as { code?: unknown }).code) ?? '';
    if (/^(22|54)\w{3}$|^23514$/.test(code)) {
      const message = textOf(cause?.originalMessage) ?? textOf(meta?.message) ?? textOf((e as { message?: unknown }).message) ?? code;
      return message.split('\n')[0]!.slice(0, 200);
    }
  }
  return null;
}

function toSnapshot(row: SnapshotRow): SnapshotSummary {
  return { ...row, format: row.format };
}

function toPaper(row: PaperRow): Paper {
  return {
    id: row.id,
    arxivId: row.arxivId,
    arxivVersion: row.arxivVersion,
    titleKey: row.titleKey,
    title: row.title,
    abstract: row.abstract,
    authorCount: row.authorCount,
    authors: row.authors,
    organization: row.organization,
    publishedOn: row.publishedOn ? row.publishedOn.toISOString().slice(0, 10) : null,
    upvotes: row.upvotes,
    aiSummary: row.aiSummary,
    aiKeywords: row.aiKeywords,
    githubRepo: row.githubRepo,
    githubStars: row.githubStars,
    projectPage: row.projectPage,
    comments: row.comments,
    listedOn: row.listedOn ? row.listedOn.toISOString().slice(0, 10) : null,
    firstSeenAt: row.firstSeenAt,
    lastSeenAt: row.lastSeenAt,
  };
}

// Plain SQL ($1, $2… parameters) on the pool, or on one connection of it in a transaction: the ingest
// path reads through it, so a CLI `ingest` never loads Prisma's query compiler (~60 MB).

const SNAPSHOT_COLUMNS = `id, source, captured_at AS "capturedAt", content_hash AS "contentHash", format::text AS format,
  entry_count AS "entryCount", ingested_at AS "ingestedAt", history`;

export async function findSnapshotByHash(sql: Queryable, contentHash: string): Promise<SnapshotSummary | null> {
  const { rows } = await sql.query<SnapshotSummary>(`SELECT ${SNAPSHOT_COLUMNS} FROM snapshot WHERE content_hash = $1`, [contentHash]);
  return rows[0] ?? null;
}

/** Held (for a transaction) while a snapshot is stored: two ingests never resolve papers at once. */
const STORE_LOCK = `SELECT pg_advisory_xact_lock(hashtext('paperboy.snapshot.store'))`;

/**
 * Runs `work` in one transaction on one connection of the pool, under a lock that makes concurrent
 * snapshot stores (other processes, the CLI beside serve) take turns — two of them reading the known
 * papers at once would each create the papers they share. Either all of what `work` wrote is there
 * afterwards or none of it. A value the database will not hold becomes UnstorableSnapshotError.
 */
export async function inSnapshotStore<T>(db: { sql: Sql }, work: (tx: Queryable) => Promise<T>): Promise<T> {
  const client = await db.sql.connect();
  try {
    await client.query('BEGIN');
    await client.query(STORE_LOCK);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    const unstorable = unstorableReason(err);
    if (unstorable) throw new UnstorableSnapshotError(unstorable);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Only snapshots whose capture date is at most FUTURE_DAYS after their ingest take part in
 * "newest" and "previous". Ingest refuses later dates, so this only ever leaves out a snapshot
 * stored by an older paperboy that did not (one dated 2030 would otherwise be the newest for years).
 */
const PLAUSIBLE = `captured_at <= ingested_at + make_interval(days => ${FUTURE_DAYS})`;

/**
 * The newest snapshot (CONTEXT.md): of the snapshots with a plausible capture date (see PLAUSIBLE),
 * the one with the latest capture date; of several with the same capture date, the last ingested.
 * `{ history: false }`: of the snapshots that are not history — the one a digest is for. A history
 * snapshot (the bundled seeds, a backfilled day) never gets a digest, and one newer than it changes
 * nothing: a backfill never changes which snapshot the next digest mails.
 */
export async function latestSnapshot(db: Db, options: { history?: boolean } = {}): Promise<SnapshotSummary | null> {
  const live = options.history === false ? ' AND NOT history' : '';
  const rows = await db.$queryRawUnsafe<SnapshotSummary[]>(
    `SELECT ${SNAPSHOT_COLUMNS} FROM snapshot WHERE ${PLAUSIBLE}${live} ORDER BY captured_at DESC, id DESC LIMIT 1`,
  );
  return rows[0] ?? null;
}

/** The snapshot just before this one in the same order (capture date, then ingest order). */
export async function previousSnapshot(sql: Queryable, snapshot: Pick<SnapshotSummary, 'id' | 'capturedAt'>): Promise<SnapshotSummary | null> {
  const { rows } = await sql.query<SnapshotSummary>(
    `SELECT ${SNAPSHOT_COLUMNS} FROM snapshot
      WHERE ${PLAUSIBLE} AND (captured_at < $1 OR (captured_at = $1 AND id < $2))
      ORDER BY captured_at DESC, id DESC LIMIT 1`,
    [snapshot.capturedAt, snapshot.id],
  );
  return rows[0] ?? null;
}

export async function getSnapshot(db: Db, id: number): Promise<SnapshotSummary | null> {
  const row = await db.snapshot.findUnique({ where: { id } });
  return row ? toSnapshot(row) : null;
}

/** A snapshot's papers in listing order. */
export async function snapshotPapers(db: Db, snapshotId: number): Promise<Paper[]> {
  const entries = await db.snapshotEntry.findMany({ where: { snapshotId }, orderBy: { position: 'asc' }, include: { paper: true } });
  return entries.map((e) => toPaper(e.paper));
}

export async function snapshotPaperIds(sql: Queryable, snapshotId: number): Promise<number[]> {
  const { rows } = await sql.query<{ paperId: number }>(`SELECT paper_id AS "paperId" FROM snapshot_entry WHERE snapshot_id = $1 ORDER BY position`, [
    snapshotId,
  ]);
  return rows.map((e) => e.paperId);
}
