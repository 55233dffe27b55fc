// The curated list of web-llm chat models for role-play, and which of them fit a given GPU.
//
// Figures come from @mlc-ai/web-llm 0.2.86 `prebuiltAppConfig` (vram_required_MB,
// low_resource_required, overrides.context_window_size, buffer_size_required_bytes);
// test/unit/core/model-catalog.test.ts checks them against the installed package so an
// upgrade cannot drift silently. Pure data and pure functions: no web-llm import here.

import type { Lang } from './types';

export type ModelQuant = 'q4f16_1' | 'q4f32_1';

export interface CatalogModel {
  /** web-llm model_id, e.g. 'Qwen2.5-1.5B-Instruct-q4f16_1-MLC'. */
  id: string;
  /** The same model in its other quantisation (f16 <-> f32 shaders). */
  twinId: string;
  family: string;
  /** Human name without the quantisation, e.g. 'Qwen2.5 1.5B Instruct'. */
  label: string;
  /** Size as people say it: '1.5B'. */
  params: string;
  quant: ModelQuant;
  /** web-llm's own estimate of GPU memory with the default context window. */
  vramMB: number;
  /** Approximate first download (weights + tokenizer + model library); see approxDownloadMB. */
  downloadMB: number;
  contextWindow: number;
  /**
   * Needs the WebGPU `shader-f16` feature. True for every q4f16_1 model, even where web-llm's
   * record does not declare it (Qwen, Llama 3.2): without the feature those fail after the
   * download with "extension 'f16' is not allowed".
   */
  requiresF16: boolean;
  /** web-llm's low_resource_required: meant to run on phones and small GPUs. */
  lowResource: boolean;
  /** Largest single GPU buffer the model binds; above maxStorageBufferBindingSize it cannot load. */
  bufferSizeRequiredBytes?: number;
  languages: Lang[];
  /** One line for the model picker. */
  blurb: string;
  /** Hybrid thinking model (Qwen3): the engine turns thinking off for role-play replies. */
  thinking?: boolean;
}

export interface GpuReport {
  webgpu: boolean;
  /** Why WebGPU is not usable ('navigator.gpu missing', 'no adapter', ...). */
  reason?: string;
  shaderF16: boolean;
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  vendor: string;
  architecture: string;
  /** navigator.deviceMemory where the browser exposes it (Chromium only; rounded and capped: 8 in older versions, 16 seen in Chromium 156). */
  deviceMemoryGB?: number;
  isMobile?: boolean;
  /** A software adapter (SwiftShader, llvmpipe, WARP): works, but far too slow for big models. */
  isFallbackAdapter?: boolean;
  description?: string;
  maxStorageBuffersPerShaderStage?: number;
  maxComputeWorkgroupStorageSize?: number;
}

export type FitStatus = 'ok' | 'tight' | 'too-large' | 'needs-f16' | 'no-webgpu';
export type ModelFit = { status: FitStatus; reason: string };
export interface AssessedModel {
  model: CatalogModel;
  fit: ModelFit;
}

const MIB = 1024 * 1024;

/** Limits below which web-llm's runtime refuses to start (lib/index.js detectGPUDevice). */
export const WEBLLM_MIN_LIMITS = {
  maxBufferSize: 256 * MIB,
  maxStorageBufferBindingSize: 128 * MIB,
  maxStorageBuffersPerShaderStage: 10,
  maxComputeWorkgroupStorageSize: 32 * 1024,
} as const;

/**
 * First-download estimate: q4f16_1 stores 4-bit weights plus an f16 scale per 32 (4.5 bits per
 * weight), q4f32_1 an f32 scale (5 bits); plus about 15 MB of tokenizer and model library.
 */
export function approxDownloadMB(paramsMillions: number, quant: ModelQuant): number {
  const bits = quant === 'q4f16_1' ? 4.5 : 5;
  return Math.round((paramsMillions * 1e6 * bits) / 8 / MIB / 10) * 10 + 15;
}

interface BaseSpec {
  /** model_id without the `-q4f16_1-MLC` suffix. */
  base: string;
  family: string;
  label: string;
  params: string;
  paramsMillions: number;
  contextWindow: number;
  lowResource: boolean;
  languages: Lang[];
  blurb: string;
  thinking?: boolean;
  vram: { q4f16_1: number; q4f32_1: number };
}

