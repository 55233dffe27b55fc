// The embedding runtime as the browser worker needs it: onnxruntime-web served from our own origin, picked folders kept in the Cache API.

import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import { EmbeddingRuntime, type FolderStore } from './embedding-runtime';

/** Picked model folders live under this path of our own origin (never requested from the server). */
export const MODEL_FOLDER_PREFIX = '/__hearth-model-folders__/';
const FOLDER_CACHE = 'hearth-model-folders';

/** Keeps picked folders' files in the Cache API so the model loads again after a reload, offline. */
class CacheFolderStore implements FolderStore {
  async put(path: string, data: Blob): Promise<void> {
    const cache = await caches.open(FOLDER_CACHE);
    await cache.put(this.#url(path), new Response(data, { headers: { 'content-length': String(data.size) } }));
  }

  async match(path: string): Promise<Response | undefined> {
    const cache = await caches.open(FOLDER_CACHE);
    return cache.match(this.#url(path));
  }

  // The Cache API wants absolute http(s) URLs as keys.
  #url(path: string): string {
    return new URL(path, self.location.origin).href;
  }
}

export function createBrowserEmbeddingRuntime(): EmbeddingRuntime {
  // Absolute URLs: the worker's own URL is not where Vite put the assets when the app lives in a sub-path.
  const wasmPaths = { wasm: new URL(ortWasm, self.location.href).href, mjs: new URL(ortMjs, self.location.href).href };
  return new EmbeddingRuntime({ device: 'wasm', folderPrefix: MODEL_FOLDER_PREFIX, folderStore: new CacheFolderStore(), wasmPaths });
}
