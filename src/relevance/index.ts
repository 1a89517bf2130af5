// Relevance: the text model of every stored paper, one model per reader learned from their feedback,
// and what that model does to the papers a reader is shown. Pure; see README.md.
export { paperTerms, surfaceForms, contentStems, type PaperText } from './terms.ts';
export {
  addPapers,
  cosine,
  decodeDf,
  DEFAULT_BUCKETS,
  emptyTextModel,
  encodeDf,
  inVocabulary,
  termBucket,
  vectorize,
  vectorizeTerms,
  vocabularySize,
  type SparseVector,
  type TextModel,
} from './text-model.ts';
export { fitLogistic, sigmoid, type Example } from './logistic.ts';
export {
  decodeReaderModel,
  encodeReaderModel,
  explainReaderModel,
  heaviest,
  paperFeatures,
  scorePaper,
  standardScore,
  surfaceByBucket,
  trainReaderModel,
  TRAINING,
  type PaperFeatures,
  type ReaderModel,
  type TrainingOptions,
  type WeighedTerm,
} from './reader-model.ts';
export { rankForReader, RULE, type RankingRule } from './rank.ts';
export { likeScore, likeTopicTarget, LIKE_MIN_SIMILARITY, papersLike, type LikeHit } from './like-topic.ts';
export { latestMarks, pickWeakNegatives, WEAK_POSITIVES, weakPositivesFor } from './training.ts';
