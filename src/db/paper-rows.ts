// The rows a snapshot's ingest reads and writes, as plain SQL on the pool Prisma shares: a
// 50,000-entry snapshot is a few lookups and ONE writing statement (its rows sent as one JSON and
// one array parameter), never one statement per paper and never more bind parameters than
// PostgreSQL takes. Not through Prisma's raw queries: their query-plan cache keeps every parameter
// it has seen (a few MB of JSON each time here), which a large snapshot turns into hundreds of MB.
import type { Queryable } from './database.ts';
import type { KnownPaper, PaperFields, Resolution } from '../model/paper.ts';
import type { SnapshotFormat, SnapshotSummary } from '../model/snapshot.ts';

/** Keys per lookup statement. */
const LOOKUP_BATCH = 10_000;

const PAPER_COLUMNS = `id, arxiv_id AS "arxivId", arxiv_version AS "arxivVersion", title_key AS "titleKey", title, abstract,
  author_count AS "authorCount", authors, organization, published_on::text AS "publishedOn", upvotes,
  ai_summary AS "aiSummary", ai_keywords AS "aiKeywords", github_repo AS "githubRepo", github_stars AS "githubStars",
  project_page AS "projectPage", comments, listed_on::text AS "listedOn",
  first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt"`;

/** Papers that have one of these arXiv ids or title keys (the candidates of resolvePapers). */
export async function findKnownPapers(sql: Queryable, keys: { arxivIds: string[]; titleKeys: string[] }): Promise<KnownPaper[]> {
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
export async function drawPaperIds(sql: Queryable, count: number): Promise<number[]> {
  if (count === 0) return [];
  const { rows } = await sql.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('paper', 'id'))::int AS id FROM generate_series(1, $1::int)`, [
    count,
  ]);
  return rows.map((r) => r.id);
}

/**
 * A paper's columns, each with the short key its value has in the JSON parameter (50,000 rows of
 * full column names would add megabytes) and its type as jsonb_to_recordset reads it.
 */
const COLUMNS: Array<[field: keyof PaperFields, column: string, key: string, type: string]> = [
  ['arxivId', 'arxiv_id', 'a', 'text'],
  ['arxivVersion', 'arxiv_version', 'v', 'int'],
  ['titleKey', 'title_key', 'k', 'text'],
  ['title', 'title', 't', 'text'],
  ['abstract', 'abstract', 's', 'text'],
  ['authorCount', 'author_count', 'n', 'int'],
  ['authors', 'authors', 'w', 'text[]'],
  ['organization', 'organization', 'o', 'text'],
  ['publishedOn', 'published_on', 'p', 'date'],
  ['upvotes', 'upvotes', 'u', 'int'],
  ['aiSummary', 'ai_summary', 'ts', 'text'],
  ['aiKeywords', 'ai_keywords', 'kw', 'text[]'],
  ['githubRepo', 'github_repo', 'gh', 'text'],
  ['githubStars', 'github_stars', 'gs', 'int'],
  ['projectPage', 'project_page', 'pp', 'text'],
  ['comments', 'comments', 'nc', 'int'],
  ['listedOn', 'listed_on', 'ld', 'date'],
  ['firstSeenAt', 'first_seen_at', 'f', 'timestamptz'],
  ['lastSeenAt', 'last_seen_at', 'l', 'timestamptz'],
];
const KEY = Object.fromEntries(COLUMNS.map(([field, , key]) => [field, key])) as Record<keyof PaperFields, string>;
const RECORD = `x(i int, ${COLUMNS.map(([, , key, type]) => `${key} ${type}`).join(', ')})`;

/**
 * A row for the JSON parameter: its id and the given fields, by short key. An update names a field
 * set to null (a key present is a field that changes); an insert leaves nulls out, and its first
 * and last seen, which are the snapshot's capture date for every new paper.
 */
function record(id: number, fields: Partial<PaperFields>, use: 'insert' | 'update'): Record<string, unknown> {
  const row: Record<string, unknown> = { i: id };
  for (const [field, value] of Object.entries(fields)) {
    const key = KEY[field as keyof PaperFields];
    if (!key || value === undefined) continue;
    if (use === 'insert' && (value === null || field === 'firstSeenAt' || field === 'lastSeenAt')) continue;
    row[key] = value instanceof Date ? value.toISOString() : value;
  }
  return row;
}

/** "title = CASE WHEN r.v ? 't' THEN x.t ELSE p.title END, …": only the fields a row names change. */
const SET_GIVEN = COLUMNS.map(
  ([, column, key, type]) => `${column} = CASE WHEN r.v ? '${key}' THEN ${type === 'text[]' ? `coalesce(x.${key}, '{}')` : `x.${key}`} ELSE p.${column} END`,
).join(',\n              ');

/** What writeSnapshot sends: built at once, so nothing else of the snapshot stays alive while it runs. */
export interface PreparedWrite {
  params: unknown[];
  /** how many papers it creates and changes */
  created: number;
  changed: number;
}

/**
 * The parameters of writeSnapshot from a resolution (resolve-papers.ts) and the ids drawn for its
 * new papers: new papers, the changed fields of known ones, the snapshot row, its entries in order.
 */
export function prepareSnapshotWrite(
  snapshot: { source: string; capturedAt: Date; contentHash: string; format: SnapshotFormat; ingestedAt: Date; history: boolean },
  resolution: Resolution,
  ids: number[],
): PreparedWrite {
  const created: Array<Record<string, unknown>> = [];
  const changed: Array<Record<string, unknown>> = [];
  const paperIds = resolution.entries.map((entry) => {
    if (entry.kind === 'new') {
      const id = ids[created.length]!;
      created.push(record(id, entry.fields, 'insert'));
      return id;
    }
    if (Object.keys(entry.changes).length > 0) changed.push(record(entry.paperId, entry.changes, 'update'));
    return entry.paperId;
  });
  return {
    params: [
      JSON.stringify(created),
      JSON.stringify(changed),
      snapshot.source,
      snapshot.capturedAt,
      snapshot.contentHash,
      snapshot.format,
      paperIds.length,
      snapshot.ingestedAt,
      paperIds,
      snapshot.history,
    ],
    created: created.length,
    changed: changed.length,
  };
}

/**
 * Writes a snapshot in one statement, so all of it is stored or none of it: its new papers, the
 * papers that changed, the snapshot row and its entries. (Data-modifying CTEs run to completion
 * and foreign keys are checked at the end of the statement, when every row is there.) A snapshot
 * whose content hash is already stored fails with a unique violation (SQLSTATE 23505).
 */
export async function writeSnapshot(sql: Queryable, write: PreparedWrite): Promise<SnapshotSummary> {
  const { rows } = await sql.query<SnapshotSummary>(
    `WITH created AS (
       INSERT INTO paper (id, arxiv_id, arxiv_version, title_key, title, abstract, author_count, authors, organization,
                          published_on, upvotes, ai_summary, ai_keywords, github_repo, github_stars, project_page,
                          comments, listed_on, first_seen_at, last_seen_at, updated_at)
       SELECT i, a, v, k, t, coalesce(s, ''), n, coalesce(w, '{}'), o, p, u, ts, coalesce(kw, '{}'), gh, gs, pp,
              nc, ld, $4, $4, now()
         FROM jsonb_to_recordset($1::jsonb) AS ${RECORD}
       RETURNING 1
     ), changed AS (
       UPDATE paper p
          SET ${SET_GIVEN},
              updated_at = now()
         FROM jsonb_array_elements($2::jsonb) AS r(v), jsonb_to_record(r.v) AS ${RECORD}
        WHERE p.id = x.i
       RETURNING 1
     ), snap AS (
       INSERT INTO snapshot (source, captured_at, content_hash, format, entry_count, ingested_at, history)
       VALUES ($3, $4, $5, $6::"SnapshotFormat", $7, $8, $10)
       RETURNING *
     ), entries AS (
       INSERT INTO snapshot_entry (snapshot_id, position, paper_id)
       SELECT snap.id, (u.ordinality - 1)::int, u.paper_id FROM snap, unnest($9::int[]) WITH ORDINALITY AS u(paper_id, ordinality)
       RETURNING 1
     )
     SELECT id, source, captured_at AS "capturedAt", content_hash AS "contentHash", format::text AS format,
            entry_count AS "entryCount", ingested_at AS "ingestedAt", history,
            (SELECT count(*) FROM created)::int AS created, (SELECT count(*) FROM changed)::int AS changed,
            (SELECT count(*) FROM entries)::int AS entries
       FROM snap`,
    write.params,
  );
  const { created: _c, changed: _u, entries: _e, ...row } = rows[0] as SnapshotSummary & { created: number; changed: number; entries: number };
  return row;
}
