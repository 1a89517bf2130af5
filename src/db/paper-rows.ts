// The rows a snapshot's ingest reads and writes, as plain SQL on the pool Prisma shares: a
// 50,000-entry snapshot is a few lookups and ONE writing statement (its rows sent as one JSON and
// one array parameter), never one statement per paper and never more bind parameters than
// PostgreSQL takes. Not through Prisma's raw queries: their query-plan cache keeps every parameter
// it has seen (a few MB of JSON each time here), which a large snapshot turns into hundreds of MB.
import type { Sql } from './database.ts';
import type { KnownPaper, PaperFields } from '../ingest/resolve-papers.ts';
import type { ParsedSnapshot } from '../ingest/types.ts';
import type { SnapshotSummary } from './snapshots.ts';

/** Keys per lookup statement. */
const LOOKUP_BATCH = 10_000;

const PAPER_COLUMNS = `id, arxiv_id AS "arxivId", arxiv_version AS "arxivVersion", title_key AS "titleKey", title, abstract,
  author_count AS "authorCount", authors, organization, published_on::text AS "publishedOn", upvotes,
  first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt"`;

/** Papers that have one of these arXiv ids or title keys (the candidates of resolvePapers). */
export async function findKnownPapers(sql: Sql, keys: { arxivIds: string[]; titleKeys: string[] }): Promise<KnownPaper[]> {
  const found = new Map<number, KnownPaper>();
  const lookups: Array<[column: 'arxiv_id' | 'title_key', values: string[]]> = [
    ['arxiv_id', keys.arxivIds],
    ['title_key', keys.titleKeys],
  ];
  for (const [column, values] of lookups) {
    for (let i = 0; i < values.length; i += LOOKUP_BATCH) {
      const { rows } = await sql.query<KnownPaper>(`SELECT ${PAPER_COLUMNS} FROM paper WHERE ${column} = ANY($1::text[])`, [values.slice(i, i + LOOKUP_BATCH)]);
      for (const row of rows) found.set(row.id, row);
    }
  }
  return [...found.values()];
}

/** Ids for new papers, drawn before they are written so each row's id is known in advance. */
export async function drawPaperIds(sql: Sql, count: number): Promise<number[]> {
  if (count === 0) return [];
  const { rows } = await sql.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('paper', 'id'))::int AS id FROM generate_series(1, $1::int)`, [count]);
  return rows.map((r) => r.id);
}

/** What one paper row holds, as jsonb_to_recordset reads it. */
const RECORD = `x(id int, arxiv_id text, arxiv_version int, title_key text, title text, abstract text, author_count int,
  authors text[], organization text, published_on date, upvotes int, first_seen_at timestamptz, last_seen_at timestamptz)`;

const COLUMN: Record<keyof PaperFields, string> = {
  arxivId: 'arxiv_id',
  arxivVersion: 'arxiv_version',
  titleKey: 'title_key',
  title: 'title',
  abstract: 'abstract',
  authorCount: 'author_count',
  authors: 'authors',
  organization: 'organization',
  publishedOn: 'published_on',
  upvotes: 'upvotes',
  firstSeenAt: 'first_seen_at',
  lastSeenAt: 'last_seen_at',
};

/** A row as jsonb_to_recordset reads it: the given fields only, by column name. */
function record(id: number, fields: Partial<PaperFields>): Record<string, unknown> {
  const row: Record<string, unknown> = { id };
  for (const [field, value] of Object.entries(fields)) {
    const column = COLUMN[field as keyof PaperFields];
    if (column) row[column] = value instanceof Date ? value.toISOString() : (value ?? null);
  }
  return row;
}

/** "title = CASE WHEN x.v ? 'title' THEN x.title ELSE p.title END, …": only the fields a row names change. */
const SET_GIVEN = Object.values(COLUMN)
  .map((c) => `${c} = CASE WHEN r.v ? '${c}' THEN ${c === 'authors' ? `coalesce(x.authors, '{}')` : `x.${c}`} ELSE p.${c} END`)
  .join(',\n              ');

export interface SnapshotWrite {
  snapshot: { source: string; capturedAt: Date; contentHash: string; format: ParsedSnapshot['format']; ingestedAt: Date };
  /** new papers with the ids drawn for them */
  created: Array<{ id: number; fields: PaperFields }>;
  /** known papers that changed: their id and the fields that changed */
  changed: Array<{ id: number; changes: Partial<PaperFields> }>;
  /** the snapshot's entries: paperIds[i] at position i */
  paperIds: number[];
}

/**
 * Writes a snapshot in one statement, so all of it is stored or none of it: its new papers, the
 * papers that changed, the snapshot row and its entries. (Data-modifying CTEs run to completion
 * and foreign keys are checked at the end of the statement, when every row is there.) A snapshot
 * whose content hash is already stored fails with a unique violation (SQLSTATE 23505).
 */
export async function writeSnapshot(sql: Sql, write: SnapshotWrite): Promise<SnapshotSummary> {
  const { snapshot } = write;
  const { rows } = await sql.query<SnapshotSummary>(
    `WITH created AS (
       INSERT INTO paper (id, arxiv_id, arxiv_version, title_key, title, abstract, author_count, authors, organization,
                          published_on, upvotes, first_seen_at, last_seen_at, updated_at)
       SELECT id, arxiv_id, arxiv_version, title_key, title, abstract, author_count, coalesce(authors, '{}'), organization,
              published_on, upvotes, first_seen_at, last_seen_at, now()
         FROM jsonb_to_recordset($1::jsonb) AS ${RECORD}
       RETURNING 1
     ), changed AS (
       UPDATE paper p
          SET ${SET_GIVEN},
              updated_at = now()
         FROM jsonb_array_elements($2::jsonb) AS r(v), jsonb_to_record(r.v) AS ${RECORD}
        WHERE p.id = x.id
       RETURNING 1
     ), snap AS (
       INSERT INTO snapshot (source, captured_at, content_hash, format, entry_count, ingested_at)
       VALUES ($3, $4, $5, $6::"SnapshotFormat", $7, $8)
       RETURNING *
     ), entries AS (
       INSERT INTO snapshot_entry (snapshot_id, position, paper_id)
       SELECT snap.id, (u.ordinality - 1)::int, u.paper_id FROM snap, unnest($9::int[]) WITH ORDINALITY AS u(paper_id, ordinality)
       RETURNING 1
     )
     SELECT id, source, captured_at AS "capturedAt", content_hash AS "contentHash", format::text AS format,
            entry_count AS "entryCount", ingested_at AS "ingestedAt",
            (SELECT count(*) FROM created)::int AS created, (SELECT count(*) FROM changed)::int AS changed,
            (SELECT count(*) FROM entries)::int AS entries
       FROM snap`,
    [
      JSON.stringify(write.created.map((p) => record(p.id, p.fields))),
      JSON.stringify(write.changed.map((p) => record(p.id, p.changes))),
      snapshot.source,
      snapshot.capturedAt,
      snapshot.contentHash,
      snapshot.format,
      write.paperIds.length,
      snapshot.ingestedAt,
      write.paperIds,
    ],
  );
  const { created: _c, changed: _u, entries: _e, ...row } = rows[0] as SnapshotSummary & { created: number; changed: number; entries: number };
  return row;
}
