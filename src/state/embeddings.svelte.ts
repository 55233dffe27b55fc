// Embedding models per language: the hub default or a picked folder, download progress, errors, and the embedders chat uses.

import type { EmbedderSource, TextEmbedder } from '../core/embedding';
import { defaultSource, planModelFolder, type EmbeddingModelSource } from '../core/embedding-models';
import { AppError, isAbort, toAppError } from '../core/errors';
import type { Character, Lang } from '../core/types';
import type { EmbeddingService } from '../engines/embedding/embedding-client';
import type { EmbeddingLoadProgress, PreparedEmbeddingModel } from '../engines/embedding/embedding-protocol';
import { SceneEmbeddingJob, type SceneVectorStore, type SettingsStore } from './scene-embedding-job.svelte';

export { JOB_BATCH, type Coverage } from './scene-embedding-job.svelte';

const MODELS_KEY = 'embeddings.models';
export const LANGS: readonly Lang[] = ['zh', 'en'];

/** What is remembered per language: which model, and whether it was prepared on this device once. */
interface SavedModel {
  source: EmbeddingModelSource;
  prepared: PreparedEmbeddingModel | null;
}

export type ModelStatus = 'absent' | 'preparing' | 'ready' | 'error';

export interface LangModel {
  source: EmbeddingModelSource;
  status: ModelStatus;
  /** Known once the model was prepared here (persisted, so it is known after a reload too). */
  prepared: PreparedEmbeddingModel | null;
  progress: EmbeddingLoadProgress | null;
  error: AppError | null;
}

export interface EmbeddingsDeps {
  service: EmbeddingService;
  /** The characters that exist now (id and language). */
  characters: () => readonly Pick<Character, 'id' | 'language'>[];
  /** Told when all of a character's scenes have vectors, so cached search indexes read them. */
  onEmbedded?: (characterId: string) => void;
  /** Lets the page breathe between background batches (default: a macrotask). */
  yieldToPage?: () => Promise<void>;
}

export class EmbeddingsState implements EmbedderSource {
  models = $state.raw<Record<Lang, LangModel>>({
    zh: { source: defaultSource('zh'), status: 'absent', prepared: null, progress: null, error: null },
    en: { source: defaultSource('en'), status: 'absent', prepared: null, progress: null, error: null },
  });
  /** Embeds scenes missing a vector for their language's model, in the background. */
  readonly job: SceneEmbeddingJob;

  readonly #deps: EmbeddingsDeps;
  #settings: SettingsStore | null = null;
  #loads = new Map<Lang, Promise<PreparedEmbeddingModel>>();
  #downloads = new Map<Lang, AbortController>();

  constructor(deps: EmbeddingsDeps) {
    this.#deps = deps;
    this.job = new SceneEmbeddingJob({
      characters: deps.characters,
      embedderFor: (lang) => this.embedderFor(lang),
      onEmbedded: deps.onEmbedded,
      yieldToPage: deps.yieldToPage,
    });
  }

