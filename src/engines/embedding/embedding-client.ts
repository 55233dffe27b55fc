// The page's side of the embedding worker: prepare models with progress, and TextEmbedders that batch and abort.

import type { TextEmbedder } from '../../core/embedding';
import type { EmbeddingModelSource } from '../../core/embedding-models';
import { AppError } from '../../core/errors';
import { RpcClient, type RpcCallOptions, type RpcEvent, type RpcRequest, type RpcResult } from '../../core/rpc';
import type { EmbeddingLoadProgress, EmbeddingProtocol, FolderFile, PreparedEmbeddingModel } from './embedding-protocol';

/** What the state layer needs from the embedding worker (a fake in unit tests). */
export interface EmbeddingService {
  prepare(source: EmbeddingModelSource, onProgress: (progress: EmbeddingLoadProgress) => void, signal?: AbortSignal): Promise<PreparedEmbeddingModel>;
  addFolder(modelId: string, files: FolderFile[]): Promise<void>;
  embedder(model: PreparedEmbeddingModel): TextEmbedder;
}

/** Texts per worker request: small enough that a chat query waits for at most one background batch. */
export const EMBED_BATCH = 16;

type WorkerLike = Pick<Worker, 'postMessage' | 'addEventListener' | 'terminate'>;

export class EmbeddingWorkerClient implements EmbeddingService {
  readonly #createWorker: () => WorkerLike;
  #worker: { worker: WorkerLike; client: RpcClient<EmbeddingProtocol> } | null = null;

  constructor(createWorker: () => WorkerLike) {
    this.#createWorker = createWorker;
  }

  async prepare(source: EmbeddingModelSource, onProgress: (progress: EmbeddingLoadProgress) => void, signal?: AbortSignal): Promise<PreparedEmbeddingModel> {
    const model = await this.#call('prepare', { source }, { signal, onEvent: onProgress });
    if (!model) throw new AppError('embedding-failed', 'The worker finished without a model.', { detail: 'no model' });
    return model;
  }

  async addFolder(modelId: string, files: FolderFile[]): Promise<void> {
    await this.#call('add-folder', { modelId, files });
  }

  embedder(model: PreparedEmbeddingModel): TextEmbedder {
    return {
      modelId: model.modelId,
      dim: model.dim,
      embed: (texts, signal) => this.#embed(model.modelId, texts, signal),
    };
  }

  dispose(): void {
    const current = this.#worker;
    this.#worker = null;
    current?.worker.terminate();
    current?.client.failAll(new AppError('aborted', 'The embedding worker was stopped.'));
  }

  async #embed(modelId: string, texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += EMBED_BATCH) {
      const batch = texts.slice(start, start + EMBED_BATCH);
      out.push(...(await this.#call('embed', { modelId, texts: batch }, { signal })));
    }
    return out;
  }

  /** A call to the worker, started on first use (a call that is already aborted starts nothing). */
  #call<M extends keyof EmbeddingProtocol & string>(
    method: M,
    request: RpcRequest<EmbeddingProtocol, M>,
    options: RpcCallOptions<RpcEvent<EmbeddingProtocol, M>> = {},
  ): Promise<RpcResult<EmbeddingProtocol, M>> {
    if (options.signal?.aborted) return Promise.reject(cancelled());
    return this.#client().call(method, request, options);
  }

  #client(): RpcClient<EmbeddingProtocol> {
    if (this.#worker) return this.#worker.client;
    const worker = this.#createWorker();
    const client = new RpcClient<EmbeddingProtocol>(worker, { abortError: cancelled });
    worker.addEventListener('error', (event: Event) => {
      // The worker script itself failed (not found, blocked): nothing it was asked will answer.
      const detail = (event as ErrorEvent).message || 'the embedding worker could not start';
      client.failAll(new AppError('embedding-failed', detail, { detail }));
      if (this.#worker?.worker === worker) this.#worker = null;
    });
    this.#worker = { worker, client };
    return client;
  }
}

const cancelled = () => new AppError('aborted', 'Cancelled');

/** The browser's embedding service: one module worker, started on first use. */
export function createEmbeddingService(): EmbeddingWorkerClient {
  return new EmbeddingWorkerClient(() => new Worker(new URL('../../workers/embedding.worker.ts', import.meta.url), { type: 'module', name: 'embeddings' }));
}
