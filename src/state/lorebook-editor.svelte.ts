// One lorebook open in the editor: a standalone book, or a character's own book (the card's
// character_book). Every change is written at once, as a whole-row replace that refuses when
// another tab changed the row since it was read (storage/replace.ts): the editor then shows the
// newer version and says so, instead of undoing that tab's change.

import { cloneJson } from '../core/cards/card';
import { AppError } from '../core/errors';
import { matchLorebook, type LorebookMatchResult } from '../core/lorebook';
import { formToEntry, newEntry, nextEntryId, type EntryForm } from '../core/lorebook-form';
import { MessageTree } from '../core/message-tree';
import { REFERENCE_BUDGETS } from '../core/role-prompt/budgets';
import type { Character, ChatTurn, Lorebook, LorebookEntry, StoredLorebook } from '../core/types';
import { exportLorebookV3, exportWorldInfo } from '../core/world-info';
import { downloadFile } from '../platform/browser-images';
import type { CharacterRepository, ConversationRepository, LorebookRepository, Watchable } from '../storage';
import { safeFileBase } from './character-export';

export type LorebookExportFormat = 'world-info' | 'lorebook_v3';

export type LorebookSource = { kind: 'standalone'; id: string } | { kind: 'character'; id: string };

export interface LorebookEditorDeps {
  lorebooks: () => LorebookRepository;
  characters: () => CharacterRepository;
  conversations: () => ConversationRepository;
}

/** An entry taken out of the book, with where it was, so Undo puts it back in place. */
export interface RemovedEntry {
  entry: LorebookEntry;
  index: number;
}

/** Messages the test panel takes from the latest chat: deeper than any scan depth people use. */
const RECENT_MESSAGES = 10;

export class LorebookEditor {
  /** The book as stored; null until loaded, or when it is gone. */
  book = $state.raw<Lorebook | null>(null);
  /** The name to show: the book's, else its file's, else the character's. */
  title = $state('');
  loaded = $state(false);
  /** Why following the stored book failed, if it did. */
  error = $state.raw<unknown>(null);
  readonly source: LorebookSource;
  #deps: LorebookEditorDeps;
  #row: StoredLorebook | Character | null = null;
  #subscription: { unsubscribe(): void } | null = null;

  constructor(deps: LorebookEditorDeps, source: LorebookSource) {
    this.#deps = deps;
    this.source = source;
  }

  async load(): Promise<void> {
    this.#show(
      (this.source.kind === 'standalone' ? await this.#deps.lorebooks().get(this.source.id) : await this.#deps.characters().get(this.source.id)) ?? null,
    );
  }

  /** Follow the stored row, so another tab's change (or deletion) shows here too. */
  watch(): void {
    this.dispose();
    const source: Watchable<StoredLorebook | Character | undefined> =
      this.source.kind === 'standalone' ? this.#deps.lorebooks().watchOne(this.source.id) : this.#deps.characters().watchOne(this.source.id);
    this.#subscription = source.subscribe(
      (row) => {
        this.error = null;
        // This editor's own writes come back too: only a different version is shown anew.
        if ((row?.updatedAt ?? null) !== (this.#row?.updatedAt ?? null) || !this.loaded) this.#show(row ?? null);
      },
      (error) => (this.error = error),
    );
  }

  dispose(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = null;
  }

  #show(row: StoredLorebook | Character | null): void {
    this.#row = row;
    if (!row) this.book = null;
    else if ('book' in row) this.book = row.book;
    // A character without a book gets an empty one, stored with the first change.
    else this.book = row.lorebook ?? { name: row.name, extensions: {}, entries: [] };
    this.title = row ? titleOf(row) : '';
    this.loaded = true;
  }

  setEnabled(index: number, enabled: boolean): Promise<void> {
    return this.#changeEntries((entries) => entries.map((e, i) => (i === index ? { ...e, enabled } : e)));
  }

