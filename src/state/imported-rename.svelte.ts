// Renaming a character from its import result: a pack's folder name or its text may not give the
// name the person wants (`zhongli` for 钟离), so the result row offers to correct it at once.

import type { MessageKey } from '../core/i18n';
import { AppError } from '../core/errors';
import type { CharacterShelf } from './characters.svelte';
import type { ImportJob } from './import-job.svelte';

/** The most characters a name may have (a card's name field shows on one line). */
export const MAX_NAME_CHARS = 200;

export class ImportedRename {
  open = $state(false);
  draft = $state('');
  /** Why the last save did not happen, with its parameters; null when it did or none was tried. */
  error = $state<{ key: MessageKey; params?: Record<string, string | number> } | null>(null);
  saving = $state(false);

  readonly #shelf: CharacterShelf;
  readonly #imports: ImportJob;
  readonly #id: string;

  constructor(shelf: CharacterShelf, imports: ImportJob, characterId: string) {
    this.#shelf = shelf;
    this.#imports = imports;
    this.#id = characterId;
  }

  start(currentName: string): void {
    this.draft = currentName;
    this.error = null;
    this.open = true;
  }

  cancel(): void {
    this.open = false;
    this.error = null;
  }

  /** Saves the new name; a blank or too long name, or a character gone or changed meanwhile, changes nothing and says why. */
  async save(): Promise<void> {
    const name = this.draft.trim();
    if (!name) return this.#fail('import.rename.empty');
    if ([...name].length > MAX_NAME_CHARS) return this.#fail('import.rename.tooLong', { max: MAX_NAME_CHARS });
    this.saving = true;
    try {
      const base = await this.#shelf.get(this.#id);
      if (!base) return this.#fail('import.rename.gone');
      if (base.name !== name) await this.#shelf.update({ ...base, name, updatedAt: Date.now() }, base);
      this.#imports.renamed(this.#id, name);
      this.open = false;
      this.error = null;
    } catch (error) {
      if (error instanceof AppError && (error.code === 'edit-conflict' || error.code === 'character-gone')) {
        return this.#fail(error.code === 'character-gone' ? 'import.rename.gone' : 'import.rename.conflict');
      }
      throw error;
    } finally {
      this.saving = false;
    }
  }

  #fail(key: MessageKey, params?: Record<string, string | number>): void {
    this.error = { key, ...(params ? { params } : {}) };
  }
}
