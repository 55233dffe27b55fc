// A character's generated scenes as the corpus view shows them apart: listed, removed as a group, put back by Undo.

import type { Scene } from '../core/types';
import type { SceneRepository } from '../storage';

type GeneratedRepo = Pick<SceneRepository, 'listGenerated' | 'removeGenerated' | 'bulkAdd'>;

export class GeneratedScenes {
  scenes = $state.raw<Scene[]>([]);
  error = $state.raw<unknown>(null);
  busy = $state(false);

  readonly #repo: GeneratedRepo;
  readonly #characterId: string;
  /** Called after the corpus changed (the retrieval index and the corpus view read it again). */
  readonly #changed: () => void;

  constructor(repo: GeneratedRepo, characterId: string, changed: () => void) {
    this.#repo = repo;
    this.#characterId = characterId;
    this.#changed = changed;
  }

  async load(): Promise<void> {
    try {
      this.scenes = await this.#repo.listGenerated(this.#characterId);
      this.error = null;
    } catch (error) {
      this.error = error;
    }
  }

  /** Removes every generated scene of the character; returns them for Undo (empty when it failed). */
  async removeAll(): Promise<Scene[]> {
    return this.#write(async () => {
      const removed = await this.#repo.removeGenerated(this.#characterId);
      this.scenes = [];
      return removed;
    }, []);
  }

  /** Undo of removeAll. */
  async restore(scenes: readonly Scene[]): Promise<void> {
    await this.#write(async () => {
      await this.#repo.bulkAdd(scenes);
      await this.load();
    }, undefined);
  }

  async #write<T>(run: () => Promise<T>, failed: T): Promise<T> {
    this.busy = true;
    try {
      const result = await run();
      this.error = null;
      this.#changed();
      return result;
    } catch (error) {
      this.error = error;
      return failed;
    } finally {
      this.busy = false;
    }
  }
}
