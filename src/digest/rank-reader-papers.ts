// One reader's papers, ranked: what the digest mails, the preferences page's preview and the reader's
// feeds show. Their topics catch papers (a `like:` topic: the papers resembling the paper it names);
// their reader model, when they have one, orders what was caught, sets aside what they would not want
// ("Probably not for you") and suggests up to two papers no topic caught ("You may also like").
// Without a model or `like:` topics: the topics' order exactly (match score, upvotes, listing order).
// Pure: the vectors, the model and the named papers come in `ReaderRelevance` (reader-relevance.ts).
import { likeScore, likeTopicTarget, papersLike, rankForReader, type ReaderModel, type SparseVector } from '../relevance/index.ts';
import type { TopicMatcher } from './topic-matcher.ts';
import type { DeliveryPaper } from '../model/delivery.ts';

/**
 * At most this many papers in one email (the best-scored), its sections counted: about 2.7 KiB of
 * HTML each, and Gmail clips messages over 102 KB. The rest are not mailed, so they stay eligible
 * for a later digest.
 */
export const MAX_PAPERS_PER_EMAIL = 25;

/** A paper a `like:` topic names, as stored. */
export interface LikeTarget {
  paperId: number;
  title: string;
  vector: SparseVector;
}

/** What ranks one reader's papers beyond their topics. */
export interface ReaderRelevance {
  /** null: the reader never gave feedback (or it was forgotten) */
  model: ReaderModel | null;
  /** each of the reader's `like:` topic lines → the paper it names (null: not stored yet, it catches nothing) */
  likes: ReadonlyMap<string, LikeTarget | null>;
  /** the papers that may be shown (the matcher's), in listing order */
  papers: ReadonlyArray<{ id: number; upvotes: number | null }>;
  /** a paper's text vector: the papers above and the reader's liked papers */
  vectorOf: (paperId: number) => SparseVector | undefined;
  /** a liked paper's title (the reason of a suggestion) */
  titleOf: (paperId: number) => string | undefined;
}

/** a caught paper: a delivery paper with its match score */
type Caught = DeliveryPaper & { score: number };

/** The reader's papers: caught ones in topic order, then those set aside, then the suggestions. */
export function rankReaderPapers(
  matcher: TopicMatcher,
  topics: readonly string[],
  alreadyMailed: ReadonlySet<number> | undefined,
  relevance?: ReaderRelevance,
  /** at most this many, the three parts together (a feed takes them all) */
  max = MAX_PAPERS_PER_EMAIL,
): DeliveryPaper[] {
  const likeLines = relevance && relevance.likes.size > 0 ? topics.filter((t) => relevance.likes.has(t)) : [];
  const ordinary = likeLines.length > 0 ? topics.filter((t) => !relevance!.likes.has(t)) : topics.filter((t) => likeTopicTarget(t) === null);
  let caught: Caught[] = matcher.scorePapers(ordinary);
  if (relevance && likeLines.length > 0) caught = withLikeHits(caught, likeLines, relevance);
  if (alreadyMailed?.size) caught = caught.filter((p) => !alreadyMailed.has(p.paperId));
  if (!relevance?.model) return inTopicOrder(caught.slice(0, max), topics);

  const upvotes = new Map(relevance.papers.map((p) => [p.id, p.upvotes ?? 0]));
  // a paper the reader liked is never suggested to them (it would resemble itself): a digest has it
  // in alreadyMailed anyway, a preview or a feed may list it
  const taken = new Set([...caught.map((p) => p.paperId), ...relevance.model.liked]);
  const ranking = rankForReader({
    caught: caught.map((p) => ({ ...p, upvotes: upvotes.get(p.paperId) ?? 0 })),
    others: relevance.papers.filter((p) => !taken.has(p.id) && !alreadyMailed?.has(p.id)).map((p) => ({ paperId: p.id, upvotes: p.upvotes })),
    model: relevance.model,
    vectorOf: relevance.vectorOf,
  });
  const alsoLike = ranking.alsoLike.slice(0, max);
  const ordered = ranking.ordered.slice(0, max - alsoLike.length);
  const notForYou = ranking.notForYou.slice(0, max - alsoLike.length - ordered.length);
  if (ordered.length + notForYou.length === 0) return []; // suggestions alone do not make an email
  const scored = ({ upvotes: _, relevance: r, ...p }: Caught & { upvotes?: number | null; relevance: number | null }): DeliveryPaper => ({
    ...p,
    ...(r === null ? {} : { relevance: round(r) }),
  });
  return [
    ...inTopicOrder(ordered.map(scored), topics),
    ...inTopicOrder(notForYou.map(scored), topics).map((p) => ({ ...p, section: 'not-for-you' as const })),
    ...alsoLike.map((s) => ({
      paperId: s.paper.paperId,
      topics: [],
      section: 'also-like' as const,
      resembles: { paperId: s.resembles, title: relevance.titleOf(s.resembles) ?? '' },
      relevance: round(s.paper.relevance!),
    })),
  ];
}

/** The papers each `like:` line catches, merged into what the ordinary topics caught, best first again. */
function withLikeHits(caught: Caught[], likeLines: readonly string[], relevance: ReaderRelevance): Caught[] {
  const candidates = relevance.papers.flatMap((p) => {
    const vector = relevance.vectorOf(p.id);
    return vector ? [{ paperId: p.id, vector }] : [];
  });
  const byId = new Map(caught.map((p) => [p.paperId, p]));
  const out = [...caught];
  for (const line of likeLines) {
    const target = relevance.likes.get(line);
    if (!target) continue;
    for (const hit of papersLike(target, candidates)) {
      const score = likeScore(hit.similarity);
      const resembles = { paperId: target.paperId, title: target.title };
      const known = byId.get(hit.paperId);
      if (!known) {
        const p: Caught = { paperId: hit.paperId, topics: [line], score, resembles };
        byId.set(hit.paperId, p);
        out.push(p);
      } else if (!known.topics.includes(line)) {
        // the better reason first: a like-hit that outscores the topic's words leads
        if (score > known.score) {
          known.topics.unshift(line);
          known.score = score;
        } else known.topics.push(line);
        known.resembles ??= resembles;
      }
    }
  }
  const position = new Map(relevance.papers.map((p, i) => [p.id, i]));
  const upvotes = new Map(relevance.papers.map((p) => [p.id, p.upvotes ?? 0]));
  return out.sort(
    (a, b) =>
      b.score - a.score || (upvotes.get(b.paperId) ?? 0) - (upvotes.get(a.paperId) ?? 0) || (position.get(a.paperId) ?? 0) - (position.get(b.paperId) ?? 0),
  );
}

const round = (x: number): number => Math.round(x * 100) / 100;

/**
 * The papers (best first) grouped by their best topic, groups in the subscriber's topic order, best
 * first inside each: the order the email shows them in (src/render/digest.ts groupByTopic keeps it),
 * stored with the delivery so a later change of topics does not reorder a frozen digest.
 */
export function inTopicOrder<P extends { topics: readonly string[] }>(papers: readonly P[], topics: readonly string[]): P[] {
  const rank = new Map(topics.map((t, i) => [t, i]));
  const place = (p: P): number => rank.get(p.topics[0] ?? '') ?? topics.length;
  return papers
    .map((p, i) => ({ p, i }))
    .sort((a, b) => place(a.p) - place(b.p) || a.i - b.i)
    .map((x) => x.p);
}
