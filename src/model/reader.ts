// What the stages and the database share of a reader (CONTEXT.md: frequency, feedback). Plain data.

/** How often an active subscriber is mailed (digest/frequency.ts). */
export type Frequency = 'daily' | 'weekly' | 'feed';

/** One "more like this" / "not relevant" event on a paper, as the reader model learns from it. */
export interface FeedbackMark {
  paperId: number;
  kind: 'more_like_this' | 'not_relevant';
  /** orders the events: a later event on the same paper replaces an earlier one */
  at: number;
}
