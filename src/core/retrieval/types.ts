// Shapes shared by the retrieval modules: what is indexed and what a search returns.

import type { Scene } from '../types';

/** The part of a scene that keyword search reads. */
export type SearchableScene = Pick<Scene, 'id' | 'text'> & Partial<Pick<Scene, 'title'>>;

/** One search hit; a higher score is better, and scores compare only within one ranking. */
export interface ScoredScene {
  sceneId: string;
  score: number;
}
