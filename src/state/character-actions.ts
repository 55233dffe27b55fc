// Whole-character actions from the character page: duplicate (with its corpus), delete with undo, export (and its ratings).

import type { Character } from '../core/types';
import type { AppState } from './app.svelte';
import { downloadFile, fetchImage, rasterizeToPng } from '../platform/browser-images';
import { buildExport, safeFileBase, type ExportFormat } from './character-export';
import { utf8Encode } from '../core/bytes';
import { ratingsCsv } from '../core/ratings';

/**
 * A copy under a new id, named "<name> (copy)", with every scene (and its vectors) and every
 * lorebook attached to it copied in the same transaction. The copy is the person's own: not tied to a built-in pack, never overwritten
 * by pack updates. Returns the new character.
 */
export async function duplicateCharacter(app: AppState, id: string): Promise<Character> {
  const source = await app.characterShelf.get(id);
  if (!source) throw new Error(`No character ${id}`);
  const now = Date.now();
  const { builtin: _builtin, ...rest } = source;
  const copy: Character = {
    ...structuredClone(rest),
    id: crypto.randomUUID(),
    name: app.locale.t('character.copyName', { name: source.name }),
    origin: source.origin === 'builtin' ? 'user' : source.origin,
    createdAt: now,
    updatedAt: now,
  };
  await app.characterShelf.duplicate(id, copy);
  // The copied scenes keep the original's vectors; the job fills in any the original lacked.
  app.embeddings?.onImported([copy.id]);
  return copy;
}

/**
 * Delete a character with its scenes, conversations and messages, and offer Undo in a toast.
 * A built-in is also recorded as removed so the next start does not install it again; Undo puts
 * everything back and forgets that record.
 */
export async function deleteCharacter(app: AppState, id: string): Promise<void> {
  // A reply still streaming into one of its chats would go on writing (and keep the engine busy)
  // after the chat is gone: stop it and let its last write land before taking the snapshot.
  await app.settleChat({ characterId: id });
  const snapshot = await app.characterShelf.remove(id);
  if (!snapshot) return;
  app.closeChat({ characterId: id });
  app.toasts.show(app.locale.t('character.deleted', { name: snapshot.character.name }), {
    label: app.locale.t('common.undo'),
    run: () => app.characterShelf.restore(snapshot),
  });
}

/**
 * The character's rated replies as a CSV download (character, prompt, reply, stars); returns the
 * file name and how many rows, or null when nothing is rated yet.
 */
export async function downloadRatings(app: AppState, character: Character): Promise<{ file: string; count: number } | null> {
  const rows = await app.conversations.ratedReplies(character.id);
  if (rows.length === 0) return null;
  const file = { name: `${safeFileBase(character.name, 'character')}-ratings.csv`, mime: 'text/csv', bytes: utf8Encode(`\uFEFF${ratingsCsv(rows)}`) };
  downloadFile(file);
  return { file: file.name, count: rows.length };
}

/** Build one export of a stored character and hand it to the browser as a download. */
export async function downloadExport(app: AppState, character: Character, format: ExportFormat): Promise<string> {
  const file = await buildExport(character, format, {
    scenes: () => app.characterShelf.scenes(character.id),
    fetchImage,
    rasterize: (url) => rasterizeToPng(url),
  });
  downloadFile(file);
  return file.name;
}
