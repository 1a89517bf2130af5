// Topics: a reader's line of interests compiled into a query over a paper's title and abstract.
// Pure data; see CONTEXT.md (topic) and src/match/README.md.

/** [start, end) character offsets into the original string (UTF-16 code units, as JS strings). */
export type Range = readonly [start: number, end: number];

export type TopicErrorCode =
  | 'TOPIC_EMPTY'
  | 'TOPIC_TOO_LONG'
  | 'TOPIC_TOO_MANY_TERMS'
  | 'TOPIC_UNBALANCED_QUOTE'
  | 'TOPIC_ONLY_EXCLUSIONS'
  | 'TOPIC_BAD_OR'
  | 'TOPIC_EMPTY_PHRASE'
  | 'TOPIC_BAD_EXCLUSION'
  | 'TOPIC_NO_WORDS';

/** A topic line that does not parse; `message` is written for the reader ("the quote at 5 is never closed"). */
export class TopicError extends Error {
  constructor(
    readonly code: TopicErrorCode,
    message: string,
    /** 0-based column in the topic line where the problem is, when it has one. */
    readonly column: number | null = null,
  ) {
    super(message);
    this.name = 'TopicError';
  }
}

/** A paper as the matcher needs it. */
export interface MatchablePaper {
  id: number;
  title: string;
  abstract: string;
}

/** How close a topic's words are in a paper: its phrase, near one another, or scattered (README.md "Ranking"). */
export type Closeness = 'phrase' | 'near' | 'scattered';
export type HitField = 'title' | 'abstract';

/** Why one topic caught one paper. */
export interface TopicHit {
  /** the topic line as the reader wrote it (trimmed). */
  topic: string;
  /** the words of the paper that matched, as written in the paper, de-duplicated, in order of first appearance. */
  words: string[];
  /** ranges to highlight in the title and in the abstract. */
  title: Range[];
  abstract: Range[];
  /** higher is better: by closeness, then field, then occurrences (README.md "Ranking"). */
  score: number;
  closeness: Closeness;
  /** where the closest occurrence is; for a scattered hit, title when any of its words is there */
  field: HitField;
  /** the closest occurrence (the phrase or the near words) in `field`, as a range of its text; null when scattered */
  closest: Range | null;
}

/** One paper caught by one or more of a subscriber's topics. */
export interface PaperMatch {
  paperId: number;
  /** every topic that caught it, best first. */
  hits: TopicHit[];
  /** best hit's score: the digest lists papers by it, best first. */
  score: number;
}
