import { describe, expect, it } from 'vitest';
import type { LoadedModel, LoadProgress, ModelSource } from '../../../src/core/engine';
import { AppError } from '../../../src/core/errors';
import { storedGgufName, type StoredFile } from '../../../src/core/model-storage';
import { appWithRepos } from '../helpers/test-app';
import type { ModelStore } from '../../../src/state/model-manager.svelte';
import { createRepositories } from '../../../src/storage';
import { openDatabase } from '../../../src/storage/db';
import { ScriptedEngine } from '../helpers/scripted-engine';

/** Records what it was asked to load, and names models as the real engines do. */
class RecordingEngine extends ScriptedEngine {
  sources: ModelSource[] = [];
  failNext: AppError | null = null;
  override async load(source: ModelSource, onProgress: (p: LoadProgress) => void): Promise<LoadedModel> {
    this.sources.push(source);
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = null;
      throw error;
    }
    await super.load(source, onProgress);
    const id = source.kind === 'webllm' ? source.modelId : source.kind === 'gguf-file' ? `gguf:${source.name}` : source.kind === 'gguf-url' ? `gguf:${source.url}` : source.server.model;
    return { id, label: id.replace(/^gguf:/, ''), engine: source.kind === 'webllm' ? 'webllm' : 'wllama', contextWindow: 2048, sizeBytes: source.kind === 'gguf-file' ? source.file.size : 0 };
  }
}

/** The device's storage in memory. */
function fakeStore(quota = 10 ** 9) {
  const files = new Map<string, Blob>();
  const webllm = new Map<string, number>();
  const persistCalls: boolean[] = [];
  const used = () => [...files.values()].reduce((s, b) => s + b.size, 0) + [...webllm.values()].reduce((s, n) => s + n, 0);
  const store: ModelStore = {
    files: {
      list: async () => [...files].map(([name, blob]): StoredFile => ({ name, size: blob.size })),
      open: async (name) => files.get(storedGgufName(name)) ?? null,
      save: async (blob, name) => {
        files.set(storedGgufName(name), blob);
        return { name: storedGgufName(name), size: blob.size };
      },
      remove: async (name) => void files.delete(storedGgufName(name)),
      cleanPartials: async () => 0,
    },
    webllm: {
      sizes: async (models) => new Map(models.filter((m) => webllm.has(m.id)).map((m) => [m.id, webllm.get(m.id)!])),
      remove: async (model) => void webllm.delete(model.id),
      storeFolder: async (plan, _files, _onProgress, commit) => commit(plan.custom),
      resolveLocal: async (custom) => custom,
    },
    wllama: { list: async () => [], remove: async () => {} },
    storage: {
      estimate: async () => ({ usage: used(), quota }),
      persisted: async () => persistCalls.includes(true),
      persist: async () => {
        persistCalls.push(false);
        return false;
      },
    },
  };
  return { store, files, webllm, persistCalls };
}

function makeApp(dbName: string, store: ModelStore, engine: RecordingEngine) {
  return appWithRepos({
    openRepositories: async () => createRepositories(await openDatabase(dbName)),
    loadBuiltinPacks: async () => [],
    engines: { createEngine: async () => engine, probeGpu: async () => ({ webgpu: true, shaderF16: true, maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30, vendor: '', architecture: '' }) },
    modelStore: store,
  });
}

const tinyFile = () => new File([new Uint8Array(4096).fill(1)], 'tiny.gguf');

