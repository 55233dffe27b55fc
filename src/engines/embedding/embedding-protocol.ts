// The calls between the page and the embedding worker, and which error a failure in the worker becomes.

import { AppError } from '../../core/errors';
import type { RpcMethod } from '../../core/rpc';
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

/** The calls the page makes to the embedding worker (over core/rpc.ts). */
export interface EmbeddingProtocol {
  /** Download or open a model, with progress events; ends with its id and width. */
  prepare: RpcMethod<{ source: EmbeddingModelSource }, EmbeddingLoadProgress, PreparedEmbeddingModel>;
  /** Keep a picked folder's files where the runtime finds them. */
  'add-folder': RpcMethod<{ modelId: string; files: FolderFile[] }, never, void>;
  /** One batch of texts -> one vector each, in order (their buffers are transferred). */
  embed: RpcMethod<{ modelId: string; texts: string[] }, never, Float32Array[]>;
}

/** Anything the worker throws -> the AppError the page gets: an unknown failure is a failed embedding. */
export function toEmbeddingError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : '';
  if (name === 'AbortError') return new AppError('aborted', message, {});
  return new AppError('embedding-failed', message, { detail: message });
}
