import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import { planMlcFolder } from '../../../src/core/model-storage';
import { WebLlmCache, type CacheLike, type CacheStorageLike } from '../../../src/engines/webllm-cache';

/** CacheStorage in memory, keyed by URL as the browser's is; `limit` bytes make put() throw QuotaExceededError. */
class FakeCaches implements CacheStorageLike {
  stores = new Map<string, Map<string, Blob>>();
  constructor(private readonly limit = Infinity) {}
  used(): number {
    let total = 0;
    for (const store of this.stores.values()) for (const blob of store.values()) total += blob.size;
    return total;
  }
  async open(name: string): Promise<CacheLike> {
    let store = this.stores.get(name);
    if (!store) this.stores.set(name, (store = new Map()));
    const entries = store;
    const url = (r: RequestInfo) => (typeof r === 'string' ? r : r.url);
    return {
      keys: async () => [...entries.keys()].map((u) => new Request(u)),
      match: async (r) => {
        const blob = entries.get(url(r));
        return blob && new Response(blob, { headers: { 'content-length': String(blob.size) } });
      },
      put: async (r, response) => {
        const blob = await response.blob();
        if (this.used() + blob.size > this.limit) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        entries.set(url(r), blob);
      },
      delete: async (r) => entries.delete(url(r)),
    };
  }
  urls(): string[] {
    return [...this.stores.values()].flatMap((s) => [...s.keys()]).sort();
  }
}

const HF = 'https://huggingface.co/mlc-ai';
const bytes = (n: number) => new Blob([new Uint8Array(n)]);

async function seed(caches: FakeCaches, scope: string, url: string, size: number) {
  await (await caches.open(scope)).put(url, new Response(bytes(size)));
}

describe('WebLlmCache', () => {
  it('adds up each model’s cached files and deletes all of them, a partial download included', async () => {
    const caches = new FakeCaches();
    await seed(caches, 'webllm/config', `${HF}/Qwen-q4f32_1-MLC/resolve/main/mlc-chat-config.json`, 100);
    await seed(caches, 'webllm/model', `${HF}/Qwen-q4f32_1-MLC/resolve/main/params_shard_0.bin`, 5000);
    await seed(caches, 'webllm/model', `${HF}/Llama-q4f32_1-MLC/resolve/main/params_shard_0.bin`, 7000); // no tensor-cache.json yet
    const cache = new WebLlmCache(() => caches);
    const sizes = await cache.sizes([{ id: 'Qwen-q4f32_1-MLC' }, { id: 'Llama-q4f32_1-MLC' }, { id: 'Other' }]);
    expect(Object.fromEntries(sizes)).toEqual({ 'Qwen-q4f32_1-MLC': 5100, 'Llama-q4f32_1-MLC': 7000 });

    await cache.remove({ id: 'Llama-q4f32_1-MLC' });
    expect(caches.urls()).toEqual([`${HF}/Qwen-q4f32_1-MLC/resolve/main/mlc-chat-config.json`, `${HF}/Qwen-q4f32_1-MLC/resolve/main/params_shard_0.bin`]);
  });

  const folder = [
    { path: 'Tiny/mlc-chat-config.json', size: 10 },
    { path: 'Tiny/tensor-cache.json', size: 10 },
    { path: 'Tiny/params_shard_0.bin', size: 4000 },
    { path: 'Tiny/tokenizer.json', size: 10 },
    { path: 'Tiny/tiny-webgpu.wasm', size: 100 },
  ];
  const files = new Map(folder.map((f) => [f.path, bytes(f.size)]));

  it('puts a picked MLC folder under the URLs web-llm asks for, and serves its library as a blob: URL', async () => {
    const caches = new FakeCaches();
    const cache = new WebLlmCache(() => caches);
    const planned = planMlcFolder(folder, 'http://localhost:4173');
    if (!planned.ok) throw new Error(planned.problem);
    await cache.storeFolder(planned.plan, files);
    expect(caches.stores.get('webllm/wasm')!.has('http://localhost:4173/local-models/Tiny/tiny-webgpu.wasm')).toBe(true);
    expect(caches.stores.get('webllm/model')!.has('http://localhost:4173/local-models/Tiny/resolve/main/params_shard_0.bin')).toBe(true);
    const sizes = await cache.sizes([{ id: planned.plan.modelId, modelUrl: planned.plan.custom.model, modelLibUrl: planned.plan.custom.modelLib }]);
    expect(sizes.get('local-Tiny')).toBe(4130);
    const resolved = await cache.resolveLocal(planned.plan.custom);
    expect(resolved.model).toBe(planned.plan.custom.model);
    expect(resolved.modelLib).toMatch(/^blob:/);
  });

  it('keeps nothing of a folder that does not fit', async () => {
    const caches = new FakeCaches(1000);
    const cache = new WebLlmCache(() => caches);
    const planned = planMlcFolder(folder, 'http://localhost:4173');
    if (!planned.ok) throw new Error(planned.problem);
    const error = await cache.storeFolder(planned.plan, files).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('model-quota');
    expect((error as AppError).details.file).toBe('Tiny');
    expect(caches.urls()).toEqual([]);
  });
});
