// The text model's row (text_model, id 1): read by every process that ranks papers for readers, and
// kept current by counting the papers stored since the last count — after each ingest, and by the
// reader-model job before a digest (so a count an ingest missed, a process killed in between, is
// made up). Counting is incremental (only the new papers are read) and the row stays 1 MiB. What a
// paper's terms are is relevance's (relevance/stored-text-model.ts passes its addPapers in).
import type { Sql } from './database.ts';
import { decodeDf, DEFAULT_BUCKETS, emptyTextModel, encodeDf, type PaperText, type TextModel } from '../model/text-model.ts';

/** Papers read per statement while counting. */
const BATCH = 2_000;

export interface PaperTextRow extends PaperText {
  id: number;
}

export interface CountResult {
  model: TextModel;
  version: number;
  /** papers counted by this call */
  counted: number;
}

/** Adds papers to the model's counts (relevance/text-model.ts addPapers). */
export type CountPapers = (model: TextModel, papers: readonly PaperText[]) => void;

/**
 * Counts every paper stored since the last count into the text model with `count`, under the row's
 * lock (two processes at once take turns; the second finds nothing left). Returns the model as it is now.
 */
export async function countIntoTextModel(sql: Sql, count: CountPapers, buckets = DEFAULT_BUCKETS): Promise<CountResult> {
  const client = await sql.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO text_model (id, buckets, documents, df, counted_through, version, updated_at)
       VALUES (1, $1, 0, $2, 0, 0, now()) ON CONFLICT (id) DO NOTHING`,
      [buckets, encodeDf(emptyTextModel(buckets))],
    );
    const { rows } = await client.query<{ buckets: number; documents: number; df: Buffer; counted_through: number; version: number }>(
      `SELECT buckets, documents, df, counted_through, version FROM text_model WHERE id = 1 FOR UPDATE`,
    );
    const row = rows[0]!;
    const model: TextModel = { buckets: row.buckets, documents: row.documents, df: decodeDf(row.df, row.buckets) };
    let through = row.counted_through;
    let counted = 0;
    for (;;) {
      const batch = await paperTexts(client, `WHERE id > $1 ORDER BY id LIMIT ${BATCH}`, [through]);
      if (batch.length === 0) break;
      count(model, batch);
      counted += batch.length;
      through = batch[batch.length - 1]!.id;
    }
    let version = row.version;
    if (counted > 0) {
      version++;
      await client.query(`UPDATE text_model SET documents = $1, df = $2, counted_through = $3, version = $4, updated_at = now() WHERE id = 1`, [
        model.documents,
        encodeDf(model),
        through,
        version,
      ]);
    }
    await client.query('COMMIT');
    return { model, version, counted };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * The text model as stored, cached in this process while its version is the same (one small query
 * to check; 1 MiB read only when it moved). Null before anything was ever counted.
 */
export class TextModelCache {
  private cached: { version: number; model: TextModel } | null = null;

  async current(sql: Pick<Sql, 'query'>): Promise<TextModel | null> {
    const { rows } = await sql.query<{ version: number }>(`SELECT version FROM text_model WHERE id = 1`);
    const version = rows[0]?.version;
    if (version === undefined) return null;
    if (this.cached?.version === version) return this.cached.model;
    const full = await sql.query<{ buckets: number; documents: number; df: Buffer; version: number }>(
      `SELECT buckets, documents, df, version FROM text_model WHERE id = 1`,
    );
    const row = full.rows[0]!;
    this.cached = { version: row.version, model: { buckets: row.buckets, documents: row.documents, df: decodeDf(row.df, row.buckets) } };
    return this.cached.model;
  }

  /** What countIntoTextModel returned (it is current). */
  remember(result: CountResult): void {
    this.cached = { version: result.version, model: result.model };
  }
}

/** The text of papers as the text model reads it (title, abstract, ai_keywords). */
async function paperTexts(sql: Pick<Sql, 'query'>, where: string, params: unknown[]): Promise<PaperTextRow[]> {
  const { rows } = await sql.query<{ id: number; title: string; abstract: string; ai_keywords: string[] | null }>(
    `SELECT id, title, abstract, ai_keywords FROM paper ${where}`,
    params,
  );
  return rows.map((r) => ({ id: r.id, title: r.title, abstract: r.abstract, keywords: r.ai_keywords ?? [] }));
}

export function paperTextsById(sql: Pick<Sql, 'query'>, ids: readonly number[]): Promise<PaperTextRow[]> {
  return ids.length === 0 ? Promise.resolve([]) : paperTexts(sql, `WHERE id = ANY($1::int[])`, [ids]);
}

/** The papers these arXiv ids name (a `like:` topic's paper), with their ids: those not stored are absent. */
export async function paperTextsByArxivId(sql: Pick<Sql, 'query'>, arxivIds: readonly string[]): Promise<Map<string, PaperTextRow>> {
  if (arxivIds.length === 0) return new Map();
  const { rows } = await sql.query<{ id: number; arxiv_id: string; title: string; abstract: string; ai_keywords: string[] | null }>(
    `SELECT id, arxiv_id, title, abstract, ai_keywords FROM paper WHERE arxiv_id = ANY($1::text[])`,
    [arxivIds],
  );
  return new Map(rows.map((r) => [r.arxiv_id, { id: r.id, title: r.title, abstract: r.abstract, keywords: r.ai_keywords ?? [] }]));
}
