// Retrieval of a character's scenes: keyword (BM25), vector (cosine) and their fusion.

export { tokenize, normalizeText, TOKENIZER_VERSION } from './tokenize';
export {
  KeywordIndex,
  KeywordIndexFormatError,
  KEYWORD_INDEX_FORMAT,
  type KeywordIndexJSON,
  type KeywordIndexOptions,
} from './keyword-index';
export {
  VectorMatrix,
  normalize,
  fuse,
  hybridSearch,
  type FusedScene,
  type HybridHit,
  type HybridOptions,
  type HybridQuery,
  type VectorMatrixOptions,
} from './vector';
export { withMessageFocus } from './message-focus';
export { corpusFingerprint, savedKeywordIndexKey, SAVED_KEYWORD_INDEX_PREFIX, type SavedKeywordIndexes } from './saved-index';
export type { ScoredScene, SearchableScene } from './types';
