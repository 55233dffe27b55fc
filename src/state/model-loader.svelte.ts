// Which model is loaded, on which engine, and the progress of loading one; owns the engines' lifetimes.

import type { ChatEngine, LoadedModel, LoadProgress, ModelSource } from '../core/engine';
import { AppError, toAppError } from '../core/errors';
import { TokenEstimator, calibrateEstimator, type ModelTokenCounter } from '../core/tokens';
import type { ChatTurn, EngineKind, Lang } from '../core/types';
import {
  MODEL_CATALOG,
  assessCatalog,
  offeredModels,
  recommendModel,
  type GpuReport,
} from '../core/model-catalog';
import { offerCpuModels, type CpuModelOffer } from '../core/cpu-models';

// Byte-level vocabularies (tiny or unusual GGUFs) can need several times the usual estimate.
const ESTIMATOR_OPTIONS = { maxRatio: 8 };

/** A loaded model ready to chat: what a chat session needs to build prompts and stream replies. */
export interface ReadyEngine {
  engine: ChatEngine;
  modelId: string;
  contextWindow: number;
  /** Token estimates for this model, corrected by what the engine reports. */
  estimator: TokenEstimator;
  /** The model's own token count, where its tokenizer is at hand (synchronous); else the estimator's. */
  countTokens?: (text: string) => number;
  /** The whole prompt as the engine will count it, chat template included (GGUF models). */
  countPrompt?: (messages: readonly ChatTurn[]) => number;
}

/** Which engine runs a source: web-llm models, a model server, else GGUF files on wllama. */
export function engineOf(source: ModelSource): EngineKind {
  return source.kind === 'webllm' ? 'webllm' : source.kind === 'server' ? 'server' : 'wllama';
}

export type EngineFactory = (kind: EngineKind) => Promise<ChatEngine>;
export type LoaderStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface ModelLoaderOptions {
  createEngine: EngineFactory;
  probeGpu: () => Promise<GpuReport>;
  /** Told about every model that finished loading, so it can be listed and offered again. */
  onLoaded?: (model: LoadedModel, source: ModelSource) => void | Promise<void>;
  /** The language the person uses, so the recommended model speaks it. */
  language?: () => Lang;
  /** Held while a model is loaded or loading here, so another tab does not load a second copy. */
  lock?: { acquire(): Promise<boolean>; release(): void };
  /** The model's own token counter, where one can be had (web-llm's tokenizer.json, a GGUF's vocabulary); null otherwise. */
  loadTokenizer?: (model: LoadedModel, source: ModelSource) => Promise<ModelTokenCounter | null>;
}

export class ModelLoader {
  gpu = $state.raw<GpuReport | null>(null);
  status = $state<LoaderStatus>('idle');
  progress = $state.raw<LoadProgress | null>(null);
  loaded = $state.raw<LoadedModel | null>(null);
  error = $state.raw<AppError | null>(null);
  /** The source being loaded or last loaded, for the picker to show. */
  source = $state.raw<ModelSource | null>(null);
  /** The size of the last download as the engine reported it (for "needs N MB" when the disk fills). */
  lastTotalBytes = 0;

  #options: ModelLoaderOptions;

