// Which embedding model serves each language, and how a model folder the person picks becomes one.

import { CHATHARUHI_EMBEDDING_MODELS } from './packs/chatharuhi';
import type { Lang } from './types';

/** ONNX weight variants transformers.js can load, by the file it reads under onnx/. */
export type EmbeddingDtype = 'q8' | 'fp32' | 'fp16';

export const ONNX_FILE_FOR_DTYPE: Readonly<Record<EmbeddingDtype, string>> = {
  q8: 'onnx/model_quantized.onnx',
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
};

/** Where a model's files come from: the Hugging Face hub (cached after the first download), or a folder the person picked. */
export type EmbeddingModelSource =
  | { kind: 'hub'; modelId: string; dtype: EmbeddingDtype }
  | { kind: 'folder'; modelId: string; dtype: EmbeddingDtype; folderName: string };

export interface DefaultEmbeddingModel {
  modelId: string;
  dim: number;
  /** Download size of the q8 weights plus tokenizer, for the button label. */
  approxBytes: number;
}

/**
 * bge-small v1.5, the models behind ChatHaruhi 2's `bge_zh_s15` / `bge_en_s15` columns, so vectors
 * that come with imported packs are used as they are. q8: the smallest weights on the hub, and the
 * default on the WebAssembly backend.
 */
export const DEFAULT_EMBEDDING_MODELS: Readonly<Record<Lang, DefaultEmbeddingModel>> = {
  zh: { ...refOf('bge_zh_s15'), approxBytes: 25_000_000 },
  en: { ...refOf('bge_en_s15'), approxBytes: 34_500_000 },
};

function refOf(column: string): { modelId: string; dim: number } {
  const ref = CHATHARUHI_EMBEDDING_MODELS[column];
  return { modelId: ref.model, dim: ref.dim };
}

export function defaultSource(lang: Lang): EmbeddingModelSource {
  return { kind: 'hub', modelId: DEFAULT_EMBEDDING_MODELS[lang].modelId, dtype: 'q8' };
}

/** A picked folder's files, as paths inside the folder (`onnx/model.onnx`). */
export interface ModelFolderPlan {
  folderName: string;
  modelId: string;
  dtype: EmbeddingDtype;
  /** The folder paths to keep (config, tokenizer, the chosen weights). */
  paths: string[];
}

export type ModelFolderProblem = 'no-config' | 'no-tokenizer' | 'no-weights';

const KEEP = new Set(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']);

/**
 * Decides what to load from a picked folder. `relativePaths` are as the browser gives them for a
 * directory pick ("bge-small-zh-v1.5/onnx/model.onnx"): the first segment is the folder's name.
 * A folder named like a default model keeps that model's id, so vectors already stored for it
 * (imported with a ChatHaruhi pack, or computed before) stay valid; any other folder gets its own
 * id under `local/`.
 */
export function planModelFolder(relativePaths: readonly string[]): ModelFolderPlan | { problem: ModelFolderProblem } {
  const split = relativePaths.map((p) => p.replace(/\\/g, '/').split('/').filter(Boolean));
  const folderName = split.find((parts) => parts.length > 1)?.[0] ?? 'model';
  const inside = new Set(split.map((parts) => (parts.length > 1 && parts[0] === folderName ? parts.slice(1) : parts).join('/')));
  if (!inside.has('config.json')) return { problem: 'no-config' };
  if (!inside.has('tokenizer.json')) return { problem: 'no-tokenizer' };
  // Smallest first: the quantised weights are what the browser's default backend prefers.
  const dtype = (['q8', 'fp16', 'fp32'] as const).find((d) => inside.has(ONNX_FILE_FOR_DTYPE[d]));
  if (!dtype) return { problem: 'no-weights' };
  const weights = ONNX_FILE_FOR_DTYPE[dtype];
  const paths = [...inside].filter((p) => KEEP.has(p) || p === weights || p.startsWith(`${weights}_data`));
  return { folderName, modelId: folderModelId(folderName), dtype, paths: paths.sort() };
}

export function folderModelId(folderName: string): string {
  for (const model of Object.values(DEFAULT_EMBEDDING_MODELS)) {
    if (model.modelId.split('/')[1] === folderName) return model.modelId;
  }
  // transformers.js accepts only hub-style ids ("owner/name" of word characters, dots and dashes).
  const safe = folderName.replace(/[^\w.-]+/g, '-').replace(/-{2,}/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'model';
  return `local/${safe.slice(0, 80)}`;
}
