// The reader-model job: counts the papers stored since the last count into the text model, then
// trains the model of every active reader who marked a paper since theirs was trained (or has none),
// in batches, and stores them. Run before a digest is built (so feedback given before it counts in
// it), by `paperboy relevance train`, and by the benchmark. Readers who never gave feedback are never
// read here. Idempotent: a second run right after finds nothing to do.
import type { Sql } from '../db/database.ts';
import { paperTextsById, TextModelCache, type PaperTextRow } from '../db/text-model.ts';
import { countTextModel } from '../relevance/stored-text-model.ts';
import { randomPaperIds, readerFeedback, readersToTrain, recentlyMailed, saveReaderModels, type StoredReaderModel } from '../db/reader-models.ts';
import type { Logger } from '../log/logger.ts';
import {
  encodeReaderModel,
  latestMarks,
  paperFeatures,
  pickWeakNegatives,
  trainReaderModel,
  weakPositivesFor,
  WEAK_POSITIVES,
  type PaperFeatures,
  type TextModel,
} from '../relevance/index.ts';
import { plural } from '../log/plural.ts';

export interface TrainReaderModelsDeps {
  sql: Sql;
  log: Logger;
  now: () => Date;
  /** this process's copy of the text model (kept between runs) */
  textModels?: TextModelCache;
}

export interface TrainReaderModelsOptions {
  /** readers trained and written per statement */
  batchSize?: number;
  /** stored papers sampled as the pool of weak negatives */
  poolSize?: number;
  /** each batch, as it is written (progress on a terminal) */
  onBatch?: (done: number, total: number) => void;
}

export interface TrainReaderModelsResult {
  /** papers the text model counted in this run */
  countedPapers: number;
  documents: number;
  /** readers whose model was out of date */
  readers: number;
  /** of them, how many now have a model (the rest gave nothing to learn from yet) */
  trained: number;
  largestModelBytes: number;
  ms: number;
}

/** Feature cache entries kept between batches (vectors are small; texts are dropped once vectorised). */
const MAX_CACHED_FEATURES = 50_000;

export async function trainReaderModels(deps: TrainReaderModelsDeps, options: TrainReaderModelsOptions = {}): Promise<TrainReaderModelsResult> {
  const started = performance.now();
  const counted = await countTextModel(deps.sql);
  deps.textModels?.remember(counted);
  const textModel = counted.model;
  const readers = await readersToTrain(deps.sql);
  const result: TrainReaderModelsResult = {
    countedPapers: counted.counted,
    documents: textModel.documents,
    readers: readers.length,
    trained: 0,
    largestModelBytes: 0,
    ms: 0,
  };
  if (readers.length > 0) {
    const features = new FeatureCache(deps.sql, textModel);
    const pool = await randomPaperIds(deps.sql, options.poolSize ?? 1_000);
    await features.load(pool, false);
    for (const id of pool) features.pinned.add(id);
    const batchSize = options.batchSize ?? 500;
    for (let start = 0; start < readers.length; start += batchSize) {
      const batch = readers.slice(start, start + batchSize);
      const feedback = await readerFeedback(deps.sql, batch);
      const marks = new Map(batch.map((id) => [id, latestMarks(feedback.get(id)?.marks ?? [])]));
      const needMailed = batch.filter((id) => marks.get(id)!.liked.length === 0);
      const mailed = await recentlyMailed(deps.sql, needMailed, WEAK_POSITIVES + 20);
      const weakPositives = new Map(needMailed.map((id) => [id, weakPositivesFor(marks.get(id)!, mailed.get(id) ?? [])]));
      await features.load(
        [...marks.values()].flatMap((m) => [...m.liked, ...m.disliked]),
        true,
      );
      await features.load([...weakPositives.values()].flat(), false);
      const stored: StoredReaderModel[] = [];
      for (const subscriberId of batch) {
        const m = marks.get(subscriberId)!;
        const marked = new Set([...m.liked, ...m.disliked]);
        const model = trainReaderModel(textModel, {
          liked: features.of(m.liked),
          disliked: features.of(m.disliked),
          weakNegatives: features.of(pickWeakNegatives(pool, subscriberId, marked)),
          weakPositives: features.of(weakPositives.get(subscriberId) ?? []),
        });
        const json = model ? encodeReaderModel(model) : null;
        if (json) {
          result.trained++;
          result.largestModelBytes = Math.max(result.largestModelBytes, Buffer.byteLength(json));
        }
        const events = feedback.get(subscriberId);
        stored.push({
          subscriberId,
          model: json,
          feedbackThrough: events?.through ?? 0,
          events: events?.marks.length ?? 0,
          positives: m.liked.length,
          negatives: m.disliked.length,
        });
      }
      await saveReaderModels(deps.sql, stored, deps.now());
      options.onBatch?.(Math.min(start + batchSize, readers.length), readers.length);
    }
  }
  result.ms = Math.round(performance.now() - started);
  deps.log.info(
    { event: 'relevance.trained', ...result },
    `reader models: ${result.trained} of ${plural(result.readers, 'reader')} with new feedback trained; text ` +
      `model ${plural(result.documents, 'paper')} (+${result.countedPapers})`,
  );
  return result;
}

/** Paper features for one run: each paper read and vectorised once (marked papers with their words). */
class FeatureCache {
  private readonly cache = new Map<number, PaperFeatures>();
  /** kept for the whole run (the pool of weak negatives) */
  readonly pinned = new Set<number>();

  constructor(
    private readonly sql: Sql,
    private readonly textModel: TextModel,
  ) {}

  async load(ids: readonly number[], surface: boolean): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => {
      const known = this.cache.get(id);
      return !known || (surface && !known.surface);
    });
    if (missing.length === 0) return;
    if (this.cache.size + missing.length > MAX_CACHED_FEATURES) for (const id of this.cache.keys()) if (!this.pinned.has(id)) this.cache.delete(id);
    const rows: PaperTextRow[] = await paperTextsById(this.sql, missing);
    for (const row of rows) this.cache.set(row.id, paperFeatures(this.textModel, row.id, row, { surface }));
  }

  /** Features of the papers that exist (a paper deleted since it was marked is left out). */
  of(ids: readonly number[]): PaperFeatures[] {
    return ids.map((id) => this.cache.get(id)).filter((f): f is PaperFeatures => f !== undefined);
  }
}
