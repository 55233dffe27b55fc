import { describe, expect, it, vi } from 'vitest';
import type { ChatEngine, LoadedModel, LoadProgress, ModelSource } from '../../../src/core/engine';
import { AppError } from '../../../src/core/errors';
import type { GpuReport } from '../../../src/core/model-catalog';
import { ModelLoader } from '../../../src/state/model-loader.svelte';
import { CALIBRATION_SAMPLE, estimateTokens } from '../../../src/core/tokens';
import { ScriptedEngine } from '../helpers/scripted-engine';

const swiftShader: GpuReport = {
  webgpu: true, shaderF16: false, maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30,
  vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true, deviceMemoryGB: 16,
};

/** An engine whose load waits until the test lets it finish (or the signal aborts it). */
class SlowEngine extends ScriptedEngine {
  release!: () => void;
  override load(source: ModelSource, onProgress: (p: LoadProgress) => void, signal?: AbortSignal): Promise<LoadedModel> {
    onProgress({ fraction: 0.25, phase: 'download', text: 'Fetching param cache[1/4]' });
    return new Promise((resolve, reject) => {
      signal?.addEventListener('abort', () => reject(new AppError('aborted', 'Cancelled')));
      this.release = () => resolve({ id: 'slow', label: 'Slow', engine: 'wllama', contextWindow: 1024 });
    });
  }
}

function loader(engine: ChatEngine, remembered: string[] = []) {
  return new ModelLoader({
    createEngine: async () => engine,
    probeGpu: async () => swiftShader,
    onLoaded: (model) => void remembered.push(model.id),
    language: () => 'zh',
  });
}

describe('ModelLoader', () => {
  it('offers only q4f32 models on a GPU without shader-f16 and recommends one that speaks the language', async () => {
    const models = loader(new ScriptedEngine());
    await models.probe();
    expect(models.offered.length).toBeGreaterThan(4);
    expect(models.offered.every(({ model }) => model.quant === 'q4f32_1')).toBe(true);
    expect(models.recommended?.languages).toContain('zh');
  });

  it('shows progress while loading and is ready afterwards', async () => {
    const engine = new SlowEngine();
    const remembered: string[] = [];
    const models = loader(engine, remembered);
    const loading = models.load({ kind: 'gguf-url', url: 'https://example.invalid/m.gguf' });
    await expect.poll(() => models.progress?.fraction).toBe(0.25);
    expect(models.status).toBe('loading');
    expect(models.engine).toBeNull();
    engine.release();
    await loading;
    expect(models.status).toBe('ready');
    expect(models.engine).toBe(engine);
    expect(remembered).toEqual(['slow']);
  });

  it('cancelling returns to idle without an error', async () => {
    const engine = new SlowEngine();
    const models = loader(engine);
    const loading = models.load({ kind: 'gguf-url', url: 'https://example.invalid/m.gguf' });
    await expect.poll(() => models.status).toBe('loading');
    models.cancel();
    expect(await loading).toBeNull();
    expect(models.status).toBe('idle');
    expect(models.error).toBeNull();
  });

  it('keeps a failed load as an error the person can read and dismiss', async () => {
    const engine = new ScriptedEngine();
    engine.load = async () => { throw new AppError('not-gguf', 'Not a GGUF', { file: 'cat.png' }); };
    const models = loader(engine);
    await models.load({ kind: 'gguf-file', file: new Blob(['x']), name: 'cat.png' });
    expect(models.status).toBe('error');
    expect(models.error?.code).toBe('not-gguf');
    models.dismissError();
    expect(models.status).toBe('idle');
  });

  it('after a lost GPU, there is no engine until the model is loaded again', async () => {
    const engine = new ScriptedEngine();
    const models = loader(engine);
    await models.load({ kind: 'webllm', modelId: 'x' });
    models.markLost(new AppError('device-lost', 'lost'));
    expect(models.engine).toBeNull();
    expect(models.error?.code).toBe('device-lost');
    await models.load({ kind: 'webllm', modelId: 'x' });
    expect(models.engine).toBe(engine);
  });

  it('reads the model\'s own tokenizer before offering the model, so even the first prompt is counted with it', async () => {
    let readTokenizer!: (counter: { count: (text: string) => number; countPrompt: () => number }) => void;
    const models = new ModelLoader({
      createEngine: async () => new ScriptedEngine(),
      probeGpu: async () => swiftShader,
      loadTokenizer: () => new Promise((resolve) => { readTokenizer = resolve; }),
    });
    const loading = models.load({ kind: 'gguf-file', file: new Blob(['GGUF']), name: 'tiny.gguf' });
    await vi.waitFor(() => expect(readTokenizer).toBeDefined());
    expect(models.ready).toBeNull(); // not offered while its tokenizer is being read
    readTokenizer({ count: (text) => text.length, countPrompt: () => 77 });
    await loading;
    expect(models.ready?.countTokens?.('abc')).toBe(3);
    expect(models.ready?.countPrompt?.([])).toBe(77);
  });

  it('falls back to the estimate when the tokenizer cannot be read', async () => {
    const models = new ModelLoader({
      createEngine: async () => new ScriptedEngine(),
      probeGpu: async () => swiftShader,
      loadTokenizer: async () => { throw new Error('unreadable'); },
    });
    await models.load({ kind: 'gguf-file', file: new Blob(['GGUF']), name: 'tiny.gguf' });
    expect(models.status).toBe('ready');
    expect(models.ready?.countTokens).toBeUndefined();
    expect(models.ready?.countPrompt).toBeUndefined();
  });

  it('fits the token estimate to a server that counts tokens itself, before the first prompt', async () => {
    const counted: string[] = [];
    // A vocabulary that needs twice the tokens the estimate guesses.
    const engine = Object.assign(new ScriptedEngine(), {
      countTokens: async (text: string) => {
        counted.push(text);
        return estimateTokens(text) * 2;
      },
    });
    const models = loader(engine);
    await models.load({ kind: 'server', server: { baseUrl: 'http://localhost:8080', model: 'tiny' } });
    expect(counted).toEqual([CALIBRATION_SAMPLE]);
    expect(models.estimator.ratio).toBeGreaterThan(2);
    expect(models.estimator.estimate(CALIBRATION_SAMPLE)).toBeGreaterThanOrEqual(estimateTokens(CALIBRATION_SAMPLE) * 2);

    // A server without a tokenizer endpoint (null) leaves the estimate as it is.
    const plain = loader(Object.assign(new ScriptedEngine(), { countTokens: async () => null }));
    await plain.load({ kind: 'server', server: { baseUrl: 'http://localhost:8080', model: 'tiny' } });
    expect(plain.estimator.ratio).toBe(1);
  });
});
