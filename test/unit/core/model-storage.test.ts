import { describe, expect, it } from 'vitest';
import {
  checkCustomWebLlmModel,
  managerRows,
  modelIdFromUrl,
  modelQuotaError,
  planMlcFolder,
  spaceShortfall,
  storedGgufName,
} from '../../../src/core/model-storage';
import type { InstalledModel } from '../../../src/core/types';

const MB = 1024 * 1024;

function installed(over: Partial<InstalledModel>): InstalledModel {
  return { id: 'm', engine: 'wllama', label: 'M', sizeBytes: 0, contextWindow: 2048, source: 'file', addedAt: 1, lastUsedAt: 2, ...over };
}

describe('storedGgufName', () => {
  it('keeps ordinary names and strips what a file system refuses', () => {
    expect(storedGgufName('qwen2.5-0.5b-q4_k_m.gguf')).toBe('qwen2.5-0.5b-q4_k_m.gguf');
    expect(storedGgufName('../evil/name:1.gguf')).toBe('.._evil_name_1.gguf');
    expect(storedGgufName('model')).toBe('model.gguf');
    expect(storedGgufName('..')).toBe('model.gguf');
  });
});

describe('managerRows', () => {
  it('says where each model is kept, with its size, and lists files that have no record', () => {
    const rows = managerRows(
      [
        installed({ id: 'gguf:tiny.gguf', label: 'Tiny (tiny.gguf)', stored: 'opfs', lastUsedAt: 50 }),
        installed({ id: 'gguf:https://x.org/a.gguf', label: 'a.gguf', source: 'url', url: 'https://x.org/a.gguf' }),
        installed({ id: 'Qwen-q4f32_1-MLC', engine: 'webllm', label: 'Qwen', source: 'catalog' }),
        installed({ id: 'gguf:gone.gguf', label: 'gone.gguf' }),
      ],
      [{ name: 'tiny.gguf', size: 5 * MB }, { name: 'orphan.gguf', size: MB }],
      [{ url: 'https://x.org/a.gguf', size: 2 * MB }, { url: 'https://y.org/b%20c.gguf', size: 3 * MB }],
      new Map([['Qwen-q4f32_1-MLC', 900 * MB]]),
    );
    expect(rows.map((r) => [r.key, r.place, r.sizeBytes, r.lastUsedAt])).toEqual([
      ['gguf:tiny.gguf', 'opfs', 5 * MB, 50],
      ['gguf:https://x.org/a.gguf', 'wllama-cache', 2 * MB, 2],
      ['Qwen-q4f32_1-MLC', 'webllm-cache', 900 * MB, 2],
      ['gguf:gone.gguf', 'nowhere', 0, 2],
      ['opfs:orphan.gguf', 'opfs', MB, null],
      ['wllama:https://y.org/b%20c.gguf', 'wllama-cache', 3 * MB, null],
    ]);
    expect(rows[0]!.file).toBe('tiny.gguf');
    expect(rows.at(-1)!.label).toBe('b c.gguf');
  });
});

describe('space', () => {
  it('asks for the file plus a margin beyond what is free', () => {
    expect(spaceShortfall(100 * MB, { usage: 0, quota: 1000 * MB })).toBe(0);
    expect(spaceShortfall(100 * MB, { usage: 950 * MB, quota: 1000 * MB })).toBe(66 * MB);
    expect(spaceShortfall(100 * MB, null)).toBe(0); // unknown: try, and catch the real error
  });

  it('names the space needed and the space free', () => {
    const error = modelQuotaError('big.gguf', 1536 * MB, { usage: 900 * MB, quota: 1000 * MB });
    expect(error.code).toBe('model-quota');
    expect(error.details).toEqual({ file: 'big.gguf', needed: '1.5 GB', free: '100 MB' });
    // Size unknown: the general sentence about space, without made-up figures.
    expect(modelQuotaError('custom', 0, null).code).toBe('quota');
  });
});

