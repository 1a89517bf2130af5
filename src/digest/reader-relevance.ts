// What ranks readers' papers beyond their topics, loaded for a batch of readers: their reader models
// (most have none), the text of their liked papers and of the papers their `like:` topics name. The
// papers that may be shown are vectorised once (not per reader), the other papers once per use of
// this object (a digest build, a preview). The IO edge of rank-reader-papers.ts.
import { loadReaderModels } from '../db/reader-models.ts';
import type { Sql } from '../db/database.ts';
import { paperTextsByArxivId, paperTextsById } from '../db/text-model.ts';
import { decodeReaderModel, likeTopicTarget, vectorize, type PaperText, type SparseVector, type TextModel } from '../relevance/index.ts';
import type { LikeTarget, ReaderRelevance } from './rank-reader-papers.ts';

type Query = Pick<Sql, 'query'>;

/** A paper that may be shown: its text for the vector, its upvotes for ties. */
export interface ShownPaper {
  id: number;
  title: string;
  abstract: string;
  aiKeywords?: string[] | null;
  upvotes: number | null;
}

/** Stored papers read and vectorised, kept for the whole use (a few per reader with a model). */
const MAX_KEPT = 50_000;

export class ReaderRelevanceLoader {
  private readonly vectors = new Map<number, SparseVector>();
  private readonly titles = new Map<number, string>();
  private readonly targets = new Map<string, LikeTarget | null>();
  private readonly shown = new Map<number, ShownPaper>();

  constructor(
    private readonly sql: Query,
    private readonly textModel: TextModel,
  ) {}

  /** The relevance of each reader of the batch who has a model or a `like:` topic (the others are absent: topics alone). */
  async load(readers: ReadonlyArray<{ id: number; topics: readonly string[] }>, papers: readonly ShownPaper[]): Promise<Map<number, ReaderRelevance>> {
    for (const p of papers) this.shown.set(p.id, p);
    const models = await loadReaderModels(
      this.sql,
      readers.map((r) => r.id),
    );
    const likeLines = new Map(
      readers.map((r) => [
        r.id,
        r.topics.flatMap((t) => {
          const target = likeTopicTarget(t);
          return target ? [[t, target] as const] : [];
        }),
      ]),
    );
    const decoded = new Map([...models].map(([id, json]) => [id, decodeReaderModel(json)]));
    if (this.vectors.size > MAX_KEPT) this.forgetStored();
    await this.readStored([...decoded.values()].flatMap((m) => m.liked));
    await this.readTargets([...likeLines.values()].flatMap((lines) => lines.map(([, id]) => id)));

    const out = new Map<number, ReaderRelevance>();
    const listed = papers.map((p) => ({ id: p.id, upvotes: p.upvotes }));
    for (const reader of readers) {
      const model = decoded.get(reader.id) ?? null;
      const lines = likeLines.get(reader.id) ?? [];
      if (!model && lines.length === 0) continue;
      out.set(reader.id, {
        model,
        likes: new Map(lines.map(([line, id]) => [line, this.targets.get(id) ?? null])),
        papers: listed,
        vectorOf: (id) => this.vectorOf(id),
        titleOf: (id) => this.titles.get(id),
      });
    }
    return out;
  }

  /** A paper's vector: a shown paper's is made on first use, once. */
  vectorOf(id: number): SparseVector | undefined {
    let v = this.vectors.get(id);
    if (!v) {
      const p = this.shown.get(id);
      if (!p) return undefined;
      v = this.vectorise(id, { title: p.title, abstract: p.abstract, keywords: p.aiKeywords ?? [] });
    }
    return v;
  }

  private vectorise(id: number, text: PaperText & { title: string }): SparseVector {
    const v = vectorize(this.textModel, text);
    this.vectors.set(id, v);
    this.titles.set(id, text.title);
    return v;
  }

  private async readStored(ids: readonly number[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.vectors.has(id) && !this.shown.has(id));
    for (const row of await paperTextsById(this.sql, missing)) this.vectorise(row.id, row);
    for (const id of new Set(ids)) if (this.shown.has(id) && !this.titles.has(id)) this.titles.set(id, this.shown.get(id)!.title);
  }

  private async readTargets(arxivIds: readonly string[]): Promise<void> {
    const missing = [...new Set(arxivIds)].filter((id) => !this.targets.has(id));
    const rows = await paperTextsByArxivId(this.sql, missing);
    for (const id of missing) {
      const row = rows.get(id);
      this.targets.set(id, row ? { paperId: row.id, title: row.title, vector: this.vectors.get(row.id) ?? this.vectorise(row.id, row) } : null);
    }
  }

  private forgetStored(): void {
    for (const id of this.vectors.keys()) if (!this.shown.has(id)) this.vectors.delete(id);
  }
}
