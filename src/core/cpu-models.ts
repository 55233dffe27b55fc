// Small GGUF chat models for devices without WebGPU (wllama runs them on the CPU), by URL, so a
// first chat needs no file of one's own. Chosen by the person's language and the device's memory.
//
// Sizes are the q4_k_m / q8_0 files' sizes on Hugging Face as listed when this was written, rounded
// (approximate: a re-upload can change them by a few MB); the download shows its real size.

import type { Lang } from './types';

export interface CpuModel {
  id: string;
  label: string;
  url: string;
  /** Download size, MB (approximate, see above). */
  sizeMB: number;
  /** Languages it chats in well enough for role-play. */
  languages: readonly Lang[];
  licence: string;
}

const HF = 'https://huggingface.co';

/** Best first: for a language, the first one that fits is the one offered. */
export const CPU_MODELS: readonly CpuModel[] = [
  {
    id: 'qwen2.5-1.5b-instruct-q4_k_m',
    label: 'Qwen2.5 1.5B Instruct',
    url: `${HF}/Qwen/Qwen2.5-1.5B-Instruct-GGUF/resolve/main/qwen2.5-1.5b-instruct-q4_k_m.gguf`,
    sizeMB: 1120,
    languages: ['en', 'zh'],
    licence: 'Apache-2.0',
  },
  {
    id: 'smollm2-1.7b-instruct-q4_k_m',
    label: 'SmolLM2 1.7B Instruct',
    url: `${HF}/HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF/resolve/main/smollm2-1.7b-instruct-q4_k_m.gguf`,
    sizeMB: 1060,
    languages: ['en'],
    licence: 'Apache-2.0',
  },
  {
    id: 'llama-3.2-1b-instruct-q4_k_m',
    label: 'Llama 3.2 1B Instruct',
    url: `${HF}/bartowski/Llama-3.2-1B-Instruct-GGUF/resolve/main/Llama-3.2-1B-Instruct-Q4_K_M.gguf`,
    sizeMB: 808,
    languages: ['en'],
    licence: 'Llama 3.2 Community License',
  },
  {
    id: 'qwen2.5-0.5b-instruct-q4_k_m',
    label: 'Qwen2.5 0.5B Instruct',
    url: `${HF}/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf`,
    sizeMB: 491,
    languages: ['en', 'zh'],
    licence: 'Apache-2.0',
  },
  {
    id: 'smollm2-360m-instruct-q8_0',
    label: 'SmolLM2 360M Instruct',
    url: `${HF}/HuggingFaceTB/SmolLM2-360M-Instruct-GGUF/resolve/main/smollm2-360m-instruct-q8_0.gguf`,
    sizeMB: 386,
    languages: ['en'],
    licence: 'Apache-2.0',
  },
];

/** Memory assumed when the browser does not say (navigator.deviceMemory is Chromium only). */
const UNKNOWN_MEMORY_GB = 4;
/**
 * A model needs about three times its file in memory to run beside the browser and the page
 * (weights, KV cache, the wasm heap's copy while loading); a rough rule, on the safe side.
 */
const MEMORY_PER_MODEL_MB = 3;

export interface CpuModelOffer {
  /** The models in this language, best first, each with whether it fits this device's memory. */
  models: { model: CpuModel; fits: boolean }[];
  /** The best one that fits; the smallest in the language when none does. */
  recommended: CpuModel;
}

export function offerCpuModels(language: Lang, deviceMemoryGB?: number): CpuModelOffer {
  const memoryMB = (deviceMemoryGB ?? UNKNOWN_MEMORY_GB) * 1024;
  const models = CPU_MODELS.filter((model) => model.languages.includes(language)).map((model) => ({
    model,
    fits: model.sizeMB * MEMORY_PER_MODEL_MB <= memoryMB,
  }));
  const smallest = [...models].sort((a, b) => a.model.sizeMB - b.model.sizeMB)[0]!.model;
  return { models, recommended: models.find((entry) => entry.fits)?.model ?? smallest };
}
