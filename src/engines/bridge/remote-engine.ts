// A ChatEngine whose work happens in a worker (see engine-host.ts): the page only sends requests
// and receives progress and text.

import type { ChatEngine, ChatEvent, EngineCapabilities, GenerateOptions, LoadedModel, LoadProgress, ModelSource } from '../../core/engine';
import { AppError } from '../../core/errors';
import { RpcClient } from '../../core/rpc';
import type { ChatTurn, EngineKind } from '../../core/types';
import type { EngineProtocol } from './engine-protocol';

export class RemoteEngine implements ChatEngine {
  readonly kind: EngineKind;
  #createWorker: () => Worker;
  #worker: { worker: Worker; client: RpcClient<EngineProtocol> } | null = null;
  #capabilities: EngineCapabilities = { gpu: false, multiThread: false };

  constructor(kind: EngineKind, createWorker: () => Worker) {
    this.kind = kind;
    this.#createWorker = createWorker;
  }

  capabilities(): EngineCapabilities {
    return this.#capabilities;
  }

  async load(source: ModelSource, onProgress: (progress: LoadProgress) => void, signal?: AbortSignal): Promise<LoadedModel> {
    const loaded = await this.#client().call('load', { source }, { signal, onEvent: onProgress, onAbort: 'wait' });
    this.#capabilities = loaded.capabilities;
    if (!loaded.model) throw new AppError('model-load-failed', 'The engine finished without a model');
    return loaded.model;
  }

  async *chat(messages: ChatTurn[], options: GenerateOptions, signal?: AbortSignal): AsyncIterable<ChatEvent> {
    // Text the worker wrote after the person pressed Stop is still on its way; it is dropped, so
    // the reply ends exactly where it stopped on screen, and its usage counts the pieces kept.
    let shown = 0;
    for await (const event of this.#client().stream('chat', { messages, options }, { signal, onAbort: 'wait' })) {
      if (event.type === 'delta') {
        if (signal?.aborted) continue;
        shown += event.pieces;
        yield { type: 'delta', text: event.text };
      } else if (signal?.aborted) {
        yield { ...event, finishReason: 'abort', usage: { ...event.usage, completionTokens: Math.min(event.usage.completionTokens, shown) } };
      } else yield event;
    }
  }

  async unload(): Promise<void> {
    if (!this.#worker) return;
    // Unloading never fails for the page: a worker that cannot unload is as good as unloaded.
    await this.#worker.client.call('unload', undefined).catch(() => {});
  }

  #client(): RpcClient<EngineProtocol> {
    if (this.#worker) return this.#worker.client;
    const worker = this.#createWorker();
    const client = new RpcClient<EngineProtocol>(worker, { abortError: () => new AppError('aborted', 'Cancelled') });
    // A worker that fails to start or crashes would leave every request waiting forever.
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      client.failAll(new AppError('model-load-failed', event.message || 'The engine worker stopped', { reason: 'worker-error' }));
      worker.terminate();
      if (this.#worker?.worker === worker) this.#worker = null;
    });
    this.#worker = { worker, client };
    return client;
  }
}
