// Exact token counts for a loaded web-llm model: its tokenizer.json, as web-llm cached it, read with @huggingface/tokenizers.
//
// GGUF models are counted from their own vocabulary instead (engines/wllama/gguf-token-counter.ts):
// wllama exposes no tokenize().
// web-llm downloads tokenizer.json into the Cache API ("webllm/model", keyed by the file's URL)
// when it loads a model, so the page can read the very same file without touching the network.

import { Tokenizer } from '@huggingface/tokenizers';
import type { LoadedModel, ModelSource } from '../../core/engine';

export type CountTokens = (text: string) => number;

/** The part of the Cache API this module reads (tests pass a fake). */
export interface CacheStorageLike {
  open(name: string): Promise<{ keys(): Promise<readonly Request[]>; match(request: Request | string): Promise<Response | undefined> }>;
}

/** web-llm's cache for model files (tvmjs ArtifactCache scope, cacheBackend 'cache'). */
export const WEBLLM_MODEL_CACHE = 'webllm/model';
/** Texts counted recently; a prompt build counts the same card and history texts again and again. */
const MEMO_LIMIT = 4000;

/** web-llm's rule (cleanModelUrl): model files live under `<model>/resolve/main/` unless the URL says otherwise. */
export function webLlmFileUrl(model: string, file: string): string {
  let base = model.endsWith('/') ? model : `${model}/`;
  if (!/.+\/resolve\/.+\//.test(base)) base += 'resolve/main/';
  return new URL(file, base).href;
}

/** A counter over one tokenizer: content tokens without BOS/EOS (the chat template's tokens are counted apart). */
export function tokenCounter(tokenizerJson: object, tokenizerConfig: object = {}): CountTokens {
  const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  const memo = new Map<string, number>();
  return (text: string): number => {
    if (!text) return 0;
    let count = memo.get(text);
    if (count === undefined) {
      count = tokenizer.encode(text, { add_special_tokens: false }).ids.length;
      if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
      memo.set(text, count);
    }
    return count;
  };
}

/**
 * The tokenizer.json web-llm cached for a model: at the URL its record gives (custom models), or
 * else the cached tokenizer.json whose URL names the model id (prebuilt models live at
 * `…/<model_id>/resolve/main/`). Null when it is not there (another cache backend, evicted).
 */
export async function readCachedTokenizer(storage: CacheStorageLike, modelId: string, modelUrl?: string): Promise<object | null> {
  const cache = await storage.open(WEBLLM_MODEL_CACHE);
  let response: Response | undefined;
  if (modelUrl) response = await cache.match(webLlmFileUrl(modelUrl, 'tokenizer.json'));
  if (!response) {
    const needle = `/${modelId}/`;
    const key = (await cache.keys()).find((request) => request.url.endsWith('/tokenizer.json') && request.url.includes(needle));
    if (key) response = await cache.match(key);
  }
  if (!response) return null;
  const json: unknown = await response.json();
  return json && typeof json === 'object' ? json : null;
}

/**
 * A synchronous exact counter for the loaded model, or null where none can be had (a GGUF model,
 * no Cache API, the file missing or unreadable). Never throws: counting falls back to the estimate.
 */
export async function loadModelTokenizer(
  model: LoadedModel,
  source: ModelSource,
  storage: CacheStorageLike | undefined = (globalThis as { caches?: CacheStorageLike }).caches,
): Promise<CountTokens | null> {
  if (model.engine !== 'webllm' || source.kind !== 'webllm' || !storage) return null;
  try {
    const json = await readCachedTokenizer(storage, source.modelId, source.custom?.model);
    return json ? tokenCounter(json) : null;
  } catch {
    return null;
  }
}