function variants(spec: BaseSpec): CatalogModel[] {
  const make = (quant: ModelQuant): CatalogModel => {
    const other: ModelQuant = quant === 'q4f16_1' ? 'q4f32_1' : 'q4f16_1';
    const model: CatalogModel = {
      id: `${spec.base}-${quant}-MLC`,
      twinId: `${spec.base}-${other}-MLC`,
      family: spec.family,
      label: spec.label,
      params: spec.params,
      quant,
      vramMB: spec.vram[quant],
      downloadMB: approxDownloadMB(spec.paramsMillions, quant),
      contextWindow: spec.contextWindow,
      requiresF16: quant === 'q4f16_1',
      lowResource: spec.lowResource,
      languages: spec.languages,
      blurb: spec.blurb,
    };
    if (spec.thinking) model.thinking = true;
    return model;
  };
  return [make('q4f16_1'), make('q4f32_1')];
}

/** Ordered smallest first, so lists read from "runs anywhere" to "needs a real GPU". */
export const MODEL_CATALOG: readonly CatalogModel[] = [
  ...variants({
    base: 'SmolLM2-360M-Instruct', family: 'SmolLM2', label: 'SmolLM2 360M Instruct', params: '360M',
    paramsMillions: 362, contextWindow: 4096, lowResource: true, languages: ['en'],
    blurb: 'Tiny and quick; short, simple replies. For phones and weak GPUs.',
    vram: { q4f16_1: 376.06, q4f32_1: 579.61 },
  }),
  ...variants({
    base: 'Qwen2.5-0.5B-Instruct', family: 'Qwen2.5', label: 'Qwen2.5 0.5B Instruct', params: '0.5B',
    paramsMillions: 494, contextWindow: 4096, lowResource: true, languages: ['en', 'zh'],
    blurb: 'Smallest model that speaks Chinese as well as English. Light, but loses the plot quickly.',
    vram: { q4f16_1: 944.62, q4f32_1: 1060.2 },
  }),
  ...variants({
    base: 'Qwen3-0.6B', family: 'Qwen3', label: 'Qwen3 0.6B', params: '0.6B',
    paramsMillions: 596, contextWindow: 4096, lowResource: true, languages: ['en', 'zh'], thinking: true,
    blurb: 'Newer small Qwen, English and Chinese; thinking is turned off for chat.',
    vram: { q4f16_1: 1403.34, q4f32_1: 1924.98 },
  }),
  ...variants({
    base: 'Llama-3.2-1B-Instruct', family: 'Llama 3.2', label: 'Llama 3.2 1B Instruct', params: '1B',
    paramsMillions: 1236, contextWindow: 4096, lowResource: true, languages: ['en'],
    blurb: 'Small, fast English chat model; stays in character reasonably well.',
    vram: { q4f16_1: 879.04, q4f32_1: 1128.82 },
  }),
  ...variants({
    base: 'Qwen2.5-1.5B-Instruct', family: 'Qwen2.5', label: 'Qwen2.5 1.5B Instruct', params: '1.5B',
    paramsMillions: 1544, contextWindow: 4096, lowResource: true, languages: ['en', 'zh'],
    blurb: 'Good default: follows character instructions well, in English and Chinese.',
    vram: { q4f16_1: 1629.75, q4f32_1: 1888.97 },
  }),
  ...variants({
    base: 'Qwen3-1.7B', family: 'Qwen3', label: 'Qwen3 1.7B', params: '1.7B',
    paramsMillions: 1720, contextWindow: 4096, lowResource: true, languages: ['en', 'zh'], thinking: true,
    blurb: 'Stronger small Qwen, English and Chinese; thinking is turned off for chat.',
    vram: { q4f16_1: 2036.66, q4f32_1: 2635.44 },
  }),
  ...variants({
    base: 'gemma-2-2b-it', family: 'Gemma 2', label: 'Gemma 2 2B', params: '2B',
    paramsMillions: 2614, contextWindow: 4096, lowResource: false, languages: ['en'],
    blurb: 'Lively English prose; needs a desktop-class GPU.',
    vram: { q4f16_1: 1895.3, q4f32_1: 2508.75 },
  }),
  ...variants({
    base: 'Llama-3.2-3B-Instruct', family: 'Llama 3.2', label: 'Llama 3.2 3B Instruct', params: '3B',
    paramsMillions: 3213, contextWindow: 4096, lowResource: true, languages: ['en'],
    blurb: 'Noticeably better English role-play than the 1B; a larger download.',
    vram: { q4f16_1: 2263.69, q4f32_1: 2951.51 },
  }),
  ...variants({
    base: 'Hermes-3-Llama-3.2-3B', family: 'Hermes 3', label: 'Hermes 3 (Llama 3.2 3B)', params: '3B',
    paramsMillions: 3213, contextWindow: 4096, lowResource: true, languages: ['en'],
    blurb: 'Llama 3.2 3B tuned for steerable chat and role-play.',
    vram: { q4f16_1: 2263.69, q4f32_1: 2951.51 },
  }),
  ...variants({
    base: 'Qwen2.5-3B-Instruct', family: 'Qwen2.5', label: 'Qwen2.5 3B Instruct', params: '3B',
    paramsMillions: 3086, contextWindow: 4096, lowResource: true, languages: ['en', 'zh'],
    blurb: 'Best English and Chinese quality here; needs a good GPU and a large download.',
    vram: { q4f16_1: 2504.76, q4f32_1: 2893.64 },
  }),
];

