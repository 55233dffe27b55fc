// The page's side of the embedding worker: prepare models with progress, and TextEmbedders that batch and abort.

import type { TextEmbedder } from '../../core/embedding';
import type { EmbeddingModelSource } from '../../core/embedding-models';
import { AppError } from '../../core/errors';
import {
  deserializeError,
  type EmbeddingLoadProgress,
  type EmbeddingReply,
  type EmbeddingRequest,
  type FolderFile,
  type PreparedEmbeddingModel,
} from './embedding-protocol';

/** What the state layer needs from the embedding worker (a fake in unit tests). */
export interface EmbeddingService {
  prepare(source: EmbeddingModelSource, onProgress: (progress: EmbeddingLoadProgress) => void, signal?: AbortSignal): Promise<PreparedEmbeddingModel>;
  addFolder(modelId: string, files: FolderFile[]): Promise<void>;
  embedder(model: PreparedEmbeddingModel): TextEmbedder;
}

/** Texts per worker request: small enough that a chat query waits for at most one background batch. */
export const EMBED_BATCH = 16;

interface Pending {
  resolve(reply: EmbeddingReply): void;
  reject(error: AppError): void;
  onProgress?: (progress: EmbeddingLoadProgress) => void;
}

type WorkerLike = Pick<Worker, 'postMessage' | 'addEventListener' | 'terminate'>;

export class EmbeddingWorkerClient implements EmbeddingService {
  readonly #createWorker: () => WorkerLike;
  #worker: WorkerLike | null = null;
  #nextId = 1;
  #pending = new Map<number, Pending>();

  constructor(createWorker: () => WorkerLike) {
    this.#createWorker = createWorker;
  }

  async prepare(source: EmbeddingModelSource, onProgress: (progress: EmbeddingLoadProgress) => void, signal?: AbortSignal): Promise<PreparedEmbeddingModel> {
    let model: PreparedEmbeddingModel | null = null;
    await this.#request({ type: 'prepare', id: 0, source }, signal, (reply) => {
      if (reply.type === 'prepared') model = reply.model;
    }, onProgress);
    if (!model) throw new AppError('embedding-failed', 'The worker finished without a model.', { detail: 'no model' });
    return model;
  }

  async addFolder(modelId: string, files: FolderFile[]): Promise<void> {
    await this.#request({ type: 'add-folder', id: 0, modelId, files });
  }

  embedder(model: PreparedEmbeddingModel): TextEmbedder {
    return {
      modelId: model.modelId,
      dim: model.dim,
      embed: (texts, signal) => this.#embed(model.modelId, texts, signal),
    };
  }

  dispose(): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#failAll(new AppError('aborted', 'The embedding worker was stopped.'));
  }

  async #embed(modelId: string, texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += EMBED_BATCH) {
      const batch = texts.slice(start, start + EMBED_BATCH);
      await this.#request({ type: 'embed', id: 0, modelId, texts: batch }, signal, (reply) => {
        if (reply.type === 'vectors') out.push(...reply.vectors);
      });
    }
    return out;
  }

  #request(
    request: Exclude<EmbeddingRequest, { type: 'abort' }>,
    signal?: AbortSignal,
    onReply?: (reply: EmbeddingReply) => void,
    onProgress?: (progress: EmbeddingLoadProgress) => void,
  ): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AppError('aborted', 'Cancelled'));
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        worker.postMessage({ type: 'abort', id } satisfies EmbeddingRequest);
        this.#pending.delete(id);
        reject(new AppError('aborted', 'Cancelled'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => signal?.removeEventListener('abort', onAbort);
      this.#pending.set(id, {
        onProgress,
        resolve: (reply) => {
          if (reply.type === 'end') {
            settle();
            this.#pending.delete(id);
            resolve();
          } else onReply?.(reply);
        },
        reject: (error) => {
          settle();
          this.#pending.delete(id);
          reject(error);
        },
      });
      worker.postMessage({ ...request, id });
    });
  }

  #ensureWorker(): WorkerLike {
    if (this.#worker) return this.#worker;
    const worker = this.#createWorker();
    worker.addEventListener('message', (event: MessageEvent<EmbeddingReply>) => {
      const reply = event.data;
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      if (reply.type === 'progress') pending.onProgress?.(reply.progress);
      else if (reply.type === 'error') pending.reject(deserializeError(reply.error));
      else pending.resolve(reply);
    });
    worker.addEventListener('error', (event: Event) => {
      // The worker script itself failed (not found, blocked): nothing it was asked will answer.
      const detail = (event as ErrorEvent).message || 'the embedding worker could not start';
      this.#failAll(new AppError('embedding-failed', detail, { detail }));
      this.#worker = null;
    });
    this.#worker = worker;
    return worker;
  }

  #failAll(error: AppError): void {
    for (const pending of [...this.#pending.values()]) pending.reject(error);
    this.#pending.clear();
  }
}

/** The browser's embedding service: one module worker, started on first use. */
export function createEmbeddingService(): EmbeddingWorkerClient {
  return new EmbeddingWorkerClient(() => new Worker(new URL('../../workers/embedding.worker.ts', import.meta.url), { type: 'module', name: 'embeddings' }));
}
