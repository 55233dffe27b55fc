// The browser's places for model files, put together for the model manager (OPFS, Cache API, wllama's cache, StorageManager).

import { GgufFileStore, type DirectoryLike } from './model-files';
import { ModelLock, type LockManagerLike } from './model-lock';
import { WebLlmCache } from './webllm/webllm-cache';
import { WllamaDownloads } from './wllama/wllama-cache';

/** The library URL of each prebuilt web-llm model, as the engine's records give them (loaded only when a model is deleted). */
async function prebuiltLibraries(): Promise<ReadonlyMap<string, string>> {
  const { prebuiltAppConfig } = await import('@mlc-ai/web-llm');
  return new Map(prebuiltAppConfig.model_list.map((record) => [record.model_id, record.model_lib]));
}

export function browserModelStore() {
  const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  if (!storage?.getDirectory) return null;
  const estimate = () => storage.estimate();
  return {
    files: new GgufFileStore(async () => (await storage.getDirectory()) as unknown as DirectoryLike, estimate),
    webllm: new WebLlmCache(() => (typeof caches !== 'undefined' ? caches : null), estimate, prebuiltLibraries),
    wllama: new WllamaDownloads(),
    storage: {
      estimate,
      persisted: () => storage.persisted(),
      persist: () => storage.persist(),
    },
  };
}

export function browserModelLock(): ModelLock {
  const locks = typeof navigator !== 'undefined' ? (navigator.locks as unknown as LockManagerLike | undefined) : undefined;
  return new ModelLock(locks);
}
