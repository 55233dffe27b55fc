// transformers.js feature extraction behind one small class: where model files come from, progress, pooling. Runs inside the embedding worker (and in Node for tests).

import { env, pipeline, type FeatureExtractionPipeline, type ProgressInfo } from '@huggingface/transformers';
import { AppError } from '../../core/errors';
import type { EmbeddingModelSource } from '../../core/embedding-models';
import type { EmbeddingLoadProgress, FolderFile, PreparedEmbeddingModel } from './embedding-protocol';

/** Where the files of picked model folders are kept (Cache API in the browser, memory in tests). */
export interface FolderStore {
  put(url: string, data: Blob): Promise<void>;
  match(url: string): Promise<Response | undefined>;
}

export interface EmbeddingRuntimeConfig {
  /** 'wasm' in the browser (onnxruntime-web); 'cpu' in Node (onnxruntime-node). */
  device: 'wasm' | 'cpu';
  /**
   * Path prefix (not a full URL: transformers.js checks local files only for non-URL paths) under
   * which picked folders are served to transformers.js, e.g. '/__model-folders__/'.
   */
  folderPrefix: string;
  folderStore: FolderStore;
  /** onnxruntime-web's wasm and its loader, as URLs on our own origin (never the CDN default). */
  wasmPaths?: { wasm: string; mjs: string };
  /** Tests: read hub ids from this folder instead of the hub (no network at all). */
  localModelPath?: string;
  /** The hub to download from (default huggingface.co). */
  remoteHost?: string;
  /** The fetch used for downloads (default globalThis.fetch). */
  fetch?: typeof fetch;
}

const NOT_FOUND = () => new Response('Not found', { status: 404, statusText: 'Not Found' });

/**
 * One per JS realm (the worker): transformers.js keeps its settings in one global `env`, which the
 * constructor points at our fetch, our wasm files and, per load, at where that model's files are.
 */
export class EmbeddingRuntime {
  readonly #config: EmbeddingRuntimeConfig;
  readonly #pipelines = new Map<string, { extractor: FeatureExtractionPipeline; dim: number }>();
  /** Loads and embeds one at a time: transformers.js reads `env` during a load, and ORT web serialises runs anyway. */
  #queue: Promise<unknown> = Promise.resolve();
  /** What a folder load switches off for its duration. */
  readonly #defaults = { useBrowserCache: env.useBrowserCache, useFS: env.useFS };
  #loadSignal: AbortSignal | null = null;

  constructor(config: EmbeddingRuntimeConfig) {
    this.#config = config;
    const realFetch = config.fetch ?? globalThis.fetch.bind(globalThis);
    env.fetch = (input: string | URL, init?: RequestInit) => {
      const url = String(input);
      if (url.startsWith(config.folderPrefix)) return config.folderStore.match(url).then((hit) => hit ?? NOT_FOUND());
      return realFetch(url, { ...init, signal: this.#loadSignal ?? undefined });
    };
    if (config.remoteHost) env.remoteHost = config.remoteHost;
    const wasm = env.backends.onnx.wasm;
    if (wasm) {
      if (config.wasmPaths) wasm.wasmPaths = { ...config.wasmPaths };
      // Background work must not take the cores the chat model needs.
      wasm.numThreads = 1;
    }
  }

  /** Keeps a picked folder's files so the model loads again later, offline. */
  addFolder(modelId: string, files: readonly FolderFile[]): Promise<void> {
    return this.#serial(async () => {
      for (const file of files) await this.#config.folderStore.put(this.#folderUrl(modelId, file.path), file.data);
    });
  }

