// The rows a snapshot's ingest reads and writes, in batches of plain SQL: a 50,000-entry snapshot
// is a few statements per 5,000 rows (each batch sent as one JSON or array parameter), never one
// statement per paper and never more bind parameters than PostgreSQL takes (32,767).
import type { KnownPaper, PaperFields } from '../ingest/resolve-papers.ts';
import type { Tx } from './snapshots.ts';

/** Rows per statement: bounds the size of one parameter (a few MB of JSON). */
export const BATCH = 5000;

function* chunks<T>(items: T[], size = BATCH): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

const PAPER_COLUMNS = `id, arxiv_id AS "arxivId", arxiv_version AS "arxivVersion", title_key AS "titleKey", title, abstract,
  author_count AS "authorCount", authors, organization, published_on::text AS "publishedOn", upvotes,
  first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt"`;

/** Papers that have one of these arXiv ids or title keys (the candidates of resolvePapers). */
export async function findKnownPapers(tx: Tx, keys: { arxivIds: string[]; titleKeys: string[] }): Promise<KnownPaper[]> {
  const found = new Map<number, KnownPaper>();
  const lookups: Array<[column: 'arxiv_id' | 'title_key', values: string[]]> = [
    ['arxiv_id', keys.arxivIds],
    ['title_key', keys.titleKeys],
  ];
  for (const [column, values] of lookups) {
    for (const chunk of chunks(values)) {
      const rows = await tx.$queryRawUnsafe<KnownPaper[]>(`SELECT ${PAPER_COLUMNS} FROM paper WHERE ${column} = ANY($1::text[])`, chunk);
      for (const row of rows) found.set(row.id, row);
    }
  }
  return [...found.values()];
}

/** What one paper row holds, as jsonb_to_recordset reads it. */
const RECORD = `x(id int, arxiv_id text, arxiv_version int, title_key text, title text, abstract text, author_count int,
  authors text[], organization text, published_on date, upvotes int, first_seen_at timestamptz, last_seen_at timestamptz)`;

function record(id: number, f: PaperFields) {
  return {
    id,
    arxiv_id: f.arxivId,
    arxiv_version: f.arxivVersion ?? null,
    title_key: f.titleKey,
    title: f.title,
    abstract: f.abstract,
    author_count: f.authorCount,
    authors: f.authors,
    organization: f.organization,
    published_on: f.publishedOn,
    upvotes: f.upvotes,
    first_seen_at: f.firstSeenAt.toISOString(),
    last_seen_at: f.lastSeenAt.toISOString(),
  };
}

/** Inserts new papers; returns their ids in the order given. */
export async function insertPapers(tx: Tx, papers: PaperFields[]): Promise<number[]> {
  if (papers.length === 0) return [];
  // Ids are drawn first, so each row's id is known without relying on the order of RETURNING.
  const drawn = await tx.$queryRaw<Array<{ id: number }>>`
    SELECT nextval(pg_get_serial_sequence('paper', 'id'))::int AS id FROM generate_series(1, ${papers.length}::int)`;
  const ids = drawn.map((r) => r.id);
  let offset = 0;
  for (const chunk of chunks(papers)) {
    const rows = chunk.map((fields, i) => record(ids[offset + i]!, fields));
    offset += chunk.length;
    await tx.$executeRawUnsafe(
      `INSERT INTO paper (id, arxiv_id, arxiv_version, title_key, title, abstract, author_count, authors, organization,
                          published_on, upvotes, first_seen_at, last_seen_at, updated_at)
       SELECT id, arxiv_id, arxiv_version, title_key, title, abstract, author_count, coalesce(authors, '{}'), organization,
              published_on, upvotes, first_seen_at, last_seen_at, now()
         FROM jsonb_to_recordset($1::jsonb) AS ${RECORD}`,
      JSON.stringify(rows),
    );
  }
  return ids;
}

/** Writes the whole changeable state of papers that changed (their id and every field). */
export async function updatePapers(tx: Tx, papers: Array<{ id: number; fields: PaperFields }>): Promise<void> {
  for (const chunk of chunks(papers)) {
    await tx.$executeRawUnsafe(
      `UPDATE paper p
          SET arxiv_id = x.arxiv_id, arxiv_version = x.arxiv_version, title_key = x.title_key, title = x.title,
              abstract = x.abstract, author_count = x.author_count, authors = coalesce(x.authors, '{}'),
              organization = x.organization, published_on = x.published_on, upvotes = x.upvotes,
              first_seen_at = x.first_seen_at, last_seen_at = x.last_seen_at, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS ${RECORD}
        WHERE p.id = x.id`,
      JSON.stringify(chunk.map((p) => record(p.id, p.fields))),
    );
  }
}

/** The snapshot's entries: paperIds[i] at position i. */
export async function insertEntries(tx: Tx, snapshotId: number, paperIds: number[]): Promise<void> {
  for (let start = 0; start < paperIds.length; start += BATCH) {
    const chunk = paperIds.slice(start, start + BATCH);
    await tx.$executeRaw`
      INSERT INTO snapshot_entry (snapshot_id, position, paper_id)
      SELECT ${snapshotId}::int, (${start}::int + ordinality - 1)::int, paper_id
        FROM unnest(${chunk}::int[]) WITH ORDINALITY AS u(paper_id, ordinality)`;
  }
}
