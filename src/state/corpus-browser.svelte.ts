// Reading a character's corpus a page at a time: totals, a ranked search, and the current page.

import type { Scene } from '../core/types';
import type { SceneRepository } from '../storage';

export const CORPUS_PAGE_SIZE = 20;

/** A character's scene ids for a query, best first (the chat's own retrieval: BM25, or hybrid). */
export type SceneRanker = (query: string) => Promise<string[]>;

type CorpusRepo = Pick<SceneRepository, 'stats' | 'page' | 'getMany'>;

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

  #repo: CorpusRepo;
  #characterId: string;
  #rank: SceneRanker | undefined;
  /** The ranking of the last query, so turning its pages does not search again. */
  #ranked: { query: string; ids: string[] } | null = null;
  /** Only the newest request may fill the page: typing fast starts several. */
  #request = 0;

  /** Without a ranker a query filters by plain text, in corpus order. */
  constructor(repo: CorpusRepo, characterId: string, rank?: SceneRanker) {
    this.#repo = repo;
    this.#characterId = characterId;
    this.#rank = rank;
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
      const result = query.trim() && this.#rank
        ? await this.#rankedPage(query, target)
        : await this.#repo.page(this.#characterId, { offset: target * CORPUS_PAGE_SIZE, limit: CORPUS_PAGE_SIZE, query });
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

  async #rankedPage(query: string, page: number): Promise<{ scenes: Scene[]; total: number }> {
    if (this.#ranked?.query !== query) this.#ranked = { query, ids: await this.#rank!(query) };
    const ids = this.#ranked.ids.slice(page * CORPUS_PAGE_SIZE, (page + 1) * CORPUS_PAGE_SIZE);
    const byId = new Map((await this.#repo.getMany(ids)).map((scene) => [scene.id, scene]));
    const scenes = ids.map((id) => byId.get(id)).filter((scene): scene is Scene => scene !== undefined);
    return { scenes, total: this.#ranked.ids.length };
  }

  search(query: string): Promise<void> {
    this.query = query;
    return this.show(0, query);
  }
}
