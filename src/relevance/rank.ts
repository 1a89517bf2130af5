// What a reader's model does to one digest (or preview, or feed): within what their topics catch,
// the match tier and the model's score together decide the order, upvotes break ties; papers the
// model is confident they do not want go to the end, under "Probably not for you"; up to two new
// papers no topic caught but the model rates highly come as "You may also like", each with the liked
// paper it most resembles. A reader without a model gets the caught papers exactly as given. Pure.
import { standardScore, type ReaderModel } from './reader-model.ts';
import { cosine, type SparseVector } from './text-model.ts';

/** A paper the reader's topics caught, in today's order (match score, then listing order). */
export interface CaughtPaper {
  paperId: number;
  /** the match score (src/match/README.md "Ranking": tier × 1000 + occurrences) */
  score: number;
  upvotes?: number | null;
}

/** A new paper no topic of the reader caught (and not mailed to them before). */
export interface OtherPaper {
  paperId: number;
  upvotes?: number | null;
}

export interface RankingRule {
  /** how many match tiers one standard deviation of the model's score is worth */
  tiersPerDeviation: number;
  /** below this standard score (and with at least one "not relevant" learned) a caught paper is "probably not for you" */
  notForYouBelow: number;
  /** a paper no topic caught is suggested from this standard score (with at least one liked paper) */
  alsoLikeFrom: number;
  /** and only if it resembles a liked paper at least this much (cosine of their text vectors) */
  alsoLikeMinSimilarity: number;
  maxAlsoLike: number;
}

export const RULE: RankingRule = { tiersPerDeviation: 2, notForYouBelow: 0.5, alsoLikeFrom: 2, alsoLikeMinSimilarity: 0.05, maxAlsoLike: 2 };

type Ranked<T> = T & {
  /**
   * the model's standard score: how many standard deviations above an ordinary stored paper it puts
   * this one (null: no model; README "Scores")
   */
  relevance: number | null;
};

interface Suggestion<T> {
  paper: Ranked<T>;
  /** the liked paper it most resembles, and how much (cosine) */
  resembles: number;
  similarity: number;
}

export interface ReaderRanking<C, O> {
  /** the caught papers to show, best first */
  ordered: Array<Ranked<C>>;
  /** caught papers the model is confident the reader does not want: shown last, under their line */
  notForYou: Array<Ranked<C>>;
  /** at most RULE.maxAlsoLike papers no topic caught */
  alsoLike: Array<Suggestion<O>>;
}

export interface RankInput<C extends CaughtPaper, O extends OtherPaper> {
  caught: readonly C[];
  others: readonly O[];
  /** null: the reader never gave feedback (or it was forgotten) */
  model: ReaderModel | null;
  /** a paper's text vector (the caught, the others and the liked papers are asked for) */
  vectorOf: (paperId: number) => SparseVector | undefined;
  rule?: RankingRule;
}

const TIER = 1000;

export function rankForReader<C extends CaughtPaper, O extends OtherPaper>(input: RankInput<C, O>): ReaderRanking<C, O> {
  const { model, vectorOf } = input;
  const rule = input.rule ?? RULE;
  if (!model) return { ordered: input.caught.map((p) => ({ ...p, relevance: null })), notForYou: [], alsoLike: [] };

  const relevance = (paperId: number): number => {
    const v = vectorOf(paperId);
    return v ? standardScore(model, v) : 0;
  };
  const scored = input.caught.map((p, position) => ({ paper: { ...p, relevance: relevance(p.paperId) }, position }));
  const key = (s: (typeof scored)[number]) => Math.floor(s.paper.score / TIER) + rule.tiersPerDeviation * s.paper.relevance;
  scored.sort((a, b) => key(b) - key(a) || (b.paper.upvotes ?? 0) - (a.paper.upvotes ?? 0) || a.position - b.position);
  const confident = model.negatives > 0;
  const ordered = scored.filter((s) => !(confident && s.paper.relevance < rule.notForYouBelow)).map((s) => s.paper);
  const notForYou = scored.filter((s) => confident && s.paper.relevance < rule.notForYouBelow).map((s) => s.paper);
  return { ordered, notForYou, alsoLike: suggestions(input, model, rule, relevance) };
}

function suggestions<C extends CaughtPaper, O extends OtherPaper>(
  input: RankInput<C, O>,
  model: ReaderModel,
  rule: RankingRule,
  relevance: (paperId: number) => number,
): Array<Suggestion<O>> {
  const liked = model.liked.map((id) => ({ id, v: input.vectorOf(id) })).filter((l): l is { id: number; v: SparseVector } => l.v !== undefined);
  if (liked.length === 0 || rule.maxAlsoLike <= 0) return [];
  const caught = new Set(input.caught.map((p) => p.paperId));
  const out: Array<Suggestion<O>> = [];
  for (const paper of input.others) {
    if (caught.has(paper.paperId)) continue;
    const r = relevance(paper.paperId);
    if (r < rule.alsoLikeFrom) continue;
    const v = input.vectorOf(paper.paperId);
    if (!v) continue;
    let best = { id: liked[0]!.id, similarity: -1 };
    for (const l of liked) {
      const similarity = cosine(v, l.v);
      if (similarity > best.similarity) best = { id: l.id, similarity };
    }
    if (best.similarity < rule.alsoLikeMinSimilarity) continue;
    out.push({ paper: { ...paper, relevance: r }, resembles: best.id, similarity: best.similarity });
  }
  return out.sort((a, b) => b.paper.relevance! - a.paper.relevance! || (b.paper.upvotes ?? 0) - (a.paper.upvotes ?? 0)).slice(0, rule.maxAlsoLike);
}
