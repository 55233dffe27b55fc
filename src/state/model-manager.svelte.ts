// The models kept on this device: listing, loading and deleting them, the space they use, asking for
// persistent storage, and the models people bring (a GGUF kept in OPFS, custom web-llm URLs, MLC folders).

import type { CustomWebLlmModel, ModelSource } from '../core/engine';
import { AppError, toAppError } from '../core/errors';
import {
  checkCustomWebLlmModel,
  managerRows,
  modelQuotaError,
  planMlcFolder,
  spaceShortfall,
  storedFileOf,
  type CachedDownload,
  type MlcFolderPlan,
  type MlcFolderProblem,
  type StoredFile,
  type StoredModelRow,
  type UrlProblem,
} from '../core/model-storage';
import type { InstalledModel } from '../core/types';
import type { Repositories } from '../storage';
import type { ModelLoader } from './model-loader.svelte';

const PERSIST_ASKED_KEY = 'storage.persistAsked';

export interface StorageEstimate {
  usage?: number;
  quota?: number;
}

/** Where models are kept: OPFS files, web-llm's cache, wllama's cache, and the browser's storage manager. */
export interface ModelStore {
  files: {
    list(): Promise<StoredFile[]>;
    open(name: string): Promise<Blob | null>;
    save(blob: Blob, name: string, onProgress?: (saved: number, total: number) => void): Promise<StoredFile>;
    remove(name: string): Promise<void>;
    cleanPartials(): Promise<number>;
  };
  webllm: {
    sizes(models: readonly InstalledModel[]): Promise<Map<string, number>>;
    /** `others`: the other installed models, so a model library they share is kept. */
    remove(model: InstalledModel, others?: readonly InstalledModel[]): Promise<void>;
    /** `commit` registers the folder under the URLs it was stored at; an earlier copy is deleted only after it. */
    storeFolder(
      plan: MlcFolderPlan,
      files: ReadonlyMap<string, Blob>,
      onProgress: (done: number, total: number) => void,
      commit: (custom: CustomWebLlmModel) => Promise<void>,
    ): Promise<unknown>;
    resolveLocal(custom: CustomWebLlmModel): Promise<CustomWebLlmModel>;
  };
  wllama: {
    list(): Promise<CachedDownload[]>;
    remove(url: string): Promise<void>;
  };
  storage: {
    estimate(): Promise<StorageEstimate>;
    persisted(): Promise<boolean>;
    persist(): Promise<boolean>;
  } | null;
}

export type PersistState = 'unknown' | 'granted' | 'denied' | 'unsupported';

export interface ModelManagerOptions {
  store: ModelStore | null;
  loader: ModelLoader;
  repos: () => Repositories;
  origin?: () => string;
  /** Told when a picked model has been kept, so it can be offered again ("load the last model"). */
  onKept?: (model: InstalledModel) => void;
  /** Told when a model's record is deleted, so it is no longer offered again. */
  onRemoved?: (id: string) => void | Promise<void>;
}

export class ModelManager {
  rows = $state.raw<StoredModelRow[]>([]);
  estimate = $state.raw<StorageEstimate | null>(null);
  persist = $state<PersistState>('unknown');
  /** Set after the automatic request: the sentence on why is shown with its answer. */
  persistAsked = $state(false);
  /** Copying a picked file into storage, 0..1. */
  saving = $state.raw<{ name: string; fraction: number } | null>(null);
  error = $state.raw<AppError | null>(null);
  /** The last thing added or kept, for a short confirmation. */
  notice = $state.raw<{ key: 'kept' | 'added' | 'deleted'; name: string } | null>(null);

  readonly #options: ModelManagerOptions;

  constructor(options: ModelManagerOptions) {
    this.#options = options;
  }

