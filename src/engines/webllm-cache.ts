// web-llm's downloaded files in the Cache API: their size per model, deleting them, and MLC folders put there.
//
// web-llm 0.2.86 (cacheBackend 'cache', the app's default) keeps files in three caches, keyed by
// their URL: 'webllm/config' (mlc-chat-config.json), 'webllm/model' (tensor-cache.json, weight
// shards, tokenizer) and 'webllm/wasm' (the model library). Its own hasModelInCache and
// deleteModelAllInfoInCache need the model's record and fail on a half-finished download (no
// tensor-cache.json yet), so this module works on the cache keys directly: every key under the
// model's `<model>/resolve/` folder belongs to it, finished or not.

import type { CustomWebLlmModel } from '../core/engine';
import { AppError, toAppError } from '../core/errors';
import { modelQuotaError, spaceShortfall, type MlcFolderPlan, type WebLlmScope } from '../core/model-storage';
import type { InstalledModel } from '../core/types';
import type { Estimate } from './model-files';

const SCOPES: WebLlmScope[] = ['webllm/config', 'webllm/model', 'webllm/wasm'];

/** The parts of CacheStorage used here. */
export interface CacheStorageLike {
  open(name: string): Promise<CacheLike>;
}
export interface CacheLike {
  keys(): Promise<readonly Request[]>;
  match(request: RequestInfo): Promise<Response | undefined>;
  put(request: RequestInfo, response: Response): Promise<void>;
  delete(request: RequestInfo): Promise<boolean>;
}

type ModelRef = Pick<InstalledModel, 'id' | 'modelUrl' | 'modelLibUrl'>;

/** Whether a cached URL is one of this model's files. */
function belongsTo(url: string, model: ModelRef): boolean {
  if (model.modelLibUrl && url === model.modelLibUrl) return true;
  if (model.modelUrl) return url.startsWith(model.modelUrl.replace(/\/*$/, '/'));
  // A prebuilt model: its files live under .../<model id>/resolve/<branch>/ on any host or mirror.
  return url.includes(`/${encodeURIComponent(model.id)}/resolve/`);
}

async function sizeOf(cache: CacheLike, request: Request): Promise<number> {
  const response = await cache.match(request);
  if (!response) return 0;
  const length = Number(response.headers.get('content-length'));
  if (Number.isFinite(length) && length > 0) return length;
  return (await response.blob()).size;
}

export class WebLlmCache {
  readonly #caches: () => CacheStorageLike | null;
  readonly #estimate: () => Promise<Estimate | null>;

  constructor(caches: () => CacheStorageLike | null, estimate: () => Promise<Estimate | null> = async () => null) {
    this.#caches = caches;
    this.#estimate = estimate;
  }

  /** Bytes kept for each model that has any file cached. */
  async sizes(models: readonly ModelRef[]): Promise<Map<string, number>> {
    const sizes = new Map<string, number>();
    const storage = this.#caches();
    if (!storage || models.length === 0) return sizes;
    for (const scope of SCOPES) {
      const cache = await storage.open(scope);
      for (const request of await cache.keys()) {
        const owner = models.find((m) => belongsTo(request.url, m));
        if (owner) sizes.set(owner.id, (sizes.get(owner.id) ?? 0) + (await sizeOf(cache, request)));
      }
    }
    return sizes;
  }

  /** Deletes every cached file of the model, a partial download included. */
  async remove(model: ModelRef): Promise<void> {
    const storage = this.#caches();
    if (!storage) return;
    for (const scope of SCOPES) {
      const cache = await storage.open(scope);
      for (const request of await cache.keys()) if (belongsTo(request.url, model)) await cache.delete(request);
    }
  }

  /**
   * Puts a picked MLC folder where web-llm looks first: its caches, under the synthetic URLs of the
   * plan. web-llm then "downloads" nothing: every file is a cache hit. All or nothing.
   */
  async storeFolder(plan: MlcFolderPlan, files: ReadonlyMap<string, Blob>, onProgress?: (done: number, total: number) => void): Promise<void> {
    const storage = this.#caches();
    if (!storage) throw new AppError('storage-unavailable', 'The Cache API is not available here');
    const estimate = await this.#estimate().catch(() => null);
    if (spaceShortfall(plan.totalBytes, estimate) > 0) throw modelQuotaError(plan.name, plan.totalBytes, estimate);
    let done = 0;
    try {
      for (const entry of plan.entries) {
        const blob = files.get(entry.path);
        if (!blob) throw new AppError('model-load-failed', `${entry.path} could not be read`, { file: entry.path });
        const type = entry.url.endsWith('.json') ? 'application/json' : entry.url.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream';
        const response = new Response(blob, { headers: { 'content-type': type, 'content-length': String(blob.size) } });
        await (await storage.open(entry.scope)).put(entry.url, response);
        done += blob.size;
        onProgress?.(done, plan.totalBytes);
      }
    } catch (error) {
      await this.remove({ id: plan.modelId, modelUrl: plan.custom.model, modelLibUrl: plan.custom.modelLib }).catch(() => {});
      if (error instanceof Error && error.name === 'QuotaExceededError') {
        throw modelQuotaError(plan.name, plan.totalBytes, await this.#estimate().catch(() => null), error);
      }
      throw toAppError(error, 'storage-unavailable');
    }
  }

  /**
   * The library URL to give web-llm for a folder served from the cache. web-llm fetches a model
   * library whose URL contains "localhost" (or is not http) with plain fetch(), bypassing its cache;
   * a blob: URL of the cached copy works everywhere and needs no network.
   */
  async resolveLocal(custom: CustomWebLlmModel): Promise<CustomWebLlmModel> {
    const storage = this.#caches();
    if (!storage || !custom.model.includes('/local-models/')) return custom;
    const response = await (await storage.open('webllm/wasm')).match(custom.modelLib);
    if (!response) throw new AppError('model-load-failed', 'the model library of this folder is no longer stored: pick the folder again', { file: custom.modelLib });
    return { ...custom, modelLib: URL.createObjectURL(await response.blob()) };
  }
}
