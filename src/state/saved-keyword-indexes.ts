// Characters' keyword indexes kept in the settings table between sessions (no table of their own:
// the schema is not versioned for derived data). Backups leave them out (core/backup.ts).

import { savedKeywordIndexKey, type SavedKeywordIndexes } from '../core/retrieval/saved-index';
import type { SettingsRepository } from '../storage';
import type { SavedIndexStore } from './character-retrieval';

export function savedIndexesIn(settings: Pick<SettingsRepository, 'get' | 'set'>): SavedIndexStore {
  return {
    get: (characterId) => settings.get<SavedKeywordIndexes | undefined>(savedKeywordIndexKey(characterId), undefined),
    put: (characterId, saved) => settings.set(savedKeywordIndexKey(characterId), saved),
  };
}
