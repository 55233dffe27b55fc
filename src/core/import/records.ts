// Drafts -> the rows an import stores (Character, Scene, StoredLorebook), and how a re-import of
// "the same" character is recognised.

import type { Character, Lorebook, Scene, StoredLorebook } from '../types';
import type { ParsedScene } from '../packs/common';
import type { CharacterDraft } from './read-file';

/** Where an imported character came from, kept in its extensions (not sent to the model). */
export const IMPORT_EXTENSION_KEY = 'hearth/import';

export interface ImportProvenance {
  kind: CharacterDraft['kind'];
  fileName: string;
  importedAt: number;
}

function normal(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Two characters are "the same" when their names and creators match (case, width and spacing
 * ignored). A new version of a card keeps both, so re-importing it offers to replace the old one.
 */
export function sameCharacterKey(character: { name: string; creator: string }): string {
  return `${normal(character.name)}\u0000${normal(character.creator)}`;
}

/** The stored character that a draft would duplicate (built-ins excluded: they update themselves). */
export function findSameCharacter(draft: CharacterDraft, existing: readonly Character[]): Character | undefined {
  const key = sameCharacterKey(draft.character);
  return existing.find((c) => c.origin !== 'builtin' && sameCharacterKey(c) === key);
}

export function characterFromDraft(draft: CharacterDraft, fileName: string, id: string, now: number): Character {
  const provenance: ImportProvenance = { kind: draft.kind, fileName, importedAt: now };
  const { extensions, ...fields } = draft.character;
  return {
    ...fields,
    id,
    origin: 'import',
    extensions: { ...extensions, [IMPORT_EXTENSION_KEY]: provenance },
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Scene ids are the character's id plus the scene's position, so id order (the index the corpus
 * view pages through) is the pack's own order: story files in name order, dialogues as written.
 */
export function scenesFromDraft(scenes: readonly ParsedScene[], characterId: string): Scene[] {
  return scenes.map((scene, i) => ({ ...scene, id: `${characterId}:${String(i).padStart(6, '0')}`, characterId }));
}

export function storedLorebook(book: Lorebook, sourceName: string, id: string, now: number, characterId?: string): StoredLorebook {
  return { id, ...(characterId ? { characterId } : {}), sourceName, enabled: true, book, createdAt: now, updatedAt: now };
}
