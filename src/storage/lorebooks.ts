// Standalone lorebooks: global ones apply to every chat, attached ones to one character's chats.

import type { StoredLorebook } from '../core/types';
import type { AppDatabase } from './db';
import { guard } from './errors';
import { watch, type Watchable } from './live';
import { replaceIfUnchanged, type ReplaceOutcome } from './replace';

export class LorebookRepository {
  constructor(private readonly db: AppDatabase) {}

  list(): Promise<StoredLorebook[]> {
    return guard(() => this.db.lorebooks.orderBy('updatedAt').reverse().toArray());
  }

  /** list(), again after every change to the lorebooks (this tab or another). */
  watch(): Watchable<StoredLorebook[]> {
    return watch(() => this.list());
  }

  get(id: string): Promise<StoredLorebook | undefined> {
    return guard(() => this.db.lorebooks.get(id));
  }

  /** get(id), again after every change to it (this tab or another). */
  watchOne(id: string): Watchable<StoredLorebook | undefined> {
    return watch(() => this.get(id));
  }

  /** The enabled books a chat with this character uses: the global ones and its own. */
  async activeFor(characterId: string): Promise<StoredLorebook[]> {
    const all = await this.list();
    return all.filter((book) => book.enabled && (book.characterId === undefined || book.characterId === characterId));
  }

  put(book: StoredLorebook): Promise<void> {
    return guard(async () => {
      await this.db.lorebooks.put(book);
    });
  }

  /**
   * Overwrite a book that is still stored as it was when the change began (`expectedUpdatedAt`):
   * 'gone' or 'changed' (nothing written) when another tab deleted or changed it meanwhile, so
   * this write does not silently revert that one.
   */
  replace(book: StoredLorebook, expectedUpdatedAt: number): Promise<ReplaceOutcome> {
    return replaceIfUnchanged(this.db, this.db.lorebooks, book, expectedUpdatedAt);
  }

  remove(id: string): Promise<void> {
    return guard(() => this.db.lorebooks.delete(id));
  }
}
