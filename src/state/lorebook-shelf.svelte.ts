// The standalone lorebooks the person imported: listed, switched on or off, attached to a character
// or kept global, deleted (with undo).

import type { StoredLorebook } from '../core/types';
import type { LorebookRepository } from '../storage';

export class LorebookShelf {
  books = $state.raw<StoredLorebook[]>([]);
  #repo: () => LorebookRepository;

  constructor(repo: () => LorebookRepository) {
    this.#repo = repo;
  }

  async refresh(): Promise<void> {
    this.books = await this.#repo().list();
  }

  async setEnabled(id: string, enabled: boolean): Promise<void> {
    await this.#update(id, { enabled });
  }

  /** Attach to one character's chats, or pass undefined to make the book global. */
  async attach(id: string, characterId: string | undefined): Promise<void> {
    const book = this.books.find((b) => b.id === id);
    if (!book) return;
    const { characterId: _old, ...rest } = book;
    await this.#repo().put({ ...rest, ...(characterId ? { characterId } : {}), updatedAt: Date.now() });
    await this.refresh();
  }

  /** Deletes the book; returns it so an Undo can put it back. */
  async remove(id: string): Promise<StoredLorebook | undefined> {
    const book = this.books.find((b) => b.id === id);
    await this.#repo().remove(id);
    await this.refresh();
    return book;
  }

  async restore(book: StoredLorebook): Promise<void> {
    await this.#repo().put(book);
    await this.refresh();
  }

  async #update(id: string, patch: Partial<StoredLorebook>): Promise<void> {
    const book = this.books.find((b) => b.id === id);
    if (!book) return;
    await this.#repo().put({ ...book, ...patch, updatedAt: Date.now() });
    await this.refresh();
  }
}
