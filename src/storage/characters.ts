// The character aggregate: a character, and on delete everything that hangs off it.

import { savedKeywordIndexKey } from '../core/retrieval/saved-index';
import type { Character, Conversation, EvalRun, MemoryRecord, Message, Scene, StoredLorebook } from '../core/types';
import type { AppDatabase } from './db';
import { guard } from './errors';
import { watch, type Watchable } from './live';
import { replaceIfUnchanged, type ReplaceOutcome } from './replace';
import { corpusTotals } from './scenes';

/** Everything removeWithUndo took away, enough for restore() to put it all back. */
export interface CharacterSnapshot {
  character: Character;
  scenes: Scene[];
  conversations: Conversation[];
  messages: Message[];
  /** Lorebooks attached to this character only (global books stay). Absent in older snapshots. */
  lorebooks?: StoredLorebook[];
  /** Its chats' memories (pins, summaries). Absent in older snapshots. */
  memories?: MemoryRecord[];
  /** Its saved evaluation runs. Absent in older snapshots. */
  evalRuns?: EvalRun[];
}

const byName = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

export class CharacterRepository {
  constructor(private readonly db: AppDatabase) {}

  /** All characters, by name (locale-aware, case-insensitive). */
  list(): Promise<Character[]> {
    return guard(async () => {
      const all = await this.db.characters.toArray();
      return all.sort((a, b) => byName.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    });
  }

  /** list(), again after every change to the characters (this tab or another). */
  watch(): Watchable<Character[]> {
    return watch(() => this.list());
  }

  get(id: string): Promise<Character | undefined> {
    return guard(() => this.db.characters.get(id));
  }

  /** get(id), again after every change to it (this tab or another). */
  watchOne(id: string): Watchable<Character | undefined> {
    return watch(() => this.get(id));
  }

  /** Insert or replace. Callers own createdAt/updatedAt. */
  put(character: Character): Promise<void> {
    return guard(async () => {
      await this.db.characters.put(character);
    });
  }

  /**
   * Overwrite a character that is still stored, as it was when the edit began: 'gone' (nothing
   * written) when it was deleted meanwhile, so an edit does not bring it back without its chats and
   * scenes; 'changed' (nothing written) when another tab saved it since `expectedUpdatedAt`, so the
   * later save does not silently revert the earlier one.
   */
  replace(character: Character, expectedUpdatedAt: number): Promise<ReplaceOutcome> {
    return replaceIfUnchanged(this.db, this.db.characters, character, expectedUpdatedAt);
  }

  bulkPut(characters: readonly Character[]): Promise<void> {
    return guard(async () => {
      await this.db.characters.bulkPut(characters);
    });
  }

  /** Remove a character with its scenes, conversations and their messages and memories, its own lorebooks and its evaluation runs, all or nothing. */
  remove(id: string): Promise<void> {
    return guard(() => this.cascade(id, false).then(() => undefined));
  }

  /**
   * Like remove(), but first reads everything it deletes (in the same transaction) and returns it,
   * so an "Undo" can hand it to restore(). Undefined when there was no such character.
   */
  removeWithUndo(id: string): Promise<CharacterSnapshot | undefined> {
    return guard(() => this.cascade(id, true));
  }

  /**
   * Store `copy` (a new id) and a copy of every scene of `sourceId` under it, vectors included, and
   * of every lorebook attached to `sourceId`, all or nothing. Returns how many scenes were copied.
   */
  duplicate(sourceId: string, copy: Character): Promise<number> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', [db.characters, db.scenes, db.lorebooks], async () => {
        const scenes = await db.scenes.where('characterId').equals(sourceId).toArray();
        const books = await db.lorebooks.where('characterId').equals(sourceId).toArray();
        await db.characters.add({ ...copy, corpus: corpusTotals(scenes) });
        await db.scenes.bulkAdd(scenes.map((scene) => ({ ...scene, id: crypto.randomUUID(), characterId: copy.id })));
        await db.lorebooks.bulkAdd(books.map((book) => ({ ...book, id: crypto.randomUUID(), characterId: copy.id, createdAt: copy.createdAt, updatedAt: copy.createdAt })));
        return scenes.length;
      }),
    );
  }

  /** Put back what removeWithUndo took, in one transaction. */
  restore(snapshot: CharacterSnapshot): Promise<void> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', [db.characters, db.scenes, db.conversations, db.messages, db.memories, db.lorebooks, db.evalRuns], async () => {
        await db.characters.put(snapshot.character);
        await db.scenes.bulkPut(snapshot.scenes);
        await db.conversations.bulkPut(snapshot.conversations);
        await db.messages.bulkPut(snapshot.messages);
        await db.lorebooks.bulkPut(snapshot.lorebooks ?? []);
        await db.memories.bulkPut(snapshot.memories ?? []);
        await db.evalRuns.bulkPut(snapshot.evalRuns ?? []);
      }),
    );
  }

  private cascade(id: string, keep: boolean): Promise<CharacterSnapshot | undefined> {
    const { db } = this;
    // Its own lorebooks go too: a book pointing at no character would make the next backup unrestorable.
    return db.transaction('rw', [db.characters, db.scenes, db.conversations, db.messages, db.memories, db.lorebooks, db.evalRuns, db.settings], async () => {
      const character = keep ? await db.characters.get(id) : undefined;
      const conversationIds = await db.conversations.where('characterId').equals(id).primaryKeys();
      const messagesOf = () => db.messages.where('conversationId').anyOf(conversationIds);
      const memoriesOf = () => db.memories.where('conversationId').anyOf(conversationIds);
      let snapshot: CharacterSnapshot | undefined;
      if (character) {
        snapshot = {
          character,
          scenes: await db.scenes.where('characterId').equals(id).toArray(),
          conversations: await db.conversations.bulkGet(conversationIds).then((cs) => cs.filter((c) => c !== undefined)),
          messages: await messagesOf().toArray(),
          lorebooks: await db.lorebooks.where('characterId').equals(id).toArray(),
          memories: await memoriesOf().toArray(),
          evalRuns: await db.evalRuns.where('characterId').equals(id).toArray(),
        };
      }
      await messagesOf().delete();
      await memoriesOf().delete();
      await db.conversations.bulkDelete(conversationIds);
      await db.scenes.where('characterId').equals(id).delete();
      await db.lorebooks.where('characterId').equals(id).delete();
      await db.evalRuns.where('characterId').equals(id).delete();
      // Derived from the scenes: an undo restores them and the index is built again.
      await db.settings.delete(savedKeywordIndexKey(id));
      await db.characters.delete(id);
      return snapshot;
    });
  }
}
