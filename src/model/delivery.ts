// A digest's deliveries as the stages and the database share them (CONTEXT.md: digest, delivery). Plain data.

/** What a delivery row keeps of each paper: enough to render it again and to explain it. */
export interface DeliveryPaper {
  paperId: number;
  /** the subscriber's topics that caught it, best first */
  topics: string[];
  /** the best score of its topics on it (see src/match/README.md) */
  score?: number;
  /** the words that matched, as written in the paper (not stored by digest builds: derived from the topics when shown) */
  words?: string[];
  /**
   * where it goes after the topics' groups (absent: in its topic's group): under "Probably not for
   * you", or under "You may also like" (a paper no topic caught; `topics` is empty)
   */
  section?: 'not-for-you' | 'also-like';
  /** the paper a `like:` topic named, or the liked paper a suggestion most resembles: its reason ("Like <title>") */
  resembles?: { paperId: number; title: string };
  /** the reader model's standard score (absent: the reader has no model) */
  relevance?: number;
}

export interface SubscriberForDigest {
  id: number;
  topics: string[];
}

export interface DeliveryPlan {
  subscriberId: number;
  papers: DeliveryPaper[];
}

/** What identifies one attempt of one delivery held by this worker. */
export interface Held {
  id: number;
  attempt: number;
}

export interface FailureDetail {
  code: string;
  error: string;
  response: string | null;
}