export function findCatalogModel(id: string, catalog: readonly CatalogModel[] = MODEL_CATALOG): CatalogModel | undefined {
  return catalog.find((m) => m.id === id);
}

/** Memory the device can likely give a model: comfortably, and at most. */
export interface MemoryBudget {
  /** Phones, 128 MiB-binding devices, software adapters and small-RAM machines. */
  weak: boolean;
  comfortableMB: number;
  maxMB: number;
  /** Short description of the device, for reasons. */
  describe: string;
}

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|software|microsoft basic render|warp/i;

export function isSoftwareAdapter(gpu: GpuReport): boolean {
  return gpu.isFallbackAdapter === true || SOFTWARE_ADAPTER.test(`${gpu.vendor} ${gpu.architecture} ${gpu.description ?? ''}`);
}

/**
 * WebGPU does not tell how much memory the GPU has, so this is a guess from navigator.deviceMemory
 * (RAM, rounded down and capped by the browser), the kind of device, and its buffer limits.
 * Integrated GPUs share RAM with everything else, so only a share of it counts.
 */
export function memoryBudget(gpu: GpuReport): MemoryBudget {
  const phoneBinding = gpu.maxStorageBufferBindingSize > 0 && gpu.maxStorageBufferBindingSize <= 128 * MIB;
  const software = isSoftwareAdapter(gpu);
  const smallRam = gpu.deviceMemoryGB !== undefined && gpu.deviceMemoryGB < 4;
  const weak = gpu.isMobile === true || phoneBinding || software || smallRam;
  const ramGB = gpu.deviceMemoryGB ?? (weak ? 4 : 8);
  const ramMB = ramGB * 1024;
  const maxMB = Math.round(ramMB * (weak ? 0.4 : 0.75));
  const comfortableMB = weak ? Math.min(640, maxMB) : Math.round(ramMB * 0.5);
  const describe = software
    ? 'a software GPU (very slow)'
    : gpu.isMobile || phoneBinding
      ? 'a phone-class GPU'
      : smallRam
        ? `a device with ${ramGB} GB of memory`
        : gpu.deviceMemoryGB !== undefined
          ? `a device with ${ramGB} GB of memory`
          : 'this device';
  return { weak, comfortableMB, maxMB, describe };
}

/** Why web-llm's runtime would refuse this adapter at all, or undefined when it is usable. */
export function webgpuBlocker(gpu: GpuReport): string | undefined {
  if (!gpu.webgpu) return gpu.reason ?? 'WebGPU is not available';
  const L = WEBLLM_MIN_LIMITS;
  if (gpu.maxBufferSize > 0 && gpu.maxBufferSize < L.maxBufferSize) return 'the GPU allows only small buffers';
  if (gpu.maxStorageBufferBindingSize > 0 && gpu.maxStorageBufferBindingSize < L.maxStorageBufferBindingSize) {
    return 'the GPU allows only small storage buffers';
  }
  if (gpu.maxStorageBuffersPerShaderStage !== undefined && gpu.maxStorageBuffersPerShaderStage < L.maxStorageBuffersPerShaderStage) {
    return 'the GPU allows too few storage buffers per shader';
  }
  if (gpu.maxComputeWorkgroupStorageSize !== undefined && gpu.maxComputeWorkgroupStorageSize < L.maxComputeWorkgroupStorageSize) {
    return 'the GPU has too little workgroup memory';
  }
  return undefined;
}

const mb = (n: number) => (n >= 1000 ? `${(n / 1024).toFixed(1)} GB` : `${Math.round(n)} MB`);

