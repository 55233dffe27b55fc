import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import type { GpuReport } from '../../../src/core/model-catalog';
import { ModelLock, type LockManagerLike } from '../../../src/engines/model-lock';
import { ModelLoader } from '../../../src/state/model-loader.svelte';
import { ScriptedEngine } from '../helpers/scripted-engine';

/** Web Locks as the browser shares them between tabs: one holder per name, `ifAvailable` never waits. */
class FakeLocks implements LockManagerLike {
  held = new Set<string>();
  async request(name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => unknown): Promise<unknown> {
    if (this.held.has(name)) {
      expect(options.ifAvailable).toBe(true);
      return callback(null);
    }
    this.held.add(name);
    try {
      return await callback({ name });
    } finally {
      this.held.delete(name);
    }
  }
}

const gpu: GpuReport = { webgpu: false, shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0, vendor: '', architecture: '' };

class BrokenEngine extends ScriptedEngine {
  override async load(): Promise<never> {
    throw new AppError('model-load-failed', 'broken file');
  }
}

function tab(locks: FakeLocks, engine: ScriptedEngine = new ScriptedEngine()) {
  const loader = new ModelLoader({ createEngine: async () => engine, probeGpu: async () => gpu, lock: new ModelLock(locks) });
  return { loader, engine };
}

const source = { kind: 'gguf-file' as const, file: new Blob(['GGUF']), name: 'tiny.gguf' };

describe('one model per browser (Web Locks)', () => {
  it('tells a second tab the model is busy, and lets it load once the first unloads', async () => {
    const locks = new FakeLocks();
    const first = tab(locks);
    const second = tab(locks);
    expect(await first.loader.load(source)).not.toBeNull();
    expect(locks.held.has('hearth-model')).toBe(true);

    expect(await second.loader.load(source)).toBeNull();
    expect(second.loader.status).toBe('error');
    expect(second.loader.error?.code).toBe('model-busy');
    expect(second.engine.loads).toBe(0); // nothing was loaded into memory

    // Loading another model in the same tab keeps (does not re-request) the lock.
    expect(await first.loader.load(source)).not.toBeNull();

    await first.loader.unload();
    await Promise.resolve();
    expect(locks.held.has('hearth-model')).toBe(false);
    expect(await second.loader.load(source)).not.toBeNull();
    expect(second.loader.status).toBe('ready');
  });

  it('lets go of the lock when a load fails, so another tab can try', async () => {
    const locks = new FakeLocks();
    const first = tab(locks, new BrokenEngine());
    expect(await first.loader.load(source)).toBeNull();
    await Promise.resolve();
    expect(locks.held.has('hearth-model')).toBe(false);
  });

  it('loads anyway where the browser has no Web Locks', async () => {
    const lock = new ModelLock(undefined);
    expect(await lock.acquire()).toBe(true);
  });
});
