// Relevance: the text model of every stored paper, one model per reader learned from their feedback,
// and what that model does to the papers a reader is shown. Pure; see README.md.
export { paperTerms, surfaceForms, contentStems, type PaperText } from './terms.ts';
export {
  addPapers, cosine, decodeDf, DEFAULT_BUCKETS, emptyTextModel, encodeDf, idf, inVocabulary, termBucket, vectorize, vectorizeTerms, vocabularySize,
  type SparseVector, type TextModel,
} from './text-model.ts';
export { fitLogistic, sigmoid, type Example, type LogisticFit } from './logistic.ts';
export {
  decodeReaderModel, encodeReaderModel, explainReaderModel, heaviest, logOdds, paperFeatures, scorePaper, standardScore, surfaceByBucket, trainReaderModel, TRAINING,
  type PaperFeatures, type ReaderModel, type TrainingOptions, type TrainingSet, type WeighedTerm,
} from './reader-model.ts';
export { rankForReader, RULE, type CaughtPaper, type OtherPaper, type Ranked, type RankingRule, type RankInput, type ReaderRanking, type Suggestion } from './rank.ts';
export { likeScore, likeTopicTarget, LIKE_MIN_SIMILARITY, papersLike, type LikeHit } from './like-topic.ts';
export { latestMarks, pickWeakNegatives, WEAK_NEGATIVES, WEAK_POSITIVES, weakPositivesFor, type Marks } from './training.ts';
