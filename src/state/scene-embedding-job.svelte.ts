// The background job that gives every scene a vector for its character's embedding model: batched, pausable, resumable.

import type { TextEmbedder } from '../core/embedding';
import { isAbort, toAppError, type AppError } from '../core/errors';
import type { Character, Lang, Scene, SceneVector } from '../core/types';

const PAUSED_KEY = 'embeddings.paused';
/** Scenes per background batch: a chat query waits behind at most one. */
export const JOB_BATCH = 16;

export interface SceneVectorStore {
  missingVectorIds(characterId: string, model: string): Promise<string[]>;
  getMany(ids: readonly string[]): Promise<Scene[]>;
  putVectors(updates: readonly { sceneId: string; vector: SceneVector }[]): Promise<number>;
  count(characterId: string): Promise<number>;
}

export interface SettingsStore {
  get<T>(key: string, fallback: T): Promise<T>;
  set<T>(key: string, value: T): Promise<void>;
  patch<T extends object>(key: string, fallback: T, changes: Partial<T>): Promise<T>;
}

export interface Coverage {
  modelId: string;
  done: number;
  total: number;
}

export interface SceneEmbeddingJobDeps {
  /** The characters that exist now (id and language). */
  characters: () => readonly Pick<Character, 'id' | 'language'>[];
  /** The embedder for a language, or null while none is prepared. */
  embedderFor: (lang: Lang) => TextEmbedder | null;
  /** Told when all of a character's scenes have vectors, so cached search indexes read them. */
  onEmbedded?: (characterId: string) => void;
  /** Lets the page breathe between batches (default: a macrotask). */
  yieldToPage?: () => Promise<void>;
}

const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Resumable by construction: it keeps no list of its own but asks storage, character by character,
 * which scenes still lack a vector for the current model, so a reload (or a crash) loses at most
 * one batch. The embedding itself runs in the worker; here only storage reads and writes happen.
 */
export class SceneEmbeddingJob {
  /** Per character: scenes with a vector for its language's model, out of all. */
  coverage = $state.raw<Record<string, Coverage>>({});
  paused = $state(false);
  running = $state(false);
  /** The character being embedded now. */
  current = $state<string | null>(null);
  error = $state.raw<AppError | null>(null);

  readonly #deps: SceneEmbeddingJobDeps;
  #scenes: SceneVectorStore | null = null;
  #settings: SettingsStore | null = null;
  #queue = new Set<string>();
  #job: Promise<void> | null = null;

  constructor(deps: SceneEmbeddingJobDeps) {
    this.#deps = deps;
  }

  /** Opens storage and reads whether the person paused the job last time; starts nothing yet. */
  async start(stores: { scenes: SceneVectorStore; settings: SettingsStore }): Promise<void> {
    this.#scenes = stores.scenes;
    this.#settings = stores.settings;
    this.paused = await stores.settings.get(PAUSED_KEY, false);
  }

  /** Queues characters whose scenes may lack vectors (after an import, or a model became ready) and starts the job. */
  onImported(characterIds: readonly string[]): void {
    for (const id of characterIds) this.#queue.add(id);
    this.#kick();
  }

  async pause(): Promise<void> {
    this.paused = true;
    await this.#settings?.set(PAUSED_KEY, true);
  }

  async resume(): Promise<void> {
    this.paused = false;
    this.error = null;
    await this.#settings?.set(PAUSED_KEY, false);
    this.#kick();
  }

  /** Resolves when the job has nothing left to do (or is paused). */
  async idle(): Promise<void> {
    while (this.#job) await this.#job;
  }

  /** Counts a character's scenes with and without a vector for its language's model. */
  async refreshCoverage(characterId: string): Promise<Coverage | null> {
    const character = this.#deps.characters().find((c) => c.id === characterId);
    const model = character && this.#deps.embedderFor(character.language);
    if (!character || !model || !this.#scenes) return null;
    const [total, missing] = await Promise.all([this.#scenes.count(characterId), this.#scenes.missingVectorIds(characterId, model.modelId)]);
    const coverage = { modelId: model.modelId, done: total - missing.length, total };
    this.#setCoverage(characterId, coverage);
    return coverage;
  }

  /** How many scenes a character has (0 when storage is not open or fails: this only decides what to show). */
  async countScenes(characterId: string): Promise<number> {
    return (await this.#scenes?.count(characterId).catch(() => 0)) ?? 0;
  }

  #kick(): void {
    if (this.#job || this.paused || !this.#scenes) return;
    this.#job = this.#run().finally(() => {
      this.#job = null;
      this.running = false;
      this.current = null;
    });
  }

  async #run(): Promise<void> {
    this.running = true;
    const yieldToPage = this.#deps.yieldToPage ?? macrotask;
    while (this.#queue.size > 0 && !this.paused) {
      const [characterId] = this.#queue;
      const character = this.#deps.characters().find((c) => c.id === characterId);
      const lang = character?.language;
      if (!character || !lang || !this.#deps.embedderFor(lang)) {
        // No model for its language yet: it is queued again when one is prepared.
        this.#queue.delete(characterId);
        continue;
      }
      this.current = characterId;
      try {
        const finished = await this.#embedCharacter(characterId, lang, yieldToPage);
        if (finished) {
          this.#queue.delete(characterId);
          this.#deps.onEmbedded?.(characterId);
        }
      } catch (error) {
        if (isAbort(error)) return;
        // Stop rather than spin on a failing model; Resume tries again from where it stopped.
        this.error = toAppError(error, 'embedding-failed');
        this.paused = true;
        return;
      }
    }
  }

  /** Embeds one character's missing scenes batch by batch; false when paused part-way. */
  async #embedCharacter(characterId: string, lang: Lang, yieldToPage: () => Promise<void>): Promise<boolean> {
    const scenes = this.#scenes!;
    const coverage = await this.refreshCoverage(characterId);
    if (!coverage || coverage.done === coverage.total) return true;
    const embedder = this.#deps.embedderFor(lang);
    // The model was switched meanwhile: the character is queued again once the new one is ready.
    if (!embedder) return true;
    const missing = await scenes.missingVectorIds(characterId, embedder.modelId);
    let done = coverage.done;
    for (let start = 0; start < missing.length; start += JOB_BATCH) {
      if (this.paused) return false;
      const batch = await scenes.getMany(missing.slice(start, start + JOB_BATCH));
      if (batch.length === 0) continue;
      const vectors = await embedder.embed(batch.map((scene) => scene.text));
      const updates = batch.map((scene, i) => ({
        sceneId: scene.id,
        vector: { model: embedder.modelId, dim: vectors[i].length, data: copyBuffer(vectors[i]) },
      }));
      done += await scenes.putVectors(updates);
      this.#setCoverage(characterId, { modelId: embedder.modelId, done, total: coverage.total });
      await yieldToPage();
    }
    return true;
  }

  #setCoverage(characterId: string, coverage: Coverage): void {
    this.coverage = { ...this.coverage, [characterId]: coverage };
  }
}

/** A vector's own bytes (a Float32Array may view part of a larger buffer). */
function copyBuffer(vector: Float32Array): ArrayBuffer {
  return vector.slice().buffer as ArrayBuffer;
}