export function assessModel(model: CatalogModel, gpu: GpuReport): ModelFit {
  const blocker = webgpuBlocker(gpu);
  if (blocker !== undefined) return { status: 'no-webgpu', reason: `WebGPU models cannot run here: ${blocker}.` };
  if (model.requiresF16 && !gpu.shaderF16) {
    return { status: 'needs-f16', reason: 'This GPU lacks 16-bit shader support; use the f32 version of this model.' };
  }
  if (model.bufferSizeRequiredBytes !== undefined && model.bufferSizeRequiredBytes > gpu.maxStorageBufferBindingSize) {
    return {
      status: 'too-large',
      reason: `Needs GPU buffers of ${Math.round(model.bufferSizeRequiredBytes / MIB)} MiB; this GPU allows ${Math.round(gpu.maxStorageBufferBindingSize / MIB)} MiB.`,
    };
  }
  const budget = memoryBudget(gpu);
  if (budget.weak && !model.lowResource) {
    return { status: 'too-large', reason: `Made for desktop GPUs; too big for ${budget.describe}.` };
  }
  if (model.vramMB > budget.maxMB) {
    return { status: 'too-large', reason: `Needs about ${mb(model.vramMB)} of GPU memory, more than ${budget.describe} can likely give.` };
  }
  if (model.vramMB > budget.comfortableMB) {
    return {
      status: 'tight',
      reason: `Needs about ${mb(model.vramMB)} of GPU memory: may be slow or fail on ${budget.describe}. Close other tabs first.`,
    };
  }
  return { status: 'ok', reason: `Fits: about ${mb(model.vramMB)} of GPU memory.` };
}

export function assessCatalog(catalog: readonly CatalogModel[], gpu: GpuReport): AssessedModel[] {
  return catalog.map((model) => ({ model, fit: assessModel(model, gpu) }));
}

const STATUS_RANK: Record<FitStatus, number> = { ok: 0, tight: 1, 'too-large': 2, 'needs-f16': 3, 'no-webgpu': 4 };

/**
 * The models to show in the picker: everything the GPU can run at all (too-large ones stay, so the
 * picker can show them greyed with their reason). Unless `bothVariants`, a q4f32 model is hidden
 * when its q4f16 twin fits at least as well: on f16 GPUs the f32 build is only bigger and slower.
 */
export function offeredModels(
  assessed: readonly AssessedModel[],
  options: { includeTooLarge?: boolean; bothVariants?: boolean } = {},
): AssessedModel[] {
  const { includeTooLarge = true, bothVariants = false } = options;
  const byId = new Map(assessed.map((a) => [a.model.id, a]));
  return assessed.filter((a) => {
    const s = a.fit.status;
    if (s === 'needs-f16' || s === 'no-webgpu') return false;
    if (s === 'too-large' && !includeTooLarge) return false;
    if (!bothVariants && a.model.quant === 'q4f32_1') {
      const twin = byId.get(a.model.twinId);
      if (twin && STATUS_RANK[twin.fit.status] <= STATUS_RANK[s]) return false;
    }
    return true;
  });
}

/** Preferred defaults, best first, by model_id without the quantisation suffix. */
const PREFERENCE: Record<Lang, string[]> = {
  en: ['Qwen2.5-1.5B-Instruct', 'Llama-3.2-1B-Instruct', 'Qwen2.5-0.5B-Instruct', 'SmolLM2-360M-Instruct'],
  zh: ['Qwen2.5-1.5B-Instruct', 'Qwen3-1.7B', 'Qwen2.5-0.5B-Instruct', 'Qwen3-0.6B'],
};

function baseId(id: string): string {
  return id.replace(/-q4f(16|32)_1-MLC$/, '');
}

/**
 * A sensible default for this device: the first preferred model that fits comfortably (f16 build
 * when the GPU has shader-f16, else f32), then the smallest model that speaks the language (fitting
 * comfortably, then tight), then any. Undefined when nothing can run (no WebGPU): use the CPU engine then.
 */
export function recommendModel(assessed: readonly AssessedModel[], language: Lang = 'en'): CatalogModel | undefined {
  const usable = assessed.filter((a) => a.fit.status === 'ok' || a.fit.status === 'tight');
  const pick = (list: AssessedModel[]) =>
    [...list].sort((a, b) => (a.model.quant === b.model.quant ? 0 : a.model.quant === 'q4f16_1' ? -1 : 1))[0]?.model;
  for (const base of PREFERENCE[language]) {
    const found = pick(usable.filter((a) => a.fit.status === 'ok' && baseId(a.model.id) === base));
    if (found) return found;
  }
  // A model that cannot speak the language is worse than one that is tight on memory.
  const speaks = (a: AssessedModel) => a.model.languages.includes(language);
  const smallest = (list: AssessedModel[]) => [...list].sort((a, b) => a.model.vramMB - b.model.vramMB)[0]?.model;
  const ok = usable.filter((a) => a.fit.status === 'ok');
  const tight = usable.filter((a) => a.fit.status === 'tight');
  return (
    smallest(ok.filter(speaks)) ?? smallest(tight.filter(speaks)) ?? smallest(ok) ?? smallest(tight)
  );
}