  /** Adds an empty entry at the end; returns its index. */
  async add(): Promise<number> {
    let at = -1;
    await this.#changeEntries((entries) => {
      at = entries.length;
      return [...entries, newEntry(entries)];
    });
    return at;
  }

  /** A copy right after the entry, with a new id; returns the copy's index. */
  async duplicate(index: number): Promise<number> {
    await this.#changeEntries((entries) => {
      const copy = { ...cloneJson(entries[index]), id: nextEntryId(entries) };
      return [...entries.slice(0, index + 1), copy, ...entries.slice(index + 1)];
    });
    return index + 1;
  }

  async remove(index: number): Promise<RemovedEntry | undefined> {
    const entry = this.book?.entries[index];
    if (!entry) return undefined;
    await this.#changeEntries((entries) => entries.filter((_, i) => i !== index));
    return { entry, index };
  }

  /** Undo of remove: the entry back where it was (or at the end when the book got shorter). */
  restore(removed: RemovedEntry): Promise<void> {
    return this.#changeEntries((entries) => {
      const at = Math.min(removed.index, entries.length);
      return [...entries.slice(0, at), removed.entry, ...entries.slice(at)];
    });
  }

  /**
   * Moves an entry one place up (-1) or down (+1) in insertion order, the order the prompt uses:
   * it trades insertion orders with its neighbour, or places in the book when the two share one
   * (the matcher breaks ties by book order). Returns where the two entries are now: the moved
   * one's index, and its neighbour's (equal to the old ones unless they traded places).
   */
  async move(index: number, direction: -1 | 1): Promise<{ moved: number; other: number }> {
    let placed = { moved: index, other: index };
    await this.#changeEntries((entries) => {
      const ordered = byInsertionOrder(entries);
      const at = ordered.indexOf(index);
      const other = ordered[at + direction];
      if (at < 0 || other === undefined) return entries;
      const next = [...entries];
      const a = entries[index];
      const b = entries[other];
      if (a.insertionOrder !== b.insertionOrder) {
        next[index] = { ...a, insertionOrder: b.insertionOrder };
        next[other] = { ...b, insertionOrder: a.insertionOrder };
        placed = { moved: index, other };
      } else {
        next[index] = b;
        next[other] = a;
        placed = { moved: other, other: index };
      }
      return next;
    });
    return placed;
  }

  /** Saves the entry form onto the entry at `index` (fields left as shown keep their stored value). */
  saveEntry(index: number, form: EntryForm): Promise<void> {
    return this.#changeEntries((entries) => entries.map((e, i) => (i === index ? formToEntry(e, form) : e)));
  }

  /** The book's own settings. */
  saveSettings(settings: { name: string; scanDepth: number | null; tokenBudget: number | null; recursiveScanning: boolean }): Promise<void> {
    return this.#change((book) => {
      const { scanDepth: _depth, tokenBudget: _budget, ...rest } = book;
      return {
        ...rest,
        name: settings.name,
        recursiveScanning: settings.recursiveScanning,
        ...(settings.scanDepth !== null ? { scanDepth: settings.scanDepth } : {}),
        ...(settings.tokenBudget !== null ? { tokenBudget: settings.tokenBudget } : {}),
      };
    });
  }

  /**
   * The test panel: which entries `turns` fire, in insertion order, with the keys that matched and
   * their tokens. The same call the prompt builder makes (core/role-prompt/sections/lorebook.ts),
   * with the prompt's lorebook budget at the reference window unless `tokenBudget` says otherwise.
   */
  test(turns: readonly ChatTurn[], options: { tokenBudget?: number; random?: () => number } = {}): LorebookMatchResult {
    if (!this.book) return { entries: [], skipped: [], warnings: [] };
    return matchLorebook(this.book, turns, { tokenBudget: options.tokenBudget ?? REFERENCE_BUDGETS.lore, random: options.random });
  }

  /** The book as a file: SillyTavern World Info JSON, or a Character Card V3 `lorebook_v3`. */
  exportFile(format: LorebookExportFormat): { name: string; mime: string; bytes: Uint8Array } {
    const book = this.book ?? { extensions: {}, entries: [] };
    const json = format === 'world-info' ? exportWorldInfo(book) : exportLorebookV3(book);
    const base = safeFileBase(this.title, 'lorebook');
    return {
      name: `${base}${format === 'world-info' ? '.world-info.json' : '.lorebook.json'}`,
      mime: 'application/json',
      bytes: new TextEncoder().encode(JSON.stringify(json, null, 2)),
    };
  }

  /** Saves the book as a file (a download). */
  download(format: LorebookExportFormat): string {
    const file = this.exportFile(format);
    downloadFile(file);
    return file.name;
  }

  /** The last messages of the newest chat (with this book's character, for a character's book), oldest first. */
  async recentTurns(): Promise<ChatTurn[]> {
    const conversations = this.#deps.conversations();
    const characterId = this.source.kind === 'character' ? this.source.id : (this.#row as StoredLorebook | null)?.characterId;
    const chats = characterId ? await conversations.listForCharacter(characterId) : await this.#latestChats();
    const latest = [...chats].sort((a, b) => b.updatedAt - a.updatedAt)[0];
    if (!latest) return [];
    const tree = new MessageTree(await conversations.messages(latest.id));
    return tree
      .path(latest.leafId ?? tree.defaultLeaf())
      .slice(-RECENT_MESSAGES)
      .map((m) => ({ role: m.role, content: m.content }));
  }

  async #latestChats() {
    const all = await Promise.all((await this.#deps.characters().list()).map((c) => this.#deps.conversations().listForCharacter(c.id)));
    return all.flat();
  }

  #changeEntries(change: (entries: LorebookEntry[]) => LorebookEntry[]): Promise<void> {
    return this.#change((book) => ({ ...book, entries: change(book.entries) }));
  }

  /**
   * Writes the changed book; when another tab changed or deleted the row since it was read,
   * nothing is written, the newer version is loaded and AppError 'lorebook-conflict' says so.
   */
  async #change(change: (book: Lorebook) => Lorebook): Promise<void> {
    const row = this.#row;
    if (!row || !this.book) throw new AppError('lorebook-conflict', 'The lorebook is gone.', { name: this.title });
    const book = change(this.book);
    // Strictly newer than what was read, so two changes within one millisecond still differ.
    const updatedAt = Math.max(Date.now(), row.updatedAt + 1);
    const outcome =
      this.source.kind === 'standalone'
        ? await this.#deps.lorebooks().replace({ ...(row as StoredLorebook), book, updatedAt }, row.updatedAt)
        : await this.#deps.characters().replace({ ...(row as Character), lorebook: book, updatedAt }, row.updatedAt);
    if (outcome !== 'saved') {
      const name = this.title;
      await this.load();
      throw new AppError('lorebook-conflict', `Lorebook ${this.source.id} was changed elsewhere since it was shown.`, { name });
    }
    this.#show(this.source.kind === 'standalone' ? { ...(row as StoredLorebook), book, updatedAt } : { ...(row as Character), lorebook: book, updatedAt });
  }
}

/** A book's name, else its file's, else its id; a character's book: its name, else the character's. */
function titleOf(row: StoredLorebook | Character): string {
  return 'book' in row ? row.book.name || row.sourceName || row.id : row.lorebook?.name || row.name;
}

/** Entry indices in the order the prompt puts them: insertion order, then book order. */
export function byInsertionOrder(entries: readonly LorebookEntry[]): number[] {
  return entries.map((_, i) => i).sort((a, b) => (entries[a].insertionOrder ?? 0) - (entries[b].insertionOrder ?? 0) || a - b);
}
