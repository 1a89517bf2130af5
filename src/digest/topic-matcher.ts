// Matching many subscribers against one digest's papers: each distinct topic string is compiled
// and matched once, whoever wrote it (100,000 subscribers share far fewer topics), then merged per
// subscriber. Pure: holds only a cache.
import {
  compileTopic,
  indexPapers,
  matchTopic,
  MAX_TOPIC_CHARS,
  MAX_TOPIC_WORDS,
  mergeTopicHits,
  scoreTopic,
  stemWord,
  TopicError,
  type CompiledTopic,
  type MatchablePaper,
  type PaperIndex,
  type PaperMatch,
  type TopicHit,
} from '../match/index.ts';

type TopicResult = ReadonlyMap<number, TopicHit> | TopicError;

const NO_SCORES: ReadonlyMap<number, number> = new Map();
const MAX_CACHED_TOPICS = 50_000;
const MAX_CACHED_HITS = 5_000;
/** letters and digits separated by single spaces: each is one word of the query */
const PLAIN_WORDS = /^[\p{L}\p{N}]+(?: [\p{L}\p{N}]+)*$/u;

/** A paper one subscriber's topics catch: its best score and every topic that caught it. */
export interface ScoredPaper {
  paperId: number;
  score: number;
  topics: string[];
}

export class TopicMatcher {
  readonly index: PaperIndex;
  private readonly cache = new Map<string, TopicResult>();
  private readonly scores = new Map<string, ReadonlyMap<number, number> | null>();
  private readonly position = new Map<number, number>();
  private readonly upvotes = new Map<number, number>();
  /** topics that no longer parse (stored before a rule changed): skipped, reported once each */
  readonly invalidTopics = new Map<string, TopicError>();

  constructor(papers: ReadonlyArray<MatchablePaper & { upvotes?: number | null }>) {
    this.index = indexPapers(papers);
    papers.forEach((p, i) => {
      this.position.set(p.id, i);
      this.upvotes.set(p.id, p.upvotes ?? 0);
    });
  }

  /** Compiled on each cache miss only (results are cached, not the compiled form: memory). */
  private compile(topic: string): CompiledTopic | null {
    if (this.invalidTopics.has(topic)) return null;
    try {
      return compileTopic(topic);
    } catch (err) {
      if (!(err instanceof TopicError)) throw err;
      this.invalidTopics.set(topic, err);
      return null;
    }
  }

  /** paper id → score for one topic, cached by topic string (null if it does not parse). */
  topicScores(topic: string): ReadonlyMap<number, number> | null {
    let result = this.scores.get(topic);
    if (result === undefined) {
      if (this.cannotCatchAnything(topic)) result = NO_SCORES;
      else {
        const compiled = this.compile(topic);
        result = compiled ? scoreTopic(compiled, this.index) : null;
      }
      // Bounded, so a huge and varied subscriber base cannot grow it without limit.
      if (this.scores.size >= MAX_CACHED_TOPICS) this.scores.clear();
      this.scores.set(topic, result);
    }
    return result;
  }

  /**
   * Most topics catch none of a day's few new papers. A topic of plain words (ANDed) with a word no
   * paper contains catches nothing: say so without parsing it. Anything else goes the whole way.
   */
  private cannotCatchAnything(topic: string): boolean {
    if (!PLAIN_WORDS.test(topic)) return false;
    const words = topic.split(' ').filter(Boolean);
    if (words.length === 0 || words.length > MAX_TOPIC_WORDS || topic.length > MAX_TOPIC_CHARS || words.includes('OR')) return false;
    return words.some((w) => !this.index.papersByStem.has(stemWord(w)));
  }

  /**
   * What one subscriber's topics catch, best first (ties: more upvotes first, then listing order:
   * CONTEXT.md "Ranking"), without highlights:
   * the digest plan needs only this; the email computes the highlights of what it shows.
   */
  scorePapers(topics: readonly string[]): ScoredPaper[] {
    let out: ScoredPaper[] | null = null;
    for (const topic of topics) {
      const scores = this.topicScores(topic);
      if (!scores || scores.size === 0) continue;
      out ??= [];
      for (const [paperId, score] of scores) {
        const known = out.find((p) => p.paperId === paperId);
        if (!known) out.push({ paperId, score, topics: [topic] });
        else if (!known.topics.includes(topic)) {
          known.topics.push(topic);
          if (score > known.score) known.score = score;
        }
      }
    }
    if (!out) return [];
    for (const p of out)
      if (p.topics.length > 1) p.topics.sort((a, b) => (this.scores.get(b)?.get(p.paperId) ?? 0) - (this.scores.get(a)?.get(p.paperId) ?? 0));
    return out.sort(
      (a, b) =>
        b.score - a.score || this.upvotes.get(b.paperId)! - this.upvotes.get(a.paperId)! || this.position.get(a.paperId)! - this.position.get(b.paperId)!,
    );
  }

  /** The hits of one topic, by paper id (null if the topic does not parse). */
  topicHits(topic: string): ReadonlyMap<number, TopicHit> | null {
    let result = this.cache.get(topic);
    if (result === undefined) {
      const compiled = this.compile(topic);
      result = compiled ? matchTopic(compiled, this.index) : this.invalidTopics.get(topic)!;
      // Hits carry words and ranges: worth keeping for the popular topics a sender meets again and
      // again, not for every one of a large subscriber base's rare ones.
      if (this.cache.size >= MAX_CACHED_HITS) this.cache.clear();
      this.cache.set(topic, result);
    }
    return result instanceof TopicError ? null : result;
  }

  /** One subscriber's papers, best first, each with the topics that caught it. */
  match(topics: readonly string[]): PaperMatch[] {
    const perTopic: Array<ReadonlyMap<number, TopicHit>> = [];
    for (const topic of topics) {
      const hits = this.topicHits(topic);
      if (hits && hits.size > 0) perTopic.push(hits);
    }
    return perTopic.length === 0 ? [] : mergeTopicHits(perTopic, this.index);
  }

  /** The hits of the given topics on one paper (to re-derive highlights from a stored delivery). */
  hitsFor(paperId: number, topics: readonly string[]): TopicHit[] {
    const hits: TopicHit[] = [];
    for (const topic of topics) {
      const hit = this.topicHits(topic)?.get(paperId);
      if (hit) hits.push(hit);
    }
    return hits.sort((a, b) => b.score - a.score);
  }
}