  /** Downloads (or reads from cache or folder) and opens a model; resolves with its vector size. */
  prepare(source: EmbeddingModelSource, onProgress: (progress: EmbeddingLoadProgress) => void, signal?: AbortSignal): Promise<PreparedEmbeddingModel> {
    return this.#serial(async () => {
      const ready = this.#pipelines.get(source.modelId);
      if (ready) return { modelId: source.modelId, dim: ready.dim };
      signal?.throwIfAborted();
      this.#configureFor(source);
      this.#loadSignal = signal ?? null;
      try {
        const extractor = await pipeline('feature-extraction', source.modelId, {
          dtype: source.dtype,
          device: this.#config.device,
          progress_callback: (info: ProgressInfo) => {
            if (info.status === 'progress_total') onProgress({ loaded: info.loaded, total: info.total });
          },
        });
        if (signal?.aborted) {
          await extractor.dispose();
          signal.throwIfAborted();
        }
        const [probe] = await this.#run(extractor, ['a']);
        this.#pipelines.set(source.modelId, { extractor, dim: probe.length });
        return { modelId: source.modelId, dim: probe.length };
      } catch (error) {
        throw loadError(error, source, signal);
      } finally {
        this.#loadSignal = null;
        env.useBrowserCache = this.#defaults.useBrowserCache;
        env.useFS = this.#defaults.useFS;
      }
    });
  }

  /** CLS-pooled, L2-normalised vectors (what bge models are trained for), one per text. */
  embed(modelId: string, texts: readonly string[]): Promise<Float32Array[]> {
    return this.#serial(async () => {
      const ready = this.#pipelines.get(modelId);
      if (!ready) throw new AppError('embedding-failed', `Embedding model ${modelId} is not prepared.`, { detail: 'model not prepared' });
      if (texts.length === 0) return [];
      try {
        return await this.#run(ready.extractor, texts);
      } catch (error) {
        throw new AppError('embedding-failed', errorText(error), { detail: errorText(error) }, { cause: error });
      }
    });
  }

  isPrepared(modelId: string): boolean {
    return this.#pipelines.has(modelId);
  }

  async dispose(): Promise<void> {
    const all = [...this.#pipelines.values()];
    this.#pipelines.clear();
    await Promise.all(all.map(({ extractor }) => extractor.dispose()));
  }

  async #run(extractor: FeatureExtractionPipeline, texts: readonly string[]): Promise<Float32Array[]> {
    const output = await extractor([...texts], { pooling: 'cls', normalize: true });
    const [rows, dim] = output.dims;
    const data = output.data as Float32Array;
    const vectors: Float32Array[] = [];
    for (let row = 0; row < rows; row++) vectors.push(data.slice(row * dim, row * dim + dim));
    output.dispose?.();
    return vectors;
  }

  /** `env` is global to transformers.js, so each load sets where its files come from. */
  #configureFor(source: EmbeddingModelSource): void {
    if (source.kind === 'folder') {
      env.allowLocalModels = true;
      env.allowRemoteModels = false;
      env.localModelPath = this.#config.folderPrefix;
      // The folder's files already live in our own store; a second copy in transformers' cache would double the space.
      env.useBrowserCache = false;
      // In Node a non-URL path would be read from disk; the folder's files are in the store instead.
      env.useFS = false;
    } else if (this.#config.localModelPath) {
      env.allowLocalModels = true;
      env.allowRemoteModels = false;
      env.localModelPath = this.#config.localModelPath;
    } else {
      env.allowLocalModels = false;
      env.allowRemoteModels = true;
    }
  }

  #folderUrl(modelId: string, path: string): string {
    return `${this.#config.folderPrefix}${modelId}/${path.replace(/^\/+/, '')}`;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function loadError(error: unknown, source: EmbeddingModelSource, signal?: AbortSignal): AppError {
  if (error instanceof AppError) return error;
  if (signal?.aborted) return new AppError('aborted', 'Cancelled', {}, { cause: error });
  const text = errorText(error);
  const model = source.modelId;
  if (source.kind === 'folder') {
    return new AppError('model-folder-invalid', text, { detail: text, model }, { cause: error });
  }
  // fetch rejects with a TypeError when the network is unreachable.
  const offline = error instanceof TypeError && /fetch|network/i.test(text);
  if (offline || (typeof navigator !== 'undefined' && navigator.onLine === false)) {
    return new AppError('embedding-offline', text, { model }, { cause: error });
  }
  if (/could not locate|not found|404|status/i.test(text)) {
    return new AppError('embedding-download-failed', text, { detail: text, model }, { cause: error });
  }
  return new AppError('embedding-failed', text, { detail: text, model }, { cause: error });
}
