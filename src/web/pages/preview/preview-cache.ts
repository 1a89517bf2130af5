// The live preview's data: the newest snapshot's papers behind the digest's own TopicMatcher, and
// each topic's answer as ready JSON. Built once per snapshot; whether a newer snapshot exists is
// asked at most every `refreshMs` (one cheap query), and meanwhile requests are answered from
// what is loaded (stale while revalidating), so a request almost never waits on the database.
// Topics are public input: the caches are bounded (TopicMatcher's own cache is not, which suits a
// digest's stored topics but not a text box), by starting a fresh matcher when they are full.
import { TopicMatcher } from '../../../digest/topic-matcher.ts';
import type { SnapshotDiff } from '../../../diff/load-new-papers.ts';
import type { Logger } from '../../../log/logger.ts';
import type { PaperTextRow } from '../../../db/text-model.ts';
import { likeTopicTarget, papersLike, vectorize, type SparseVector, type TextModel } from '../../../relevance/index.ts';
import { topicLineProblem } from '../../../subscriptions/input.ts';
import type { ReaderRelevanceLoader } from '../../../digest/reader-relevance.ts';
import { likePreview } from './like-preview.ts';
import { readerPreview, type ReaderPreview } from './reader-preview.ts';
import { topicPreview, type TopicPreview } from './topic-preview.ts';
import type { Paper } from '../../../model/paper.ts';
import type { SnapshotSummary } from '../../../model/snapshot.ts';

export interface PreviewSnapshot {
  id: number;
  /** YYYY-MM-DD */
  capturedAt: string;
  papers: number;
  newPapers: number;
}

export interface PreviewSource {
  latest(): Promise<SnapshotSummary | null>;
  load(snapshot: SnapshotSummary): Promise<SnapshotDiff>;
  /** `like:` lines: the text model (null: nothing counted yet) and a stored paper by arXiv id (absent: they catch nothing) */
  likes?: { textModel: () => Promise<TextModel | null>; paper: (arxivId: string) => Promise<PaperTextRow | null> };
  /** the preferences page's preview: what loads a reader's model (and vectorises papers) over a text model */
  readers?: (textModel: TextModel) => ReaderRelevanceLoader;
}

/** A reader, for their own preview: the lines of the box that catch for them (not muted, parsing). */
export interface PreviewReader {
  id: number;
  lines: readonly string[];
}

export interface PreviewCacheOptions {
  /** how often to look for a newer snapshot (ms) */
  refreshMs: number;
  /** distinct topics kept per snapshot before starting afresh */
  maxTopics?: number;
  clock?: () => number;
  log: Logger;
}

/** One snapshot, matched: the same matcher as the digest, over all of the snapshot's papers. */
export class PreviewCorpus {
  readonly snapshot: PreviewSnapshot;
  /** `{"snapshot":…}` prefix of every answer, serialised once */
  readonly snapshotJson: string;
  private matcher: TopicMatcher;
  private readonly results = new Map<string, string>();
  private readonly papers: ReadonlyMap<number, Paper>;
  private readonly newIds: ReadonlySet<number>;
  /** the papers each answered line catches (the summary counts a paper two lines catch once) */
  private readonly caught = new Map<string, readonly number[]>();
  private vectors: Array<{ paperId: number; vector: SparseVector }> | null = null;
  /** readers' models are read per request; the snapshot's vectors and liked papers' are kept here */
  private readerLoader: ReaderRelevanceLoader | null = null;
  private readerLoads = 0;

  constructor(
    diff: SnapshotDiff,
    private readonly maxTopics = 5000,
    private readonly likes: { textModel: TextModel; paper: (arxivId: string) => Promise<PaperTextRow | null> } | null = null,
    private readonly readers: ((textModel: TextModel) => ReaderRelevanceLoader) | null = null,
  ) {
    this.papers = new Map(diff.papers.map((p) => [p.id, p]));
    this.newIds = new Set(diff.newPaperIds);
    this.matcher = new TopicMatcher(diff.papers);
    this.snapshot = {
      id: diff.snapshot.id,
      capturedAt: diff.snapshot.capturedAt.toISOString().slice(0, 10),
      papers: diff.papers.length,
      newPapers: diff.newPaperIds.length,
    };
    this.snapshotJson = JSON.stringify(this.snapshot);
  }

  /** One topic line (trimmed, non-empty) as JSON: its papers or its error. */
  topicJson(topic: string): string {
    const cached = this.results.get(topic);
    if (cached !== undefined) return cached;
    const { preview, ids } = this.preview(topic);
    return this.remember(topic, preview, ids);
  }