describe('ModelManager', () => {
  it('keeps a picked GGUF, lists it, asks once for persistence, and loads it after a restart without the file', async () => {
    const db = `manager-${crypto.randomUUID()}`;
    const device = fakeStore();
    const engine = new RecordingEngine();
    const app = makeApp(db, device.store, engine);
    await app.start();
    await app.manager.loadPicked(tinyFile());

    expect([...device.files.keys()]).toEqual(['tiny.gguf']);
    expect(app.manager.notice).toEqual({ key: 'kept', name: 'tiny.gguf' });
    const [row] = app.manager.rows;
    expect(row).toMatchObject({ key: 'gguf:tiny.gguf', place: 'opfs', sizeBytes: 4096, engine: 'wllama' });
    expect(row!.lastUsedAt).toBeGreaterThan(0);
    expect((await app.repos.models.get('gguf:tiny.gguf'))?.stored).toBe('opfs');
    expect(device.persistCalls).toHaveLength(1);
    expect(app.manager.persist).toBe('denied');
    expect(app.manager.estimate?.usage).toBe(4096);
    expect(app.lastModel?.id).toBe('gguf:tiny.gguf'); // offered again on the chat page

    // A second model kept does not ask again; the button does.
    await app.manager.loadPicked(new File([new Uint8Array(10)], 'other.gguf'));
    expect(device.persistCalls).toHaveLength(1);
    await app.manager.requestPersist();
    expect(device.persistCalls).toHaveLength(2);

    // After a restart the last model comes from storage: no file to pick.
    const restarted = makeApp(db, device.store, engine);
    await restarted.start();
    expect(restarted.lastModel?.id).toBe('gguf:other.gguf');
    engine.sources = [];
    await restarted.reloadLastModel();
    expect(restarted.models.loaded?.id).toBe('gguf:other.gguf');
    await restarted.manager.refresh();
    engine.sources = [];
    await restarted.manager.load(restarted.manager.rows.find((r) => r.key === 'gguf:tiny.gguf')!);
    expect(restarted.models.loaded?.id).toBe('gguf:tiny.gguf');
    expect(engine.sources).toHaveLength(1);
    const source = engine.sources[0]!;
    expect(source.kind === 'gguf-file' && source.file.size).toBe(4096);
  });

  it('deletes a model: unloads it first, removes the file and the record, and the space is freed', async () => {
    const device = fakeStore();
    const app = makeApp(`manager-${crypto.randomUUID()}`, device.store, new RecordingEngine());
    await app.start();
    await app.manager.loadPicked(tinyFile());
    expect(app.models.status).toBe('ready');
    await app.manager.remove(app.manager.rows[0]!);
    expect(app.models.status).toBe('idle');
    expect(device.files.size).toBe(0);
    expect(await app.repos.models.list()).toEqual([]);
    expect(app.manager.rows).toEqual([]);
    expect(app.manager.estimate?.usage).toBe(0);
  });

  it('a deleted model is no longer offered as "load again" on the chat page', async () => {
    const device = fakeStore();
    const app = makeApp(`manager-${crypto.randomUUID()}`, device.store, new RecordingEngine());
    await app.start();
    await app.manager.loadPicked(tinyFile());
    await app.manager.loadPicked(new File([new Uint8Array(10)], 'other.gguf'));
    expect(app.lastModel?.id).toBe('gguf:other.gguf');
    await app.manager.remove(app.manager.rows.find((r) => r.key === 'gguf:other.gguf')!);
    expect(app.lastModel?.id).toBe('gguf:tiny.gguf'); // the model still kept, as after a restart
    await app.manager.remove(app.manager.rows[0]!);
    expect(app.lastModel).toBeNull();
  });

  it('refuses a catalog download that cannot fit, naming the space, before downloading anything', async () => {
    const device = fakeStore(500 * 1024 * 1024);
    const engine = new RecordingEngine();
    const app = makeApp(`manager-${crypto.randomUUID()}`, device.store, engine);
    await app.start();
    await app.manager.loadCatalog('Qwen-q4f32_1-MLC', 900 * 1024 * 1024);
    expect(engine.sources).toEqual([]);
    expect(app.manager.error?.code).toBe('model-quota');
    expect(app.locale.describe(app.manager.error)).toBe(
      'There is not enough storage space for “Qwen-q4f32_1-MLC”: it needs 900 MB and 500 MB is free. Nothing was kept. Delete models you no longer use under “Kept on this device” on the Models page, or free disk space, then try again.',
    );
  });

  it('a download that fills the disk midway leaves nothing behind and says what it needed', async () => {
    const device = fakeStore();
    const engine = new RecordingEngine();
    const app = makeApp(`manager-${crypto.randomUUID()}`, device.store, engine);
    await app.start();
    device.webllm.set('Qwen-q4f32_1-MLC', 300); // what was written before the disk filled
    engine.failNext = new AppError('quota', 'QuotaExceededError');
    await app.manager.loadCatalog('Qwen-q4f32_1-MLC', 900 * 1024 * 1024);
    expect(device.webllm.size).toBe(0);
    expect(app.models.error?.code).toBe('model-quota');
    expect(app.models.error?.details.needed).toBe('900 MB');
  });

  it('registers a custom web-llm model and hands its URLs to the engine', async () => {
    const engine = new RecordingEngine();
    const app = makeApp(`manager-${crypto.randomUUID()}`, fakeStore().store, engine);
    await app.start();
    expect(await app.manager.addCustom('models/x', 'https://a.org/x.wasm')).toEqual({ field: 'model', problem: 'not-absolute' });
    expect(engine.sources).toEqual([]);
    expect(await app.manager.addCustom('https://hf.co/me/My-MLC', 'https://hf.co/me/My-webgpu.wasm')).toBeNull();
    expect(engine.sources).toEqual([{ kind: 'webllm', modelId: 'My-MLC', custom: { model: 'https://hf.co/me/My-MLC', modelLib: 'https://hf.co/me/My-webgpu.wasm' } }]);
    const record = await app.repos.models.get('My-MLC');
    expect(record).toMatchObject({ engine: 'webllm', source: 'url', modelUrl: 'https://hf.co/me/My-MLC', modelLibUrl: 'https://hf.co/me/My-webgpu.wasm' });
    // Loading it again from the list sends the same URLs.
    engine.sources = [];
    await app.manager.loadInstalled(record!);
    expect(engine.sources[0]).toMatchObject({ kind: 'webllm', custom: { model: 'https://hf.co/me/My-MLC' } });
  });
});
