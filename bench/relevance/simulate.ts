// The relevance simulation: days of new papers, readers with hidden interests getting each day's
// digest, giving feedback on what they see, their models retrained before the next digest — through
// the same pure code a digest build uses (TopicMatcher, inTopicOrder, src/relevance). Measures each
// day's digest as the reader sees it (groups by topic, then "You may also like", then "Probably not
// for you") against topics alone on the same day.
import { inTopicOrder } from '../../src/digest/plan-deliveries.ts';
import { TopicMatcher } from '../../src/digest/topic-matcher.ts';
import {
  addPapers,
  emptyTextModel,
  latestMarks,
  paperTerms,
  pickWeakNegatives,
  rankForReader,
  RULE,
  standardScore,
  weakPositivesFor,
  trainReaderModel,
  TRAINING,
  vectorizeTerms,
  surfaceByBucket,
  type PaperFeatures,
  type RankingRule,
  type ReaderModel,
  type SparseVector,
  type TextModel,
  type TrainingOptions,
} from '../../src/relevance/index.ts';
import type { CorpusPaper } from './corpus.ts';
import { wants, type ReaderProfile } from './readers.ts';
import type { FeedbackMark } from '../../src/model/reader.ts';

export interface SimulationOptions {
  days: number;
  papersPerDay: number;
  readersPerProfile: number;
  rule?: RankingRule;
  training?: TrainingOptions;
  /** extra dense features per paper (the semantic option), appended to the TF-IDF vector with this weight */
  extra?: { of: (paperId: number) => Float32Array | undefined; weight: number };
  seed?: number;
  /** how the email orders the caught papers: by topic group in the reader's topic order (today), or best first */
  order?: 'groups' | 'flat';
  /** sees every digest's scored papers (diagnostics) */
  onDigest?: (d: {
    events: number;
    caught: Array<{ relevance: number | null; wanted: boolean }>;
    others: Array<{ relevance: number; wanted: boolean }>;
  }) => void;
}

export interface ReaderDay {
  day: number;
  reader: number;
  profile: string;
  /** feedback events the reader had given before this digest */
  events: number;
  topicsP5: number;
  modelP5: number;
  topicsNdcg: number;
  modelNdcg: number;
  /** the digest shown equals topics alone, paper for paper */
  identical: boolean;
  notForYou: number;
  notForYouWanted: number;
  alsoLike: number;
  alsoLikeWanted: number;
}

