// web-llm's downloaded files in the Cache API: their size per model, deleting them, and MLC folders put there.
//
// web-llm 0.2.86 (cacheBackend 'cache', the app's default) keeps files in three caches, keyed by
// their URL: 'webllm/config' (mlc-chat-config.json), 'webllm/model' (tensor-cache.json, weight
// shards, tokenizer) and 'webllm/wasm' (the model library). Its own hasModelInCache and
// deleteModelAllInfoInCache need the model's record and fail on a half-finished download (no
// tensor-cache.json yet), so this module works on the cache keys directly: every key under the
// model's `<model>/resolve/` folder belongs to it, finished or not. A prebuilt model's library lives
// elsewhere (binary-mlc-llm-libs): its URL comes from web-llm's prebuiltAppConfig, and several
// models can share one, so it is deleted only with the last stored model that uses it.

import type { CustomWebLlmModel } from '../../core/engine';
import { AppError, toAppError } from '../../core/errors';
import { modelQuotaError, spaceShortfall, type MlcFolderPlan, type WebLlmScope } from '../../core/model-storage';
import type { InstalledModel } from '../../core/types';
import type { Estimate } from '../model-files';

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

/** web-llm's prebuilt model id -> its model library URL (prebuiltAppConfig.model_list[].model_lib). */
export type PrebuiltLibraries = () => Promise<ReadonlyMap<string, string>>;

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
  readonly #prebuiltLibraries: PrebuiltLibraries;

  constructor(
    caches: () => CacheStorageLike | null,
    estimate: () => Promise<Estimate | null> = async () => null,
    prebuiltLibraries: PrebuiltLibraries = async () => new Map(),
  ) {
    this.#caches = caches;
    this.#estimate = estimate;
    this.#prebuiltLibraries = prebuiltLibraries;
  }

  /** The model with its library URL filled in where web-llm's prebuilt list knows it. */
  #withLibrary(model: ModelRef, libraries: ReadonlyMap<string, string>): ModelRef {
    if (model.modelLibUrl || model.modelUrl) return model;
    const library = libraries.get(model.id);
    return library ? { ...model, modelLibUrl: library } : model;
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

  /**
   * Deletes every cached file of the model, a partial download included. Its model library goes
   * too, unless another model still has files here and uses the same library: any prebuilt model,
   * or one of `others` (the installed records, which name the libraries of custom models).
   */
  async remove(model: ModelRef, others: readonly ModelRef[] = []): Promise<void> {
    const storage = this.#caches();
    if (!storage) return;
    const libraries = await this.#prebuiltLibraries().catch(() => new Map<string, string>());
    const target = this.#withLibrary(model, libraries);
    const library = target.modelLibUrl;
    let sharedLibrary = false;
    if (library) {
      const sharers = [...others.filter((o) => o.id !== model.id), ...[...libraries.keys()].filter((id) => id !== model.id).map((id) => ({ id }))]
        .map((o) => this.#withLibrary(o, libraries))
        .filter((o) => o.modelLibUrl === library);
      const owned = (url: string) => url !== library && sharers.some((o) => belongsTo(url, o));
      for (const scope of SCOPES) {
        if (scope === 'webllm/wasm') continue;
        if ((await (await storage.open(scope)).keys()).some((r) => owned(r.url))) sharedLibrary = true;
      }
    }
    for (const scope of SCOPES) {
      const cache = await storage.open(scope);
      for (const request of await cache.keys()) {
        if (sharedLibrary && request.url === library) continue;
        if (belongsTo(request.url, target)) await cache.delete(request);
      }
    }
  }

  /** Every cached key under a URL folder, in every scope. */
  async #keysUnder(storage: CacheStorageLike, folder: string): Promise<{ scope: WebLlmScope; url: string }[]> {
    const found: { scope: WebLlmScope; url: string }[] = [];
    for (const scope of SCOPES) {
      for (const request of await (await storage.open(scope)).keys()) if (request.url.startsWith(folder)) found.push({ scope, url: request.url });
    }
    return found;
  }

  /**
   * Puts a picked MLC folder where web-llm looks first: its caches, under the synthetic URLs of the
   * plan. web-llm then "downloads" nothing: every file is a cache hit. All or nothing.
   *
   * The Cache API has no transaction and put() replaces a URL's entry, so writing over an earlier
   * copy of the same folder would mix old and new files if it failed halfway. When an earlier copy
   * is stored, the new one goes under a fresh sub-folder instead; `commit` (registering the model
   * with the URLs it is given) runs once every file is in, and only then is the earlier copy
   * deleted. If anything fails, only the new files are deleted and the earlier copy still works.
   */
  async storeFolder(
    plan: MlcFolderPlan,
    files: ReadonlyMap<string, Blob>,
    onProgress?: (done: number, total: number) => void,
    commit?: (custom: CustomWebLlmModel) => Promise<void>,
  ): Promise<CustomWebLlmModel> {
    const storage = this.#caches();
    if (!storage) throw new AppError('storage-unavailable', 'The Cache API is not available here');
    const estimate = await this.#estimate().catch(() => null);
    if (spaceShortfall(plan.totalBytes, estimate) > 0) throw modelQuotaError(plan.name, plan.totalBytes, estimate);
    const folder = plan.custom.model;
    const earlier = await this.#keysUnder(storage, `${folder}/`);
    const base = earlier.length > 0 ? `${folder}/copy-${Date.now().toString(36)}` : folder;
    const moved = (url: string) => base + url.slice(folder.length);
    const custom: CustomWebLlmModel = { model: base, modelLib: moved(plan.custom.modelLib) };
    const written: { scope: WebLlmScope; url: string }[] = [];
    let done = 0;
    try {
      for (const entry of plan.entries) {
        const blob = files.get(entry.path);
        if (!blob) throw new AppError('model-load-failed', `${entry.path} could not be read`, { file: entry.path });
        const url = moved(entry.url);
        const type = url.endsWith('.json') ? 'application/json' : url.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream';
        const response = new Response(blob, { headers: { 'content-type': type, 'content-length': String(blob.size) } });
        await (await storage.open(entry.scope)).put(url, response);
        written.push({ scope: entry.scope, url });
        done += blob.size;
        onProgress?.(done, plan.totalBytes);
      }
      await commit?.(custom);
    } catch (error) {
      for (const { scope, url } of written) await (await storage.open(scope)).delete(url).catch(() => false);
      if (error instanceof Error && error.name === 'QuotaExceededError') {
        throw modelQuotaError(plan.name, plan.totalBytes, await this.#estimate().catch(() => null), error);
      }
      throw toAppError(error, 'storage-unavailable');
    }
    // The new copy is complete and registered: the earlier one is no longer used by anything.
    for (const { scope, url } of earlier) await (await storage.open(scope)).delete(url).catch(() => false);
    return custom;
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
