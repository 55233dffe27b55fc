// Recall from the chat itself: earlier messages of the branch that the new message refers back to,
// found like scenes (BM25 over the messages, fused with cosine when an embedding model has vectors
// for them). The prompt builder then takes those that are no longer in the history it sends.
//
// "Refers back" is a gate, not a ranking: every message shares some words with some older one, and
// a recalled message stays in the history the engine caches (it rides on the new message), so
// recalling on every turn would fill history and rebuild the prompt far more often. A message is
// recalled when it stands out: its BM25 score at least RECALL_MARGIN times that of the
// RECALL_BASELINE-th best match (what an unrelated message scores), or, by meaning, a cosine of at
// least RECALL_COSINE.

import { hybridSearch, KeywordIndex, type VectorMatrix } from '../retrieval';
import type { ChatTurn } from '../types';

/** Candidates handed to the prompt builder (it keeps what fits the recall budget). */
export const RECALL_K = 4;
const RECALL_BASELINE = 10;
const RECALL_MARGIN = 1.6;
const RECALL_COSINE = 0.6;
/** The newest turns are in the prompt anyway: never candidates. */
const RECENT_TURNS = 4;

export interface RecallCandidate {
  /** The message id (for the inspector). */
  id: string;
  /** Index in the history given to the prompt builder. */
  turn: number;
  text: string;
  score: number;
}

/**
 * Earlier turns that share words (or meaning, with vectors) with the new message, best first.
 * `ids[i]` names `history[i]`; the last turn is the new message, the query. Vectors, when given,
 * are keyed by message id.
 */
export function recallCandidates(
  history: readonly ChatTurn[],
  ids: readonly string[],
  options: { vectors?: VectorMatrix | null; queryVector?: ArrayLike<number> | null; k?: number } = {},
): RecallCandidate[] {
  const query = history.at(-1)?.content ?? '';
  const searchable = history.slice(0, Math.max(0, history.length - 1 - RECENT_TURNS));
  if (!query.trim() || searchable.length === 0) return [];
  const byId = new Map<string, number>();
  const index = KeywordIndex.build(
    searchable.flatMap((turn, i) => {
      if (turn.role === 'system' || !turn.content.trim()) return [];
      byId.set(ids[i], i);
      return [{ id: ids[i], text: turn.content }];
    }),
  );
  const hits = hybridSearch({ keyword: index, query, vectors: options.vectors, queryVector: options.queryVector }, Math.max(RECALL_BASELINE, options.k ?? RECALL_K));
  const keywordScores = hits.map((h) => h.keywordScore ?? 0).sort((a, b) => b - a);
  const baseline = keywordScores.length >= RECALL_BASELINE ? keywordScores[RECALL_BASELINE - 1] : 0;
  const standsOut = (hit: (typeof hits)[number]) => ((hit.keywordScore ?? 0) > 0 && (hit.keywordScore ?? 0) >= RECALL_MARGIN * baseline) || (hit.vectorScore ?? 0) >= RECALL_COSINE;
  return hits.filter(standsOut).slice(0, options.k ?? RECALL_K).flatMap((hit) => {
    const turn = byId.get(hit.sceneId);
    return turn === undefined ? [] : [{ id: hit.sceneId, turn, text: history[turn].content, score: hit.score }];
  });
}
