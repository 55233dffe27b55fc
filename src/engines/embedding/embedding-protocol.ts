// Messages between the page and the embedding worker, and how errors cross that boundary.

import { AppError, type ErrorCode } from '../../core/errors';
import type { EmbeddingModelSource } from '../../core/embedding-models';

/** Download/prepare progress: bytes of all files of the model so far. */
export interface EmbeddingLoadProgress {
  loaded: number;
  total: number;
  /** The file being fetched now, when known. */
  file?: string;
}

export interface PreparedEmbeddingModel {
  modelId: string;
  dim: number;
}

/** One file of a picked model folder, path relative to the folder ("onnx/model.onnx"). */
export interface FolderFile {
  path: string;
  data: Blob;
}

export type EmbeddingRequest =
  | { type: 'prepare'; id: number; source: EmbeddingModelSource }
  | { type: 'add-folder'; id: number; modelId: string; files: FolderFile[] }
  | { type: 'embed'; id: number; modelId: string; texts: string[] }
  | { type: 'abort'; id: number };

export type EmbeddingReply =
  | { type: 'progress'; id: number; progress: EmbeddingLoadProgress }
  | { type: 'prepared'; id: number; model: PreparedEmbeddingModel }
  | { type: 'vectors'; id: number; vectors: Float32Array[] }
  | { type: 'end'; id: number }
  | { type: 'error'; id: number; error: SerializedError };

export interface SerializedError {
  code: ErrorCode;
  message: string;
  details: Record<string, string | number>;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof AppError) return { code: error.code, message: error.message, details: error.details };
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : '';
  if (name === 'AbortError') return { code: 'aborted', message, details: {} };
  return { code: 'embedding-failed', message, details: { detail: message } };
}

export function deserializeError(error: SerializedError): AppError {
  return new AppError(error.code, error.message, error.details);
}
