// The real embedding runtime in-process for Node tests: the generated tiny model, a memory folder store, no network.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddingRuntime, type FolderStore } from '../../../src/engines/embedding/embedding-runtime';
import type { EmbeddingService } from '../../../src/engines/embedding/embedding-client';
import { makeTinyEmbedding, TINY_EMBEDDING_DIR, TINY_EMBEDDING_ROOT } from '../../fixtures/make-tiny-embedding';

export const FOLDER_PREFIX = '/__model-folders__/';
export const TINY_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];

export class MemoryFolderStore implements FolderStore {
  readonly files = new Map<string, Blob>();
  async put(url: string, data: Blob): Promise<void> {
    this.files.set(url, data);
  }
  async match(url: string): Promise<Response | undefined> {
    const data = this.files.get(url);
    return data ? new Response(data, { headers: { 'content-length': String(data.size) } }) : undefined;
  }
}

/** Every URL something tried to fetch; tests expect it to stay empty. */
export const networkRequests: string[] = [];
const noNetwork = (async (input: string | URL) => {
  networkRequests.push(String(input));
  throw new TypeError('fetch failed: network disabled in tests');
}) as typeof fetch;

export function ensureTinyEmbedding(): void {
  makeTinyEmbedding();
}

export function tinyRuntime(store: FolderStore = new MemoryFolderStore()): EmbeddingRuntime {
  return new EmbeddingRuntime({ device: 'cpu', folderPrefix: FOLDER_PREFIX, folderStore: store, localModelPath: `${TINY_EMBEDDING_ROOT}/`, fetch: noNetwork });
}

/** The tiny model's folder as a directory pick gives it: File objects named "<folder>/<path>". */
export function tinyFolderPick(folder = 'tiny-embedding'): File[] {
  return TINY_FILES.map((path) => new File([readFileSync(join(TINY_EMBEDDING_DIR, path))], `${folder}/${path}`));
}

/** EmbeddingService without a worker: the runtime called directly, counting the texts it embedded. */
export function inProcessService(runtime: EmbeddingRuntime = tinyRuntime()): EmbeddingService & { embedded: string[] } {
  const embedded: string[] = [];
  return {
    embedded,
    prepare: (source, onProgress, signal) => runtime.prepare(source, onProgress, signal),
    addFolder: (modelId, files) => runtime.addFolder(modelId, files),
    embedder: (model) => ({
      modelId: model.modelId,
      dim: model.dim,
      embed: async (texts) => {
        embedded.push(...texts);
        return runtime.embed(model.modelId, texts);
      },
    }),
  };
}
