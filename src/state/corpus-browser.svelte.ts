// Reading a character's corpus a page at a time: totals, a text filter, and the current page.

import type { Scene } from '../core/types';
import type { SceneRepository } from '../storage';

export const CORPUS_PAGE_SIZE = 20;

export class CorpusBrowser {
  stats = $state.raw<{ scenes: number; tokens: number } | null>(null);
  scenes = $state.raw<Scene[]>([]);
  /** Scenes matching the query (all of them when it is empty). */
  total = $state(0);
  page = $state(0);
  query = $state('');
  loading = $state(false);
  error = $state.raw<unknown>(null);
  readonly pages = $derived(Math.max(1, Math.ceil(this.total / CORPUS_PAGE_SIZE)));

  #repo: Pick<SceneRepository, 'stats' | 'page'>;
  #characterId: string;
  /** Only the newest request may fill the page: typing fast starts several. */
  #request = 0;

  constructor(repo: Pick<SceneRepository, 'stats' | 'page'>, characterId: string) {
    this.#repo = repo;
    this.#characterId = characterId;
  }

  async loadStats(): Promise<void> {
    try {
      this.stats = await this.#repo.stats(this.#characterId);
    } catch (error) {
      this.error = error;
    }
  }

  async show(page: number, query = this.query): Promise<void> {
    const request = ++this.#request;
    this.loading = true;
    try {
      const target = Math.max(0, page);
      const result = await this.#repo.page(this.#characterId, { offset: target * CORPUS_PAGE_SIZE, limit: CORPUS_PAGE_SIZE, query });
      if (request !== this.#request) return;
      this.scenes = result.scenes;
      this.total = result.total;
      this.page = target;
      this.query = query;
      this.error = null;
    } catch (error) {
      if (request === this.#request) this.error = error;
    } finally {
      if (request === this.#request) this.loading = false;
    }
  }

  search(query: string): Promise<void> {
    this.query = query;
    return this.show(0, query);
  }
}
