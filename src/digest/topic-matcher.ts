// Matching many subscribers against one digest's papers: each distinct topic string is compiled
// and matched once, whoever wrote it (100,000 subscribers share far fewer topics), then merged per
// subscriber. Pure: holds only a cache.
import { compileTopic, indexPapers, matchTopic, mergeTopicHits, TopicError, type MatchablePaper, type PaperIndex, type PaperMatch, type TopicHit } from '../match/index.ts';

type TopicResult = ReadonlyMap<number, TopicHit> | TopicError;

export class TopicMatcher {
  readonly index: PaperIndex;
  private readonly cache = new Map<string, TopicResult>();
  /** topics that no longer parse (stored before a rule changed): skipped, reported once each */
  readonly invalidTopics = new Map<string, TopicError>();

  constructor(papers: readonly MatchablePaper[]) {
    this.index = indexPapers(papers);
  }

  /** The hits of one topic, by paper id (null if the topic does not parse). */
  topicHits(topic: string): ReadonlyMap<number, TopicHit> | null {
    let result = this.cache.get(topic);
    if (result === undefined) {
      try {
        result = matchTopic(compileTopic(topic), this.index);
      } catch (err) {
        if (!(err instanceof TopicError)) throw err;
        result = err;
        this.invalidTopics.set(topic, err);
      }
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
