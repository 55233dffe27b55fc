// The standalone lorebooks the person imported: listed (kept live from storage, so other tabs'
// changes show up), switched on or off, attached to a character or kept global, deleted (with undo).

import { AppError } from '../core/errors';
import type { StoredLorebook } from '../core/types';
import type { LorebookRepository } from '../storage';
import { LiveValue } from './live.svelte';

export class LorebookShelf {
  readonly #live = new LiveValue<StoredLorebook[]>([]);
  #repo: () => LorebookRepository;

  constructor(repo: () => LorebookRepository) {
    this.#repo = repo;
  }

  /** Every book, most recently changed first. */
  get books(): StoredLorebook[] {
    return this.#live.value;
  }

  /** Reads the list now; `watch()` keeps it current afterwards. */
  async refresh(): Promise<void> {
    this.#live.set(await this.#repo().list());
  }

  /** Follow every write to the lorebooks, this tab's and other tabs'. */
  watch(): void {
    this.#live.follow(this.#repo().watch());
  }

  dispose(): void {
    this.#live.dispose();
  }

  /** A new, empty, global book, switched on; returns its id. */
  async create(name: string): Promise<string> {
    const now = Date.now();
    const id = crypto.randomUUID();
    await this.#repo().put({ id, enabled: true, book: { name, extensions: {}, entries: [] }, createdAt: now, updatedAt: now });
    await this.refresh();
    return id;
  }

  async setEnabled(id: string, enabled: boolean): Promise<void> {
    await this.#change(id, (book) => ({ ...book, enabled }));
  }

  /** Attach to one character's chats, or pass undefined to make the book global. */
  async attach(id: string, characterId: string | undefined): Promise<void> {
    await this.#change(id, ({ characterId: _old, ...rest }) => ({ ...rest, ...(characterId ? { characterId } : {}) }));
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

  /**
   * Writes a change to the book as the list shows it; refuses (AppError 'lorebook-conflict',
   * nothing written) when another tab changed or deleted it since, as the person chose from what
   * they saw.
   */
  async #change(id: string, change: (book: StoredLorebook) => StoredLorebook): Promise<void> {
    const book = this.books.find((b) => b.id === id);
    if (!book) return;
    // Strictly newer than what was shown, so two changes within one millisecond still differ.
    const updatedAt = Math.max(Date.now(), book.updatedAt + 1);
    const outcome = await this.#repo().replace({ ...change(book), updatedAt }, book.updatedAt);
    await this.refresh();
    if (outcome !== 'saved') {
      const name = book.book.name || book.sourceName || book.id;
      throw new AppError('lorebook-conflict', `Lorebook ${id} was changed elsewhere since it was shown.`, { name });
    }
  }
}
