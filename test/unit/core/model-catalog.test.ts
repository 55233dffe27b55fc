import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import {
  approxDownloadMB,
  assessCatalog,
  assessModel,
  type CatalogModel,
  findCatalogModel,
  type GpuReport,
  memoryBudget,
  MODEL_CATALOG,
  offeredModels,
  recommendModel,
} from '../../../src/core/model-catalog';
import { GIB, SWIFTSHADER_REPORT } from '../helpers/gpu-reports';

const MIB = 1024 ** 2;

const noWebgpu: GpuReport = {
  webgpu: false,
  reason: 'navigator.gpu missing',
  shaderF16: false,
  maxBufferSize: 0,
  maxStorageBufferBindingSize: 0,
  vendor: '',
  architecture: '',
};

const swiftshader = SWIFTSHADER_REPORT;

const phone: GpuReport = {
  webgpu: true,
  shaderF16: true,
  maxBufferSize: 256 * MIB,
  maxStorageBufferBindingSize: 128 * MIB,
  vendor: 'qualcomm',
  architecture: 'adreno-7xx',
  deviceMemoryGB: 4,
  isMobile: true,
};

const desktop: GpuReport = {
  webgpu: true,
  shaderF16: true,
  maxBufferSize: 2 * GIB,
  maxStorageBufferBindingSize: 2 * GIB,
  maxStorageBuffersPerShaderStage: 10,
  maxComputeWorkgroupStorageSize: 32768,
  vendor: 'nvidia',
  architecture: 'ampere',
  deviceMemoryGB: 8,
  isMobile: false,
};

const desktopNoF16: GpuReport = { ...desktop, shaderF16: false, vendor: 'intel', architecture: 'gen-9' };

describe('MODEL_CATALOG', () => {
  const records = new Map(prebuiltAppConfig.model_list.map((r) => [r.model_id, r]));

  it('lists only web-llm 0.2.86 prebuilt models, with their figures', () => {
    for (const model of MODEL_CATALOG) {
      const record = records.get(model.id);
      expect(record, model.id).toBeDefined();
      expect(model.vramMB, model.id).toBe(record!.vram_required_MB);
      expect(model.lowResource, model.id).toBe(record!.low_resource_required ?? false);
      expect(model.contextWindow, model.id).toBe(record!.overrides?.context_window_size ?? 4096);
      expect(model.bufferSizeRequiredBytes, model.id).toBe(record!.buffer_size_required_bytes);
      if (record!.required_features?.includes('shader-f16')) expect(model.requiresF16, model.id).toBe(true);
      expect(model.requiresF16, model.id).toBe(model.quant === 'q4f16_1');
    }
  });

  it('has both quantisations of every model, and the models the app promises', () => {
    const ids = new Set(MODEL_CATALOG.map((m) => m.id));
    for (const model of MODEL_CATALOG) expect(ids.has(model.twinId), model.twinId).toBe(true);
    for (const base of ['Qwen2.5-1.5B-Instruct', 'Llama-3.2-1B-Instruct', 'Llama-3.2-3B-Instruct', 'SmolLM2-360M-Instruct', 'Qwen3-1.7B']) {
      expect(ids.has(`${base}-q4f16_1-MLC`), base).toBe(true);
      expect(ids.has(`${base}-q4f32_1-MLC`), base).toBe(true);
    }
    expect(new Set(ids).size).toBe(MODEL_CATALOG.length);
  });

  it('marks Qwen3 as a thinking model and Chinese only where the model speaks it', () => {
    expect(findCatalogModel('Qwen3-1.7B-q4f16_1-MLC')?.thinking).toBe(true);
    expect(findCatalogModel('Qwen2.5-1.5B-Instruct-q4f16_1-MLC')?.thinking).toBeUndefined();
    expect(findCatalogModel('Qwen2.5-1.5B-Instruct-q4f16_1-MLC')?.languages).toContain('zh');
    expect(findCatalogModel('Llama-3.2-1B-Instruct-q4f16_1-MLC')?.languages).toEqual(['en']);
  });

  it('estimates downloads from parameter count and quantisation', () => {
    const llama1b = findCatalogModel('Llama-3.2-1B-Instruct-q4f16_1-MLC')!;
    expect(llama1b.downloadMB).toBeGreaterThan(600);
    expect(llama1b.downloadMB).toBeLessThan(800);
    expect(approxDownloadMB(1000, 'q4f32_1')).toBeGreaterThan(approxDownloadMB(1000, 'q4f16_1'));
  });
});

