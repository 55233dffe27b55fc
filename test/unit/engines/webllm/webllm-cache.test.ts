import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../src/core/errors';
import { planMlcFolder } from '../../../../src/core/model-storage';
import { WebLlmCache, type CacheLike, type CacheStorageLike } from '../../../../src/engines/webllm/webllm-cache';

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
const LIBS = 'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base';
const bytes = (n: number, fill = 0) => new Blob([new Uint8Array(n).fill(fill)]);

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

  it('deletes a prebuilt model’s library with it, unless another stored model uses the same library', async () => {
    const caches = new FakeCaches();
    const libraries = new Map([
      ['Qwen-1k-MLC', `${LIBS}/Qwen-ctx4k_cs1k-webgpu.wasm`],
      ['Qwen-4k-MLC', `${LIBS}/Qwen-ctx4k_cs1k-webgpu.wasm`],
      ['Llama-MLC', `${LIBS}/Llama-ctx4k_cs1k-webgpu.wasm`],
      ['Phi-MLC', `${LIBS}/Phi-ctx4k_cs1k-webgpu.wasm`],
    ]);
    for (const id of ['Qwen-1k-MLC', 'Qwen-4k-MLC', 'Llama-MLC']) await seed(caches, 'webllm/model', `${HF}/${id}/resolve/main/params_shard_0.bin`, 100);
    for (const lib of new Set(libraries.values())) await seed(caches, 'webllm/wasm', lib, 10);
    // A model the person added by URL, running on the Phi library with weights of its own.
    const mine = { id: 'mine', modelUrl: 'https://example.org/mine', modelLibUrl: `${LIBS}/Phi-ctx4k_cs1k-webgpu.wasm` };
    await seed(caches, 'webllm/model', 'https://example.org/mine/resolve/main/params_shard_0.bin', 100);
    const cache = new WebLlmCache(() => caches, undefined, async () => libraries);
    const libs = () => [...caches.stores.get('webllm/wasm')!.keys()].map((u) => u.slice(LIBS.length + 1)).sort();

    await cache.remove({ id: 'Llama-MLC' }, [mine]);
    expect(libs()).toEqual(['Phi-ctx4k_cs1k-webgpu.wasm', 'Qwen-ctx4k_cs1k-webgpu.wasm']);
    await cache.remove({ id: 'Qwen-1k-MLC' }, [mine]);
    expect(libs()).toEqual(['Phi-ctx4k_cs1k-webgpu.wasm', 'Qwen-ctx4k_cs1k-webgpu.wasm']); // Qwen-4k still needs it
    await cache.remove({ id: 'Phi-MLC' }, [mine]); // never downloaded, but its library is in use by `mine`
    expect(libs()).toEqual(['Phi-ctx4k_cs1k-webgpu.wasm', 'Qwen-ctx4k_cs1k-webgpu.wasm']);
    await cache.remove({ id: 'Qwen-4k-MLC' }, [mine]);
    expect(libs()).toEqual(['Phi-ctx4k_cs1k-webgpu.wasm']);
    await cache.remove(mine);
    expect(caches.urls()).toEqual([]);
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

  const picked = (fill: number) => new Map(folder.map((f) => [f.path, bytes(f.size, fill)]));
  const contents = async (caches: FakeCaches) => {
    const out: Record<string, number> = {};
    for (const store of caches.stores.values()) {
      for (const [url, blob] of store) out[url.replace('http://localhost:4173/local-models/Tiny/', '')] = new Uint8Array(await blob.arrayBuffer())[0]!;
    }
    return out;
  };

  it('keeps the copy stored earlier, whole, when storing the same folder again fails partway', async () => {
    const caches = new FakeCaches(6000); // room for one copy, not two
    const cache = new WebLlmCache(() => caches);
    const planned = planMlcFolder(folder, 'http://localhost:4173');
    if (!planned.ok) throw new Error(planned.problem);
    await cache.storeFolder(planned.plan, picked(1));
    const before = await contents(caches);
    expect(Object.values(before)).toEqual([1, 1, 1, 1, 1]);

    const error = await cache.storeFolder(planned.plan, picked(2)).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('model-quota');
    expect(await contents(caches)).toEqual(before);
    expect((await cache.resolveLocal(planned.plan.custom)).modelLib).toMatch(/^blob:/);
  });

  it('replaces an earlier copy only once the new one is complete and registered', async () => {
    const caches = new FakeCaches();
    const cache = new WebLlmCache(() => caches);
    const planned = planMlcFolder(folder, 'http://localhost:4173');
    if (!planned.ok) throw new Error(planned.problem);
    await cache.storeFolder(planned.plan, picked(1));
    const before = await contents(caches);

    // Registering the new copy fails: its files go, the earlier copy stays.
    const failed = await cache.storeFolder(planned.plan, picked(2), undefined, async () => {
      throw new Error('database closed');
    }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(AppError);
    expect(await contents(caches)).toEqual(before);

    const registered: { model: string; modelLib: string }[] = [];
    const custom = await cache.storeFolder(planned.plan, picked(3), undefined, async (c) => void registered.push(c));
    expect(registered).toEqual([custom]);
    expect(custom.model).toMatch(/^http:\/\/localhost:4173\/local-models\/Tiny\/copy-/);
    const after = await contents(caches);
    expect(Object.keys(after).every((url) => url.startsWith(custom.model.slice('http://localhost:4173/local-models/Tiny/'.length)))).toBe(true);
    expect(Object.values(after)).toEqual([3, 3, 3, 3, 3]);
    expect((await cache.sizes([{ id: planned.plan.modelId, modelUrl: custom.model, modelLibUrl: custom.modelLib }])).get('local-Tiny')).toBe(4130);
    expect((await cache.resolveLocal(custom)).modelLib).toMatch(/^blob:/);
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