interface SimReader {
  id: number;
  profile: ReaderProfile;
  likeRate: number;
  dislikeRate: number;
  events: FeedbackMark[];
  changed: boolean;
  model: ReaderModel | null;
  mailed: Set<number>;
  rand: () => number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

export function simulate(corpus: readonly CorpusPaper[], profiles: readonly ReaderProfile[], options: SimulationOptions): ReaderDay[] {
  const rule = options.rule ?? RULE;
  const training = options.training ?? TRAINING;
  const judged = corpus.filter((p) => p.categories.length > 0);
  const dayCount = options.days;
  const firstDay = judged.length - dayCount * options.papersPerDay;
  const days = Array.from({ length: dayCount }, (_, d) => judged.slice(firstDay + d * options.papersPerDay, firstDay + (d + 1) * options.papersPerDay));
  const inDays = new Set(days.flat().map((p) => p.id));
  const byId = new Map(corpus.map((p) => [p.id, p]));
  const terms = new Map<number, Map<string, number>>();
  const termsOf = (id: number) => {
    let t = terms.get(id);
    if (!t) terms.set(id, (t = paperTerms(byId.get(id)!)));
    return t;
  };

  const textModel: TextModel = emptyTextModel();
  const stored: number[] = corpus.filter((p) => !inDays.has(p.id)).map((p) => p.id);
  addPapers(
    textModel,
    stored.map((id) => byId.get(id)!),
  );

  const random = rng(options.seed ?? 7);
  const readers: SimReader[] = [];
  for (const profile of profiles) {
    for (let k = 0; k < options.readersPerProfile; k++) {
      const id = readers.length + 1;
      readers.push({
        id,
        profile,
        likeRate: 0.2 + 0.3 * random(),
        dislikeRate: 0.3 + 0.4 * random(),
        events: [],
        changed: false,
        model: null,
        mailed: new Set(),
        rand: rng(id * 7919 + (options.seed ?? 7)),
      });
    }
  }

  const out: ReaderDay[] = [];
  let clock = 0;
  days.forEach((papers, day) => {
    // ingest: the day's papers join the text model (and the stored papers random negatives come from)
    addPapers(textModel, papers);
    for (const p of papers) stored.push(p.id);
    const vectors = new Map<number, SparseVector>();
    const vectorOf = (id: number): SparseVector => {
      let v = vectors.get(id);
      if (!v) vectors.set(id, (v = withExtra(vectorizeTerms(textModel, termsOf(id)), options.extra?.of(id), options.extra?.weight ?? 0, textModel.buckets)));
      return v;
    };
    // (with extra features, only papers that have them: the semantic run embeds the latest papers only)
    const pool = samplePool(options.extra ? stored.filter((id) => options.extra!.of(id)) : stored, 1000, rng(day + 1));
    const matcher = new TopicMatcher(papers);
    const upvotes = new Map(papers.map((p, i) => [p.id, papers.length - i]));

    for (const reader of readers) {
      // retrained before the digest when the reader gave feedback since the last one
      if (reader.changed) {
        reader.changed = false;
        const marks = latestMarks(reader.events);
        const features = (id: number, surface = false): PaperFeatures => ({
          paperId: id,
          vector: vectorOf(id),
          ...(surface ? { surface: surfaceByBucket(textModel, byId.get(id)!) } : {}),
        });
        const marked = new Set([...marks.liked, ...marks.disliked]);
        const weakPositives = weakPositivesFor(marks, [...reader.mailed].reverse());
        reader.model = trainReaderModel(
          textModel,
          {
            liked: marks.liked.map((id) => features(id, true)),
            disliked: marks.disliked.map((id) => features(id, true)),
            weakNegatives: pickWeakNegatives(pool, reader.id, marked).map((id) => features(id)),
            weakPositives: weakPositives.map((id) => features(id)),
          },
          training,
        );
      }
      const caught = matcher
        .scorePapers(reader.profile.topics)
        .filter((p) => !reader.mailed.has(p.paperId))
        .map((p) => ({ ...p, upvotes: upvotes.get(p.paperId) ?? 0 }));
      if (caught.length === 0) continue;
      const caughtIds = new Set(caught.map((p) => p.paperId));
      const others = papers.filter((p) => !caughtIds.has(p.id) && !reader.mailed.has(p.id)).map((p) => ({ paperId: p.id, upvotes: upvotes.get(p.id) ?? 0 }));
      const baseline = inTopicOrder(caught.slice(0, 25), reader.profile.topics).map((p) => p.paperId);
      const ranking = rankForReader({ caught, others, model: reader.model, vectorOf, rule });
      const shown = [
        ...(options.order === 'flat' ? ranking.ordered.slice(0, 25) : inTopicOrder(ranking.ordered.slice(0, 25), reader.profile.topics)).map((p) => p.paperId),
        ...ranking.alsoLike.map((s) => s.paper.paperId),
        ...ranking.notForYou.map((p) => p.paperId),
      ];
      const wanted = (id: number) => wants(reader.profile, byId.get(id)!.categories);
      if (options.onDigest && reader.model) {
        const m = reader.model;
        options.onDigest({
          events: reader.events.length,
          caught: [...ranking.ordered, ...ranking.notForYou].map((p) => ({ relevance: p.relevance, wanted: wanted(p.paperId) })),
          others: others.map((p) => ({ relevance: standardScore(m, vectorOf(p.paperId)), wanted: wanted(p.paperId) })),
        });
      }
      const relevantToday = papers.filter((p) => !reader.mailed.has(p.id) && wanted(p.id)).length;
      out.push({
        day,
        reader: reader.id,
        profile: reader.profile.name,
        events: reader.events.length,
        topicsP5: precisionAt(baseline, 5, wanted),
        modelP5: precisionAt(shown, 5, wanted),
        topicsNdcg: ndcgAt(baseline, 10, wanted, relevantToday),
        modelNdcg: ndcgAt(shown, 10, wanted, relevantToday),
        identical: baseline.length === shown.length && baseline.every((id, i) => shown[i] === id),
        notForYou: ranking.notForYou.length,
        notForYouWanted: ranking.notForYou.filter((p) => wanted(p.paperId)).length,
        alsoLike: ranking.alsoLike.length,
        alsoLikeWanted: ranking.alsoLike.filter((s) => wanted(s.paper.paperId)).length,
      });
      for (const id of shown) reader.mailed.add(id);
      // feedback on what they read (the first ten), at most three clicks a day, one in twenty wrong
      let clicks = 0;
      for (const id of shown.slice(0, 10)) {
        if (clicks >= 3) break;
        const likes = wanted(id) !== reader.rand() < 0.05;
        if (likes ? reader.rand() < reader.likeRate : reader.rand() < reader.dislikeRate) {
          reader.events.push({ paperId: id, kind: likes ? 'more_like_this' : 'not_relevant', at: ++clock });
          reader.changed = true;
          clicks++;
        }
      }
    }
  });
  return out;
}

function samplePool(ids: readonly number[], size: number, random: () => number): number[] {
  if (ids.length <= size) return [...ids];
  const taken = new Set<number>();
  while (taken.size < size) taken.add(ids[Math.floor(random() * ids.length)]!);
  return [...taken];
}

function withExtra(v: SparseVector, extra: Float32Array | undefined, weight: number, offset: number): SparseVector {
  if (!extra || weight === 0) return v;
  const idx = Int32Array.from([...v.idx, ...Array.from(extra, (_, i) => offset + i)]);
  const val = Float32Array.from([...v.val, ...Array.from(extra, (x) => x * weight)]);
  let norm = 0;
  for (const x of val) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < val.length; i++) val[i]! /= norm;
  return { idx, val };
}

export function precisionAt(list: readonly number[], k: number, wanted: (id: number) => boolean): number {
  return list.slice(0, k).filter(wanted).length / k;
}

export function ndcgAt(list: readonly number[], k: number, wanted: (id: number) => boolean, relevant: number): number {
  let dcg = 0;
  list.slice(0, k).forEach((id, i) => {
    if (wanted(id)) dcg += 1 / Math.log2(i + 2);
  });
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant); i++) ideal += 1 / Math.log2(i + 2);
  return ideal > 0 ? dcg / ideal : 0;
}