  readonly assessed = $derived(this.gpu ? assessCatalog(MODEL_CATALOG, this.gpu) : []);
  readonly offered = $derived(this.gpu ? offeredModels(this.assessed) : []);
  /** The default for this device, in the person's language (a getter: it reads the options). */
  get recommended() {
    return this.gpu ? recommendModel(this.assessed, this.#options.language?.() ?? 'en') : undefined;
  }

  /** The GGUF models offered for the CPU engine, in the person's language, by this device's memory. */
  get cpuOffer(): CpuModelOffer {
    return offerCpuModels(this.#options.language?.() ?? 'en', this.gpu?.deviceMemoryGB);
  }

  /** Token estimates for the loaded model; starts fresh with every load. */
  estimator = new TokenEstimator(ESTIMATOR_OPTIONS);
  /** Exact token counts for the loaded model, where its tokenizer could be read; null otherwise. */
  countTokens = $state.raw<((text: string) => number) | null>(null);
  /** Exact whole-prompt counts (the GGUF's vocabulary and chat template); null otherwise. */
  countPrompt = $state.raw<((messages: readonly ChatTurn[]) => number) | null>(null);

  #engines = new Map<EngineKind, Promise<ChatEngine>>();
  #active: ChatEngine | null = null;
  #abort: AbortController | null = null;

  constructor(options: ModelLoaderOptions) {
    this.#options = options;
  }

  /** The engine to chat with, or null when nothing is ready. */
  get engine(): ChatEngine | null {
    return this.status === 'ready' ? this.#active : null;
  }

  /** The loaded model with its engine and token counters, or null when nothing is ready. */
  get ready(): ReadyEngine | null {
    const engine = this.engine;
    const loaded = this.loaded;
    if (!engine || !loaded) return null;
    return { engine, modelId: loaded.id, contextWindow: loaded.contextWindow, estimator: this.estimator,
      ...(this.countTokens ? { countTokens: this.countTokens } : {}),
      ...(this.countPrompt ? { countPrompt: this.countPrompt } : {}),
    };
  }

  async probe(): Promise<void> {
    this.gpu = await this.#options.probeGpu();
  }

  async load(source: ModelSource): Promise<LoadedModel | null> {
    this.cancel();
    const abort = new AbortController();
    this.#abort = abort;
    this.status = 'loading';
    this.error = null;
    this.source = source;
    this.progress = { fraction: 0, phase: 'init', text: '' };
    try {
      if (this.#options.lock && !(await this.#options.lock.acquire())) {
        throw new AppError('model-busy', 'The model is in use in another tab of Hearth. Close it or unload the model there.');
      }
      await this.#active?.unload();
      this.#active = null;
      this.loaded = null;
      const engine = await this.#engineFor(engineOf(source));
      this.lastTotalBytes = 0;
      const model = await engine.load(source, (progress) => {
        if (this.#abort !== abort) return;
        this.progress = progress;
        if (progress.phase === 'download' && progress.totalBytes) this.lastTotalBytes = progress.totalBytes;
      }, abort.signal);
      if (abort.signal.aborted) throw new AppError('aborted', 'Cancelled');
      // Read before the model is offered, so even the first prompt is measured with it; a tokenizer
      // that cannot be read leaves the estimate.
      const counter = await this.#options.loadTokenizer?.(model, source).catch(() => null);
      if (abort.signal.aborted) throw new AppError('aborted', 'Cancelled');
      const estimator = new TokenEstimator(ESTIMATOR_OPTIONS);
      // No tokenizer here, but the engine counts tokens itself (llama-server /tokenize): fit the estimate now.
      if (!counter && engine.countTokens) await calibrateEstimator(estimator, (text) => engine.countTokens!(text, abort.signal));
      if (abort.signal.aborted) throw new AppError('aborted', 'Cancelled');
      this.#active = engine;
      this.estimator = estimator;
      this.loaded = model;
      this.countTokens = counter?.count ?? null;
      this.countPrompt = counter?.countPrompt ?? null;
      this.status = 'ready';
      this.progress = null;
      await this.#options.onLoaded?.(model, source);
      return model;
    } catch (error) {
      const appError = toAppError(error, 'model-load-failed');
      if (this.#abort !== abort) return null; // superseded by a newer load
      // Nothing is loaded now (the previous model was dropped first): let another tab have it.
      if (appError.code !== 'model-busy') this.#options.lock?.release();
      this.progress = null;
      this.status = appError.code === 'aborted' ? 'idle' : 'error';
      this.error = appError.code === 'aborted' ? null : appError;
      return null;
    } finally {
      if (this.#abort === abort) this.#abort = null;
    }
  }

  cancel(): void {
    this.#abort?.abort();
  }

  async unload(): Promise<void> {
    this.cancel();
    const engine = this.#active;
    this.#active = null;
    this.loaded = null;
    this.status = 'idle';
    try {
      await engine?.unload();
    } finally {
      this.#options.lock?.release();
    }
  }

  /** The GPU went away mid-reply: the model must be loaded again before the next message. */
  markLost(error: AppError): void {
    this.#options.lock?.release();
    this.#active = null;
    this.loaded = null;
    this.status = 'error';
    this.error = error;
  }

  dismissError(): void {
    this.error = null;
    if (this.status === 'error') this.status = 'idle';
  }

  #engineFor(kind: EngineKind): Promise<ChatEngine> {
    let engine = this.#engines.get(kind);
    if (!engine) {
      engine = this.#options.createEngine(kind);
      engine.catch(() => this.#engines.delete(kind));
      this.#engines.set(kind, engine);
    }
    return engine;
  }
}
