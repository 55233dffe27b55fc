// The loaded web-llm model's conversation template, for Continue: read from the mlc-chat-config.json
// web-llm cached when it loaded the model (Cache API "webllm/config", keyed by the file's URL), so
// the page renders the chat exactly as the worker does, without touching the network.
//
// Templates that put token ids before the prompt (system_prefix_token_ids: Llama 3's
// <|begin_of_text|>, Gemma's <bos>) need those tokens' text too: web-llm prefills the ids itself
// in a chat, but not in a raw completion, where only text goes in. The text comes from the
// cached tokenizer.json's added tokens: web-llm's tokenizer (tokenizers-cpp) encodes without adding
// special tokens of its own, but turns a special token written in the text back into its id.

import { convTemplateOf, type ConvTemplate } from '../../core/conv-template';
import { WEBLLM_MODEL_CACHE, webLlmFileUrl, type CacheStorageLike } from './model-tokenizer';

/** web-llm's cache for mlc-chat-config.json (tvmjs ArtifactCache scope, cacheBackend 'cache'). */
export const WEBLLM_CONFIG_CACHE = 'webllm/config';

export interface ModelTemplate {
  template: ConvTemplate;
  /** The text of the template's prefix token ids ('' when it has none). */
  prefix: string;
}

/** The part of web-llm's ModelRecord read here. */
export interface TemplateRecord {
  model: string;
  overrides?: object;
  model_manifest?: string;
}

async function cachedJson(storage: CacheStorageLike, cacheName: string, url: string): Promise<unknown> {
  const response = await (await storage.open(cacheName)).match(url);
  return response ? response.json() : null;
}

/** The text of each token id, from tokenizer.json's added tokens; null when one is missing. */
function tokenTexts(tokenizerJson: unknown, ids: readonly number[]): string | null {
  const added = (tokenizerJson as { added_tokens?: unknown } | null)?.added_tokens;
  if (!Array.isArray(added)) return null;
  let text = '';
  for (const id of ids) {
    const token = added.find((t: { id?: unknown }) => t?.id === id) as { content?: unknown } | undefined;
    if (typeof token?.content !== 'string') return null;
    text += token.content;
  }
  return text;
}

/**
 * The template the worker renders the model's chats with, or null where it cannot be had: files not
 * in the Cache API (another backend, evicted), a config this app cannot render, a prefix token that
 * is not a special token, or a model packaged with a manifest (web-llm then reads its config from
 * elsewhere and adds the prefix ids to raw completions too). Never throws: Continue is then not offered.
 */
export async function readModelTemplate(storage: CacheStorageLike | undefined, record: TemplateRecord): Promise<ModelTemplate | null> {
  if (!storage || record.model_manifest !== undefined) return null;
  try {
    const config = await cachedJson(storage, WEBLLM_CONFIG_CACHE, webLlmFileUrl(record.model, 'mlc-chat-config.json'));
    const template = convTemplateOf(config, { ...record.overrides });
    if (!template) return null;
    const ids = template.system_prefix_token_ids ?? [];
    if (ids.length === 0) return { template, prefix: '' };
    const tokenizer = await cachedJson(storage, WEBLLM_MODEL_CACHE, webLlmFileUrl(record.model, 'tokenizer.json'));
    const prefix = tokenTexts(tokenizer, ids);
    return prefix === null ? null : { template, prefix };
  } catch {
    return null;
  }
}
