// Recall from the chat itself: earlier messages of the branch that the new message refers back to,
// found like scenes (BM25 over the messages, fused with cosine when an embedding model has vectors
// for them). The prompt builder then takes those that are no longer in the history it sends.

import { hybridSearch, KeywordIndex, type VectorMatrix } from '../retrieval';
import type { ChatTurn } from '../types';

/** Candidates handed to the prompt builder (it keeps what fits the recall budget). */
export const RECALL_K = 6;
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
  const hits = hybridSearch({ keyword: index, query, vectors: options.vectors, queryVector: options.queryVector }, options.k ?? RECALL_K);
  return hits.flatMap((hit) => {
    const turn = byId.get(hit.sceneId);
    return turn === undefined ? [] : [{ id: hit.sceneId, turn, text: history[turn].content, score: hit.score }];
  });
}