  /** Any line: a `like:` line looks its paper up (once per snapshot), the others are topicJson. */
  async lineJson(topic: string): Promise<string> {
    const arxivId = likeTopicTarget(topic);
    if (arxivId === null) return this.topicJson(topic);
    const cached = this.results.get(topic);
    if (cached !== undefined) return cached;
    const stored = this.likes ? await this.likes.paper(arxivId) : null;
    if (!stored || !this.likes) return this.remember(topic, likePreview(topic, { arxivId, title: stored?.title ?? null }, [], this.papers, this.newIds), []);
    this.vectors ??= [...this.papers.values()].map((p) => ({
      paperId: p.id,
      vector: vectorize(this.likes!.textModel, { title: p.title, abstract: p.abstract, keywords: p.aiKeywords ?? [] }),
    }));
    const hits = papersLike({ paperId: stored.id, vector: vectorize(this.likes.textModel, stored) }, this.vectors);
    return this.remember(
      topic,
      likePreview(topic, { arxivId, title: stored.title }, hits, this.papers, this.newIds),
      hits.map((h) => h.paperId),
    );
  }

  /** The papers of the newest snapshot the given (answered) lines catch, each once, and how many of them are new. */
  caughtBy(topics: readonly string[]): { papers: number; new: number } {
    const ids = new Set(topics.flatMap((t) => this.caught.get(t) ?? []));
    return { papers: ids.size, new: [...ids].filter((id) => this.newIds.has(id)).length };
  }

  /**
   * One reader's ranking of what `reader.lines` catch (their model, read now: one query), or null when
   * they have no model (topics alone: the preview is the same as anyone's). The lines must have been
   * answered (lineJson) first: that keeps the matcher's caches within their bounds.
   */
  async forReader(reader: PreviewReader): Promise<ReaderPreview | null> {
    if (!this.likes || !this.readers) return null;
    // a fresh loader now and then: typed `like:` lines are remembered by it, and the box is public input
    if (!this.readerLoader || ++this.readerLoads > this.maxTopics) {
      this.readerLoader = this.readers(this.likes.textModel);
      this.readerLoads = 0;
    }
    const relevance = (await this.readerLoader.load([{ id: reader.id, topics: reader.lines }], [...this.papers.values()])).get(reader.id);
    if (!relevance?.model) return null;
    return readerPreview({ matcher: this.matcher, papers: this.papers, newIds: this.newIds, lines: reader.lines, relevance });
  }

  private remember(topic: string, preview: TopicPreview, ids: readonly number[]): string {
    if (this.results.size >= this.maxTopics) {
      this.results.clear();
      this.caught.clear();
      this.matcher = new TopicMatcher([...this.papers.values()]);
    }
    const json = JSON.stringify(preview);
    this.results.set(topic, json);
    this.caught.set(topic, ids);
    return json;
  }

  private preview(topic: string): { preview: TopicPreview; ids: readonly number[] } {
    // the form's own check first (control characters, then the matcher's parse errors), so the
    // preview and a submitted form always say the same thing about a line
    const problem = topicLineProblem(topic);
    if (problem) return { preview: { topic, error: problem }, ids: [] };
    const hits = this.matcher.topicHits(topic);
    if (!hits) {
      const error = this.matcher.invalidTopics.get(topic);
      return {
        preview: {
          topic,
          error: { code: error?.code ?? 'TOPIC_INVALID', message: error?.message ?? 'This topic does not parse.', column: error?.column ?? null },
        },
        ids: [],
      };
    }
    return { preview: topicPreview(topic, hits, this.papers, this.newIds), ids: [...hits.keys()] };
  }
}

export class PreviewCache {
  private corpus: PreviewCorpus | null = null;
  private loaded = false;
  private checkedAt = -Infinity;
  private inflight: Promise<void> | null = null;
  private readonly clock: () => number;

  constructor(
    private readonly source: PreviewSource,
    private readonly options: PreviewCacheOptions,
  ) {
    this.clock = options.clock ?? (() => performance.now());
  }

  /** The newest snapshot's corpus (null when nothing is ingested yet). */
  async current(): Promise<PreviewCorpus | null> {
    if (this.loaded && this.clock() - this.checkedAt < this.options.refreshMs) return this.corpus;
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = null;
    });
    if (this.loaded) return this.corpus; // the check runs in the background; it never rejects once loaded
    await this.inflight;
    return this.corpus;
  }

  private async refresh(): Promise<void> {
    try {
      const latest = await this.source.latest();
      if (!latest) this.corpus = null;
      else if (this.corpus?.snapshot.id !== latest.id) {
        const started = performance.now();
        const likes = this.source.likes;
        const textModel = likes ? await likes.textModel() : null;
        this.corpus = new PreviewCorpus(
          await this.source.load(latest),
          this.options.maxTopics,
          likes && textModel ? { textModel, paper: likes.paper } : null,
          this.source.readers ?? null,
        );
        this.options.log.info(
          { event: 'preview.snapshot_loaded', snapshotId: latest.id, papers: this.corpus.snapshot.papers, ms: Math.round(performance.now() - started) },
          `live preview now uses snapshot ${latest.id}`,
        );
      }
      this.loaded = true;
    } catch (err) {
      if (!this.loaded) throw err;
      this.options.log.warn({ event: 'preview.refresh_failed', err }, 'could not look for a newer snapshot; the preview keeps the one it has');
    } finally {
      this.checkedAt = this.clock();
    }
  }
}