  /** Reads the saved choices and resumes embedding whatever is still missing. */
  async start(stores: { scenes: SceneVectorStore; settings: SettingsStore }): Promise<void> {
    this.#settings = stores.settings;
    const saved = await stores.settings.get<Partial<Record<Lang, SavedModel>>>(MODELS_KEY, {});
    const models = { ...this.models };
    for (const lang of LANGS) {
      const entry = saved[lang];
      if (!entry) continue;
      models[lang] = { ...models[lang], source: entry.source, prepared: entry.prepared, status: entry.prepared ? 'ready' : 'absent' };
    }
    this.models = models;
    await this.job.start(stores);
    this.onImported(this.#deps.characters().map((c) => c.id));
  }

  /** Characters whose scenes may lack vectors (just imported or restored): the job embeds them. */
  onImported(characterIds: readonly string[]): void {
    this.job.onImported(characterIds);
  }

  /** The embedder for a language, or null when no model was prepared for it on this device. It loads lazily (from cache) on first use. */
  embedderFor(lang: Lang): TextEmbedder | null {
    const prepared = this.models[lang].prepared;
    if (!prepared) return null;
    return {
      modelId: prepared.modelId,
      dim: prepared.dim,
      embed: async (texts, signal) => {
        // The load is shared (the background job may wait on it too), so one caller's abort does not cancel it.
        const model = await this.#load(lang);
        signal?.throwIfAborted();
        return this.#deps.service.embedder(model).embed(texts, signal);
      },
    };
  }

  /** Downloads the language's current model (or opens it from cache or its folder) with progress. */
  async prepare(lang: Lang): Promise<void> {
    await this.#load(lang).catch(() => undefined);
  }

  /** Stops a download in progress. */
  cancel(lang: Lang): void {
    this.#downloads.get(lang)?.abort();
  }

  /** Back to the default hub model for a language. */
  async useDefault(lang: Lang): Promise<void> {
    await this.#choose(lang, defaultSource(lang));
  }

  /**
   * Uses a model folder the person picked (the files of an `<input webkitdirectory>`): copies what
   * the model needs into the browser's storage, then prepares it. A folder that is not a model
   * changes nothing.
   */
  async useFolder(lang: Lang, files: readonly File[]): Promise<void> {
    const plan = planModelFolder(files.map((f) => f.webkitRelativePath || f.name));
    if ('problem' in plan) {
      const missing = { 'no-config': 'config.json', 'no-tokenizer': 'tokenizer.json', 'no-weights': 'onnx/model.onnx' }[plan.problem];
      this.#set(lang, { error: new AppError('model-folder-invalid', `${missing} is missing`, { detail: missing }) });
      return;
    }
    const byPath = new Map(files.map((f) => [(f.webkitRelativePath || f.name).split('/').slice(1).join('/') || f.name, f]));
    const source: EmbeddingModelSource = { kind: 'folder', modelId: plan.modelId, dtype: plan.dtype, folderName: plan.folderName };
    this.#set(lang, { status: 'preparing', progress: null, error: null });
    try {
      await this.#deps.service.addFolder(plan.modelId, plan.paths.map((path) => ({ path, data: byPath.get(path)! })));
    } catch (error) {
      this.#set(lang, { status: this.models[lang].prepared ? 'ready' : 'absent', error: toAppError(error, 'model-folder-invalid') });
      return;
    }
    await this.#choose(lang, source);
  }

  async #choose(lang: Lang, source: EmbeddingModelSource): Promise<void> {
    const previous = this.models[lang];
    this.#loads.delete(lang);
    this.#set(lang, { source, prepared: null, status: 'absent', error: null });
    try {
      await this.#load(lang);
    } catch {
      // A model that does not load leaves the one before in place.
      if (previous.prepared) this.#set(lang, { source: previous.source, prepared: previous.prepared, status: 'ready' });
    }
  }

  #load(lang: Lang): Promise<PreparedEmbeddingModel> {
    const existing = this.#loads.get(lang);
    if (existing) return existing;
    const { source } = this.models[lang];
    const controller = new AbortController();
    this.#downloads.set(lang, controller);
    this.#set(lang, { status: 'preparing', progress: { loaded: 0, total: 0 }, error: null });
    const load = this.#deps.service
      .prepare(source, (progress) => this.#set(lang, { progress }), controller.signal)
      .then(async (model) => {
        this.#set(lang, { status: 'ready', prepared: model, progress: null });
        await this.#save(lang);
        // Scenes of this language can be embedded now.
        this.onImported(this.#deps.characters().filter((c) => c.language === lang).map((c) => c.id));
        return model;
      })
      .catch((error: unknown) => {
        this.#loads.delete(lang);
        const appError = toAppError(error, 'embedding-failed');
        const aborted = isAbort(error);
        this.#set(lang, { status: aborted ? (this.models[lang].prepared ? 'ready' : 'absent') : 'error', progress: null, error: aborted ? null : appError });
        throw appError;
      })
      .finally(() => this.#downloads.delete(lang));
    this.#loads.set(lang, load);
    return load;
  }

  #set(lang: Lang, patch: Partial<LangModel>): void {
    this.models = { ...this.models, [lang]: { ...this.models[lang], ...patch } };
  }

  /** Stores one language's model only: another tab may have prepared the other language meanwhile. */
  async #save(lang: Lang): Promise<void> {
    const { source, prepared } = this.models[lang];
    const saved: SavedModel = { source: { ...source }, prepared: prepared ? { ...prepared } : null };
    await this.#settings?.patch<Partial<Record<Lang, SavedModel>>>(MODELS_KEY, {}, { [lang]: saved });
  }

}
