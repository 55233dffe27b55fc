// The characters: the list every page shows (kept live from storage, so other tabs' edits show up
// too), and every write of a whole character (create, edit, duplicate, delete and its undo,
// installing the built-ins).

import { characterFromPack, mergeBuiltinUpdate } from '../core/builtin-characters';
import { AppError } from '../core/errors';
import type { Character, Scene } from '../core/types';
import type { CharacterRepository, CharacterSnapshot, SceneRepository, SettingsRepository } from '../storage';
import type { LoadedPack } from './builtin-packs';
import { LiveValue } from './live.svelte';
import { settledMessages } from './stop-session';

/** Ids of built-ins the person deleted, so startup does not install them again. */
export const REMOVED_BUILTINS_KEY = 'builtins.removed';

export interface CharacterShelfRepos {
  characters: CharacterRepository;
  settings: SettingsRepository;
  scenes: SceneRepository;
}

export class CharacterShelf {
  readonly #live = new LiveValue<Character[]>([]);
  #repos: () => CharacterShelfRepos;

  constructor(repos: () => CharacterShelfRepos) {
    this.#repos = repos;
  }

  /** Every character, by name. */
  get list(): Character[] {
    return this.#live.value;
  }

  /** Why the live list stopped updating, if it did. */
  get error(): unknown {
    return this.#live.error;
  }

  byId(id: string): Character | undefined {
    return this.list.find((c) => c.id === id);
  }

  /** Reads the list now (startup, restore); `watch()` keeps it current afterwards. */
  async refresh(): Promise<void> {
    this.#live.set(await this.#repos().characters.list());
  }

  /** Follow every write to the characters, this tab's and other tabs'. */
  watch(): void {
    this.#live.follow(this.#repos().characters.watch());
  }

  dispose(): void {
    this.#live.dispose();
  }

  /** Installs built-ins missing from storage and merges newer pack versions around the person's edits. */
  async installBuiltins(packs: readonly LoadedPack[]): Promise<void> {
    const { characters, settings } = this.#repos();
    const removed = new Set(await settings.get<string[]>(REMOVED_BUILTINS_KEY, []));
    const now = Date.now();
    const updates: Character[] = [];
    for (const { pack, avatar } of packs) {
      if (removed.has(pack.id)) continue;
      const existing = await characters.get(pack.id);
      if (!existing) {
        updates.push(characterFromPack(pack, avatar, now));
        continue;
      }
      const merged = mergeBuiltinUpdate(existing, pack, avatar, now);
      if (merged) updates.push(merged);
    }
    if (updates.length) await characters.bulkPut(updates);
  }

  /** Stores a new character. */
  async create(character: Character): Promise<void> {
    await this.#repos().characters.put(character);
    await this.refresh();
  }

  /** Saves an edit of `base` (the character as the edit began); refuses when it is gone or changed since. */
  async update(character: Character, base: Character): Promise<void> {
    const outcome = await this.#repos().characters.replace(character, base.updatedAt);
    if (outcome === 'gone') {
      throw new AppError('character-gone', `Character ${character.id} was deleted while it was being edited.`, { name: base.name });
    }
    if (outcome === 'changed') {
      throw new AppError('edit-conflict', `Character ${character.id} was saved elsewhere while it was being edited.`, { name: base.name });
    }
    await this.refresh();
  }

  /** Stores `copy` with a copy of every scene and attached lorebook of `sourceId`. */
  async duplicate(sourceId: string, copy: Character): Promise<void> {
    await this.#repos().characters.duplicate(sourceId, copy);
    await this.refresh();
  }

  /** Reads a stored character afresh (not the list's copy). */
  get(id: string): Promise<Character | undefined> {
    return this.#repos().characters.get(id);
  }

  /** The character's corpus, for export. */
  scenes(id: string): Promise<Scene[]> {
    return this.#repos().scenes.listForCharacter(id);
  }

  /**
   * Deletes the character with its scenes, chats and own lorebooks; returns what Undo needs
   * (undefined when there was no such character). A built-in is recorded as removed.
   */
  async remove(id: string): Promise<CharacterSnapshot | undefined> {
    const snapshot = await this.#repos().characters.removeWithUndo(id);
    if (!snapshot) return undefined;
    if (snapshot.character.origin === 'builtin') await this.#setBuiltinRemoved(id, true);
    await this.refresh();
    return snapshot;
  }

  /** Puts back what remove() took; a reply that never settled comes back interrupted. */
  async restore(snapshot: CharacterSnapshot): Promise<void> {
    await this.#repos().characters.restore({ ...snapshot, messages: settledMessages(snapshot.messages) });
    if (snapshot.character.origin === 'builtin') await this.#setBuiltinRemoved(snapshot.character.id, false);
    await this.refresh();
  }

  async #setBuiltinRemoved(id: string, removed: boolean): Promise<void> {
    // One transaction: two quick deletes must not each write back a list missing the other's id.
    await this.#repos().settings.update<string[]>(REMOVED_BUILTINS_KEY, [], (ids) => {
      const list = new Set(ids);
      if (removed) list.add(id);
      else list.delete(id);
      return [...list];
    });
  }
}