describe('checkCustomWebLlmModel', () => {
  it('accepts absolute https URLs and names the model after its folder', () => {
    const check = checkCustomWebLlmModel(' https://huggingface.co/me/My-Model-q4f32_1-MLC/resolve/main/ ', 'https://cdn.example/libs/My-webgpu.wasm');
    expect(check).toEqual({
      ok: true,
      modelId: 'My-Model-q4f32_1-MLC',
      custom: { model: 'https://huggingface.co/me/My-Model-q4f32_1-MLC/resolve/main/', modelLib: 'https://cdn.example/libs/My-webgpu.wasm' },
    });
    expect(modelIdFromUrl('http://localhost:8000/models/Tiny-MLC')).toBe('Tiny-MLC');
  });

  it('says which field is wrong and why', () => {
    expect(checkCustomWebLlmModel('models/x', 'https://a/b.wasm')).toEqual({ ok: false, field: 'model', problem: 'not-absolute' });
    expect(checkCustomWebLlmModel('http://example.org/x', 'https://a/b.wasm')).toEqual({ ok: false, field: 'model', problem: 'not-https' });
    expect(checkCustomWebLlmModel('http://localhost:9/x', '/lib.wasm')).toEqual({ ok: false, field: 'lib', problem: 'not-absolute' });
    expect(checkCustomWebLlmModel('https://a/x', 'https://a/lib.js')).toEqual({ ok: false, field: 'lib', problem: 'not-wasm' });
    expect(checkCustomWebLlmModel('javascript://alert(1)', 'https://a/lib.wasm')).toEqual({ ok: false, field: 'model', problem: 'not-https' });
  });
});

describe('planMlcFolder', () => {
  const file = (name: string, size = 10) => ({ path: `My Model/${name}`, size });
  const complete = [file('mlc-chat-config.json'), file('ndarray-cache.json'), file('params_shard_0.bin', 1000), file('tokenizer.json'), file('lib-webgpu.wasm', 50), { path: 'My Model/sub/extra.bin', size: 9 }];

  it('maps every file to the URL and cache web-llm reads it from', () => {
    const planned = planMlcFolder(complete, 'https://hearth.app');
    expect(planned.ok).toBe(true);
    if (!planned.ok) return;
    const { plan } = planned;
    expect(plan.modelId).toBe('local-My-Model');
    expect(plan.custom).toEqual({ model: 'https://hearth.app/local-models/My-Model', modelLib: 'https://hearth.app/local-models/My-Model/lib-webgpu.wasm' });
    expect(plan.entries.map((e) => [e.scope, e.url.replace('https://hearth.app/local-models/My-Model/', '')])).toEqual([
      ['webllm/config', 'resolve/main/mlc-chat-config.json'],
      // older MLC folders: web-llm 0.2.86 asks for tensor-cache.json
      ['webllm/model', 'resolve/main/tensor-cache.json'],
      ['webllm/model', 'resolve/main/params_shard_0.bin'],
      ['webllm/model', 'resolve/main/tokenizer.json'],
      ['webllm/wasm', 'lib-webgpu.wasm'],
    ]);
    expect(plan.totalBytes).toBe(1080);
  });

  it('refuses a folder that is not a complete MLC model', () => {
    const without = (name: string) => complete.filter((f) => !f.path.endsWith(name));
    expect(planMlcFolder([], 'o')).toEqual({ ok: false, problem: 'empty' });
    expect(planMlcFolder(without('mlc-chat-config.json'), 'o')).toEqual({ ok: false, problem: 'no-config' });
    expect(planMlcFolder(without('ndarray-cache.json'), 'o')).toEqual({ ok: false, problem: 'no-tensor-cache' });
    expect(planMlcFolder(without('tokenizer.json'), 'o')).toEqual({ ok: false, problem: 'no-tokenizer' });
    expect(planMlcFolder(without('.wasm'), 'o')).toEqual({ ok: false, problem: 'no-wasm' });
    expect(planMlcFolder([...complete, file('other.wasm')], 'o')).toEqual({ ok: false, problem: 'many-wasm' });
  });
});
