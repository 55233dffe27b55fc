// Standalone lorebooks: global ones apply to every chat, attached ones to one character's chats.

import type { StoredLorebook } from '../core/types';
import type { AppDatabase } from './db';
import { guard } from './errors';

export class LorebookRepository {
  constructor(private readonly db: AppDatabase) {}

  list(): Promise<StoredLorebook[]> {
    return guard(() => this.db.lorebooks.orderBy('updatedAt').reverse().toArray());
  }

  get(id: string): Promise<StoredLorebook | undefined> {
    return guard(() => this.db.lorebooks.get(id));
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

  remove(id: string): Promise<void> {
    return guard(() => this.db.lorebooks.delete(id));
  }
}
