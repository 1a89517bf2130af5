// What paperboy learned about a reader, in the reader's hands (the preferences page, its own signed
// link): the papers they marked (the latest word on each), the words their reader model weighs most
// for and against, undoing one mark, and "forget what you learned about me". Undo and forget drop the
// model with the marks; the reader-model job trains it again from what is left before the next digest.
import { markedPapers, type MarkedPaper } from '../db/feedback.ts';
import { forgetReader, readerModelState, undoMark } from '../db/reader-models.ts';
import type { Subscriber } from '../db/subscribers.ts';
import { decodeReaderModel, explainReaderModel, type WeighedTerm } from '../relevance/index.ts';
import type { SubscriptionDeps } from './deps.ts';
import { SubscriptionError } from './errors.ts';
import { readLink } from './read-link.ts';

/** Marked papers listed on the page (all of them count). */
const MARKS_SHOWN = 50;

export interface Learned {
  /** the latest word on each marked paper, newest first (at most MARKS_SHOWN) */
  marks: MarkedPaper[];
  /** how many papers are marked in all */
  totalMarks: number;
  /** the words the stored model weighs most for and against; null: no model (nothing learned yet) */
  words: { for: WeighedTerm[]; against: WeighedTerm[] } | null;
  /** marks newer than the stored model (or no model yet): the job learns from them before the next digest */
  learning: boolean;
}

export async function whatWasLearned(deps: Pick<SubscriptionDeps, 'sql'>, subscriberId: number): Promise<Learned> {
  const [marks, state] = await Promise.all([markedPapers(deps.sql, subscriberId, MARKS_SHOWN), readerModelState(deps.sql, subscriberId)]);
  const learning = state.newestMark !== null && (state.feedbackThrough === null || state.newestMark > state.feedbackThrough);
  return { marks: marks.papers, totalMarks: marks.total, words: state.model ? explainReaderModel(decodeReaderModel(state.model)) : null, learning };
}

async function activeReader(deps: SubscriptionDeps, token: string | undefined): Promise<Subscriber> {
  const { subscriber } = await readLink(deps, token, 'preferences');
  if (subscriber.status !== 'active') throw new SubscriptionError('NOT_ACTIVE', `the subscription is ${subscriber.status}`);
  return subscriber;
}

/** One paper's mark undone (both kinds, every event of it) with the model; `marks`: 0 when it had none. */
export async function undoPaperMark(
  deps: SubscriptionDeps,
  token: string | undefined,
  paperId: number,
): Promise<{ subscriber: Subscriber; marks: number; title: string | null }> {
  const subscriber = await activeReader(deps, token);
  const { marks } = await undoMark(deps.sql, subscriber.id, paperId);
  if (marks === 0) return { subscriber, marks, title: null };
  deps.log.info({ event: 'feedback.undone', subscriberId: subscriber.id, paperId, marks }, `subscriber ${subscriber.id} undid a mark`);
  const paper = await deps.prisma.paper.findUnique({ where: { id: paperId }, select: { title: true } });
  return { subscriber, marks, title: paper?.title ?? null };
}

/** "Forget what you learned about me": every paper mark of the reader and their model. */
export async function forgetLearned(deps: SubscriptionDeps, token: string | undefined): Promise<{ subscriber: Subscriber; marks: number }> {
  const subscriber = await activeReader(deps, token);
  const { marks } = await forgetReader(deps.sql, subscriber.id);
  deps.log.info({ event: 'feedback.forgotten', subscriberId: subscriber.id, marks }, `subscriber ${subscriber.id} had what was learned forgotten`);
  return { subscriber, marks };
}
