import { describe, expect, it } from 'vitest';
import { loadModelTokenizer, readCachedTokenizer, tokenCounter, webLlmFileUrl, type CacheStorageLike } from '../../../../src/engines/webllm/model-tokenizer';

// A small real BPE tokenizer.json: merges make "lower" two tokens ("low", "er") and "newest" two ("new", "est").
const letters = [...'abcdefghijklmnopqrstuvwxyz'];
const merges = ['l o', 'lo w', 'e r', 'n e', 'ne w', 'e s', 'es t'];
const vocab: Record<string, number> = { '[UNK]': 0 };
for (const token of [...letters, 'lo', 'low', 'er', 'ne', 'new', 'es', 'est', '!']) vocab[token] = Object.keys(vocab).length;
const bpe = {
  version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null,
  pre_tokenizer: { type: 'Whitespace' }, post_processor: null, decoder: null,
  model: { type: 'BPE', dropout: null, unk_token: '[UNK]', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, vocab, merges },
};

const MODEL = 'Qwen2.5-1.5B-Instruct-q4f16_1-MLC';
const MODEL_URL = `https://huggingface.co/mlc-ai/${MODEL}`;

/** A Cache API holding the given files, as web-llm leaves it after loading a model. */
function cacheWith(files: Record<string, object>): CacheStorageLike & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    async open(name: string) {
      opened.push(name);
      const entries = name === 'webllm/model' ? Object.entries(files) : [];
      return {
        async keys() {
          return entries.map(([url]) => new Request(url));
        },
        async match(request: Request | string) {
          const url = typeof request === 'string' ? request : request.url;
          const hit = entries.find(([key]) => key === url);
          return hit ? new Response(JSON.stringify(hit[1])) : undefined;
        },
      };
    },
  };
}

describe('model tokenizer (web-llm)', () => {
  it('counts tokens exactly as the model\'s tokenizer splits them, without special tokens', () => {
    const count = tokenCounter(bpe);
    expect(count('low')).toBe(1);
    expect(count('lower newest')).toBe(4);
    expect(count('lower newest!')).toBe(5);
    expect(count('')).toBe(0);
    expect(count('lower newest')).toBe(4); // memoised: same answer the second time
  });

  it('finds tokenizer.json where web-llm cached it, for prebuilt and custom models', async () => {
    const tokenizerUrl = webLlmFileUrl(MODEL_URL, 'tokenizer.json');
    expect(tokenizerUrl).toBe(`${MODEL_URL}/resolve/main/tokenizer.json`);
    const storage = cacheWith({
      [`${MODEL_URL}/resolve/main/params_shard_0.bin`]: {},
      [tokenizerUrl]: bpe,
      ['https://huggingface.co/mlc-ai/Other-Model-MLC/resolve/main/tokenizer.json']: { not: 'this one' },
    });
    expect(await readCachedTokenizer(storage, MODEL)).toEqual(bpe);
    expect(storage.opened).toContain('webllm/model');

    const custom = cacheWith({ ['https://example.org/my-model/resolve/main/tokenizer.json']: bpe });
    const count = await loadModelTokenizer(
      { id: 'mine', label: 'Mine', engine: 'webllm', contextWindow: 4096 },
      { kind: 'webllm', modelId: 'mine', custom: { model: 'https://example.org/my-model', modelLib: 'https://example.org/lib.wasm' } },
      custom,
    );
    expect(count?.('lower newest')).toBe(4);
  });

  it('gives no counter (the estimate is used) for GGUF models, a missing file or no Cache API', async () => {
    const model = { id: MODEL, label: 'Qwen', engine: 'webllm' as const, contextWindow: 4096 };
    expect(await loadModelTokenizer(model, { kind: 'webllm', modelId: MODEL }, cacheWith({}))).toBeNull();
    expect(await loadModelTokenizer(model, { kind: 'webllm', modelId: MODEL }, undefined)).toBeNull();
    const gguf = { id: 'gguf:x', label: 'x', engine: 'wllama' as const, contextWindow: 2048 };
    expect(await loadModelTokenizer(gguf, { kind: 'gguf-url', url: 'https://example.org/x.gguf' }, cacheWith({}))).toBeNull();
    const broken = cacheWith({ [`${MODEL_URL}/resolve/main/tokenizer.json`]: { model: { type: 'Nonsense' } } });
    expect(await loadModelTokenizer(model, { kind: 'webllm', modelId: MODEL }, broken)).toBeNull();
  });
});