describe('assessCatalog', () => {
  it('without WebGPU offers nothing and recommends nothing', () => {
    const assessed = assessCatalog(MODEL_CATALOG, noWebgpu);
    expect(assessed.every((a) => a.fit.status === 'no-webgpu')).toBe(true);
    expect(assessed[0]!.fit.reason).toContain('navigator.gpu missing');
    expect(offeredModels(assessed)).toEqual([]);
    expect(recommendModel(assessed)).toBeUndefined();
  });

  it('on a SwiftShader-like adapter (no shader-f16, 1 GiB buffers) offers only q4f32 builds', () => {
    const assessed = assessCatalog(MODEL_CATALOG, swiftshader);
    for (const { model, fit } of assessed) {
      if (model.quant === 'q4f16_1') expect(fit.status, model.id).toBe('needs-f16');
      else expect(fit.status, model.id).not.toBe('needs-f16');
    }
    const offered = offeredModels(assessed);
    expect(offered.length).toBeGreaterThan(0);
    expect(offered.every((a) => a.model.quant === 'q4f32_1')).toBe(true);
    // A software GPU is slow: the smallest model is the sensible default.
    expect(recommendModel(assessed)?.id).toBe('SmolLM2-360M-Instruct-q4f32_1-MLC');
    expect(recommendModel(assessed, 'zh')?.id).toBe('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
  });

  it('on a hardware GPU without shader-f16 recommends the f32 build of the usual default', () => {
    const assessed = assessCatalog(MODEL_CATALOG, desktopNoF16);
    expect(recommendModel(assessed)?.id).toBe('Qwen2.5-1.5B-Instruct-q4f32_1-MLC');
    expect(offeredModels(assessed).every((a) => a.model.quant === 'q4f32_1')).toBe(true);
  });

  it('treats a phone with 128 MiB storage bindings as low-memory', () => {
    const assessed = assessCatalog(MODEL_CATALOG, phone);
    const fit = (id: string) => assessed.find((a) => a.model.id === id)!.fit.status;
    expect(memoryBudget(phone).weak).toBe(true);
    expect(fit('SmolLM2-360M-Instruct-q4f16_1-MLC')).toBe('ok');
    expect(fit('Llama-3.2-1B-Instruct-q4f16_1-MLC')).toBe('tight');
    expect(fit('Llama-3.2-3B-Instruct-q4f32_1-MLC')).toBe('too-large');
    expect(fit('gemma-2-2b-it-q4f16_1-MLC')).toBe('too-large'); // not low_resource_required
    expect(recommendModel(assessed)?.id).toBe('SmolLM2-360M-Instruct-q4f16_1-MLC');
    // SmolLM2 speaks no Chinese: a tight model that does beats a comfortable one that does not.
    expect(recommendModel(assessed, 'zh')?.id).toBe('Qwen2.5-0.5B-Instruct-q4f16_1-MLC');
    expect(offeredModels(assessed, { includeTooLarge: false }).some((a) => a.fit.status === 'too-large')).toBe(false);
  });

  it('the same phone profile without a mobile flag is still weak because of its binding limit', () => {
    expect(memoryBudget({ ...phone, isMobile: false, deviceMemoryGB: undefined }).weak).toBe(true);
  });

  it('on a strong desktop with shader-f16 recommends an f16 model and hides redundant f32 builds', () => {
    const assessed = assessCatalog(MODEL_CATALOG, desktop);
    expect(assessed.every((a) => a.fit.status === 'ok')).toBe(true);
    const pick = recommendModel(assessed);
    expect(pick?.quant).toBe('q4f16_1');
    expect(pick?.id).toBe('Qwen2.5-1.5B-Instruct-q4f16_1-MLC');
    expect(offeredModels(assessed).every((a) => a.model.quant === 'q4f16_1')).toBe(true);
    expect(offeredModels(assessed, { bothVariants: true })).toHaveLength(MODEL_CATALOG.length);
  });

  it('keeps an f32 build in the list when it fits better than its f16 twin', () => {
    const f16 = MODEL_CATALOG.find((m) => m.id === 'Llama-3.2-1B-Instruct-q4f16_1-MLC')!;
    const f32 = MODEL_CATALOG.find((m) => m.id === 'Llama-3.2-1B-Instruct-q4f32_1-MLC')!;
    const offered = offeredModels([
      { model: f16, fit: { status: 'too-large', reason: '' } },
      { model: f32, fit: { status: 'ok', reason: '' } },
    ]);
    expect(offered.map((a) => a.model.id)).toEqual([f16.id, f32.id]);
  });

  it('rejects a model whose buffers exceed the binding limit', () => {
    const big: CatalogModel = { ...MODEL_CATALOG[1]!, id: 'Big-q4f32_1-MLC', bufferSizeRequiredBytes: 192 * MIB };
    const fit = assessModel(big, { ...desktop, maxStorageBufferBindingSize: 128 * MIB, isMobile: false });
    expect(fit.status).toBe('too-large');
    expect(fit.reason).toContain('192 MiB');
    expect(assessModel(big, desktop).status).toBe('ok');
  });

  it('refuses adapters below the limits web-llm insists on', () => {
    const tiny = { ...desktop, maxStorageBuffersPerShaderStage: 8 };
    expect(assessModel(MODEL_CATALOG[0]!, tiny).status).toBe('no-webgpu');
  });

  it('scales with reported memory: a 2 GB machine gets small models only', () => {
    const small = { ...desktop, deviceMemoryGB: 2 };
    const assessed = assessCatalog(MODEL_CATALOG, small);
    expect(recommendModel(assessed)?.id).toBe('SmolLM2-360M-Instruct-q4f16_1-MLC');
    expect(assessed.find((a) => a.model.id === 'Qwen2.5-3B-Instruct-q4f16_1-MLC')!.fit.status).toBe('too-large');
  });
});