  get #store(): ModelStore {
    const store = this.#options.store;
    if (!store) throw new AppError('storage-unavailable', 'Model storage is not available here');
    return store;
  }

  /** Removes copies left half-written by a closed tab, then reads what is stored. */
  async start(): Promise<void> {
    if (!this.#options.store) return;
    await this.#options.store.files.cleanPartials().catch(() => 0);
    this.persistAsked = await this.#options.repos().settings.get(PERSIST_ASKED_KEY, false);
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const store = this.#options.store;
    if (!store) return;
    try {
      const installed = await this.#options.repos().models.list();
      const [files, downloads, sizes] = await Promise.all([
        store.files.list().catch(() => [] as StoredFile[]),
        store.wllama.list(),
        store.webllm.sizes(installed.filter((m) => m.engine === 'webllm')).catch(() => new Map<string, number>()),
      ]);
      this.rows = managerRows(installed, files, downloads, sizes);
      await this.#readStorage();
    } catch (error) {
      this.error = toAppError(error, 'storage-unavailable');
    }
  }

  async #readStorage(): Promise<void> {
    const storage = this.#options.store?.storage;
    if (!storage) {
      this.persist = 'unsupported';
      return;
    }
    this.estimate = await storage.estimate().catch(() => null);
    this.persist = (await storage.persisted().catch(() => false)) ? 'granted' : this.persistAsked ? 'denied' : 'unknown';
  }

  /** Asks the browser not to clear models under storage pressure; remembers that it asked. */
  async requestPersist(): Promise<void> {
    const storage = this.#options.store?.storage;
    if (!storage) return;
    const granted = await storage.persist().catch(() => false);
    this.persist = granted ? 'granted' : 'denied';
    this.persistAsked = true;
    await this.#options.repos().settings.set(PERSIST_ASKED_KEY, true);
  }

  /** The right moment: a model was just kept on the device. Asked once; the button asks again. */
  async #askPersistOnce(): Promise<void> {
    if (this.persistAsked || this.persist === 'granted' || this.persist === 'unsupported') return;
    await this.requestPersist();
  }

  /** Loads a picked GGUF, then keeps a copy in OPFS so it loads again after a reload, offline. */
  async loadPicked(file: File): Promise<void> {
    this.error = null;
    const loaded = await this.#options.loader.load({ kind: 'gguf-file', file, name: file.name });
    if (!loaded || !this.#options.store) return;
    await this.#keep(file, file.name, loaded.id);
  }

  async #keep(blob: Blob, name: string, modelId: string): Promise<void> {
    const store = this.#store;
    this.saving = { name, fraction: 0 };
    try {
      const existing = (await store.files.list()).find((f) => f.name === storedFileOf({ id: modelId }));
      if (!existing || existing.size !== blob.size) {
        await store.files.save(blob, name, (saved, total) => (this.saving = { name, fraction: total > 0 ? saved / total : 1 }));
      }
      const record = await this.#options.repos().models.get(modelId);
      if (record) {
        const kept: InstalledModel = { ...record, stored: 'opfs' };
        if (record.stored !== 'opfs') await this.#options.repos().models.put(kept);
        this.#options.onKept?.(kept);
      }
      this.notice = { key: 'kept', name };
      await this.refresh();
      await this.#askPersistOnce();
    } catch (error) {
      this.error = toAppError(error, 'storage-unavailable');
      await this.refresh();
    } finally {
      this.saving = null;
    }
  }

  /** Downloads (or takes from wllama's cache) a GGUF by URL; it is listed here afterwards. */
  async loadUrl(url: string): Promise<void> {
    this.error = null;
    const loader = this.#options.loader;
    const loaded = await loader.load({ kind: 'gguf-url', url });
    if (!loaded && loader.error?.code === 'quota') {
      // The engine already deleted the partial download; say how much it needed.
      const name = decodeURIComponent(url.split(/[?#]/)[0]!.split('/').pop() || url);
      loader.error = modelQuotaError(name, loader.lastTotalBytes, (await this.#options.store?.storage?.estimate().catch(() => null)) ?? null, loader.error);
    }
    await this.refresh();
  }

  /** Loads a model listed here, from where it is kept (no file to pick, no download when cached). */
  async load(row: StoredModelRow): Promise<void> {
    this.error = null;
    try {
      const source = await this.#sourceOf(row);
      if (source.kind === 'webllm') {
        await this.#loadWebLlm(source, row.sizeBytes ?? 0);
      } else {
        const loaded = await this.#options.loader.load(source);
        if (loaded && row.place === 'opfs') {
          // A stored file with no record yet (or an old record) becomes a stored model.
          const record = await this.#options.repos().models.get(loaded.id);
          if (record && record.stored !== 'opfs') await this.#options.repos().models.put({ ...record, stored: 'opfs' });
        }
      }
    } catch (error) {
      this.error = toAppError(error, 'model-load-failed');
    }
    await this.refresh();
  }

  /** Loads an installed model record (the app's "load the last model again"). */
  loadInstalled(model: InstalledModel): Promise<void> {
    const row = this.rows.find((r) => r.key === model.id) ?? managerRows([model], model.stored === 'opfs' ? [{ name: storedFileOf(model), size: model.sizeBytes }] : [], [], new Map())[0]!;
    return this.load(row);
  }

  /** A catalog (prebuilt) web-llm model: checks the space first, cleans up after a failed download. */
  async loadCatalog(modelId: string, downloadBytes: number): Promise<void> {
    this.error = null;
    const estimate = await this.#options.store?.storage?.estimate().catch(() => null);
    const cached = this.rows.some((r) => r.key === modelId && r.place === 'webllm-cache');
    if (!cached && estimate && spaceShortfall(downloadBytes, estimate) > 0) {
      this.error = modelQuotaError(modelId, downloadBytes, estimate);
      return;
    }
    await this.#loadWebLlm({ kind: 'webllm', modelId }, downloadBytes);
    await this.refresh();
  }

  async #sourceOf(row: StoredModelRow): Promise<ModelSource> {
    if (row.place === 'opfs' && row.file) {
      const file = await this.#store.files.open(row.file);
      if (!file) throw new AppError('model-load-failed', `the stored copy of ${row.file} is gone: pick its file again`, { file: row.file });
      return { kind: 'gguf-file', file, name: row.model ? row.model.id.replace(/^gguf:/, '') : row.file };
    }
    if (row.url) return { kind: 'gguf-url', url: row.url };
    const model = row.model;
    if (model?.engine === 'webllm') {
      if (model.modelUrl && model.modelLibUrl) {
        const custom = await this.#store.webllm.resolveLocal({ model: model.modelUrl, modelLib: model.modelLibUrl });
        return { kind: 'webllm', modelId: model.id, custom };
      }
      return { kind: 'webllm', modelId: model.id };
    }
    if (model?.url) return { kind: 'gguf-url', url: model.url };
    throw new AppError('model-load-failed', `${row.label} is no longer kept on this device: pick its file again`, { file: row.label });
  }

  /** A web-llm load may download: a full disk becomes the manager's sentence, and the half-written download is deleted. */
  async #loadWebLlm(source: Extract<ModelSource, { kind: 'webllm' }>, downloadBytes: number): Promise<void> {
    const loader = this.#options.loader;
    const store = this.#options.store;
    const loaded = await loader.load(source);
    if (!loaded && (loader.error?.code === 'quota' || loader.error?.code === 'model-quota')) {
      const others = await this.#options.repos().models.list().catch(() => []);
      await store?.webllm.remove({ id: source.modelId, modelUrl: source.custom?.model, modelLibUrl: source.custom?.modelLib } as InstalledModel, others).catch(() => {});
      loader.error = modelQuotaError(source.modelId, downloadBytes, (await store?.storage?.estimate().catch(() => null)) ?? null, loader.error);
    }
    if (loaded) await this.#askPersistOnce();
  }

  async remove(row: StoredModelRow): Promise<void> {
    this.error = null;
    const store = this.#store;
    try {
      if (row.model && this.#options.loader.loaded?.id === row.model.id) await this.#options.loader.unload();
      if (row.place === 'opfs' && row.file) await store.files.remove(row.file);
      else if (row.place === 'wllama-cache' && row.url) await store.wllama.remove(row.url);
      else if (row.model?.engine === 'webllm') await store.webllm.remove(row.model, await this.#options.repos().models.list());
      if (row.model) {
        await this.#options.repos().models.remove(row.model.id);
        await this.#options.onRemoved?.(row.model.id);
      }
      this.notice = { key: 'deleted', name: row.label };
    } catch (error) {
      this.error = toAppError(error, 'storage-unavailable');
    }
    await this.refresh();
  }

  /** Registers a web-llm model from custom URLs, then loads it. Returns the problem with the input, if any. */
  async addCustom(modelUrl: string, modelLibUrl: string): Promise<{ field: 'model' | 'lib'; problem: UrlProblem } | null> {
    const check = checkCustomWebLlmModel(modelUrl, modelLibUrl);
    if (!check.ok) return { field: check.field, problem: check.problem };
    // Registered first, so it stays listed (and can be loaded later) even when this load fails.
    await this.#register({ id: check.modelId, label: check.modelId, source: 'url', modelUrl: check.custom.model, modelLibUrl: check.custom.modelLib, sizeBytes: 0 });
    this.notice = { key: 'added', name: check.modelId };
    await this.#loadWebLlm({ kind: 'webllm', modelId: check.modelId, custom: check.custom }, 0);
    await this.refresh();
    return null;
  }

  /** Puts a picked MLC model folder into web-llm's cache and registers it. Returns the problem, if any. */
  async addMlcFolder(files: readonly File[]): Promise<MlcFolderProblem | null> {
    this.error = null;
    const described = files.map((f) => ({ path: f.webkitRelativePath || f.name, size: f.size, file: f }));
    const planned = planMlcFolder(described, this.#options.origin?.() ?? globalThis.location?.origin ?? '');
    if (!planned.ok) return planned.problem;
    const { plan } = planned;
    this.saving = { name: plan.name, fraction: 0 };
    try {
      const byPath = new Map(described.map((f) => [f.path, f.file as Blob]));
      await this.#store.webllm.storeFolder(
        plan,
        byPath,
        (done, total) => (this.saving = { name: plan.name, fraction: total > 0 ? done / total : 1 }),
        (custom) => this.#register({ id: plan.modelId, label: plan.name, source: 'file', modelUrl: custom.model, modelLibUrl: custom.modelLib, sizeBytes: plan.totalBytes }),
      );
      this.notice = { key: 'added', name: plan.name };
      await this.#askPersistOnce();
    } catch (error) {
      this.error = toAppError(error, 'storage-unavailable');
    } finally {
      this.saving = null;
    }
    await this.refresh();
    return null;
  }

  async #register(fields: Pick<InstalledModel, 'id' | 'label' | 'source' | 'modelUrl' | 'modelLibUrl' | 'sizeBytes'>): Promise<void> {
    const repo = this.#options.repos().models;
    const existing = await repo.get(fields.id);
    const now = Date.now();
    await repo.put({ contextWindow: 0, ...existing, ...fields, engine: 'webllm', addedAt: existing?.addedAt ?? now, lastUsedAt: existing?.lastUsedAt ?? now });
  }

  dismissError(): void {
    this.error = null;
  }
}
