// Whole-character actions from the character page: duplicate (with its corpus), delete with undo, export.

import type { Character } from '../core/types';
import { REMOVED_BUILTINS_KEY, type AppState } from './app.svelte';
import { downloadFile, fetchImage, rasterizeToPng } from './browser-images';
import { buildExport, type ExportFormat } from './character-export';
import { settledMessages, stopAndSettle } from './stop-session';

/**
 * A copy under a new id, named "<name> (copy)", with every scene (and its vectors) and every
 * lorebook attached to it copied in the same transaction. The copy is the person's own: not tied to a built-in pack, never overwritten
 * by pack updates. Returns the new character.
 */
export async function duplicateCharacter(app: AppState, id: string): Promise<Character> {
  const source = await app.repos.characters.get(id);
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
  await app.repos.characters.duplicate(id, copy);
  app.characters = await app.repos.characters.list();
  // The copied scenes keep the original's vectors; the job fills in any the original lacked.
  app.embeddings?.onImported([copy.id]);
  return copy;
}

async function setBuiltinRemoved(app: AppState, id: string, removed: boolean): Promise<void> {
  // One transaction: two quick deletes must not each write back a list missing the other's id.
  await app.repos.settings.update<string[]>(REMOVED_BUILTINS_KEY, [], (ids) => {
    const list = new Set(ids);
    if (removed) list.add(id);
    else list.delete(id);
    return [...list];
  });
}

/**
 * Delete a character with its scenes, conversations and messages, and offer Undo in a toast.
 * A built-in is also recorded as removed so the next start does not install it again; Undo puts
 * everything back and forgets that record.
 */
export async function deleteCharacter(app: AppState, id: string): Promise<void> {
  // A reply still streaming into one of its chats would go on writing (and keep the engine busy)
  // after the chat is gone: stop it and let its last write land before taking the snapshot.
  const session = app.session?.character.id === id ? app.session : null;
  if (session) await stopAndSettle(session);
  const snapshot = await app.repos.characters.removeWithUndo(id);
  if (!snapshot) return;
  const builtin = snapshot.character.origin === 'builtin';
  if (builtin) await setBuiltinRemoved(app, id, true);
  if (app.session?.character.id === id) app.session = null;
  app.characters = await app.repos.characters.list();
  app.toasts.show(app.locale.t('character.deleted', { name: snapshot.character.name }), {
    label: app.locale.t('common.undo'),
    run: async () => {
      await app.repos.characters.restore({ ...snapshot, messages: settledMessages(snapshot.messages) });
      if (builtin) await setBuiltinRemoved(app, id, false);
      app.characters = await app.repos.characters.list();
    },
  });
}

/** Build one export of a stored character and hand it to the browser as a download. */
export async function downloadExport(app: AppState, character: Character, format: ExportFormat): Promise<string> {
  const file = await buildExport(character, format, {
    scenes: () => app.repos.scenes.listForCharacter(character.id),
    fetchImage,
    rasterize: (url) => rasterizeToPng(url),
  });
  downloadFile(file);
  return file.name;
}
