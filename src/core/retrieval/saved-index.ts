// A character's keyword indexes as stored between sessions (settings table), with the fingerprint
// of the corpus they were built from: indexing 50k scenes takes seconds, loading them far less.

import { hashText } from '../hash';
import type { KeywordIndexJSON } from './keyword-index';
import type { SearchableScene } from './types';

/** Settings key prefix; the rest is the character id. Derived data: never in a backup (core/backup.ts). */
export const SAVED_KEYWORD_INDEX_PREFIX = 'keyword-index:';

export const savedKeywordIndexKey = (characterId: string): string => `${SAVED_KEYWORD_INDEX_PREFIX}${characterId}`;

export interface SavedKeywordIndexes {
  /** corpusFingerprint() of the scenes indexed: another value means the corpus changed, so rebuild. */
  fingerprint: string;
  /** By index name (dialogue scenes and knowledge passages are indexed apart). */
  indexes: Record<string, KeywordIndexJSON>;
}

/**
 * Which scenes, in which order: their count, ids and text and title lengths (a scene's text never
 * changes under its id; a new import gives new ids). Hashing that is milliseconds at 50k scenes.
 */
export function corpusFingerprint(scenes: readonly SearchableScene[]): string {
  const parts = scenes.map((scene) => `${scene.id}:${scene.text.length}:${scene.title?.length ?? 0}`);
  return `${scenes.length}:${hashText(parts.join('\n'))}`;
}
