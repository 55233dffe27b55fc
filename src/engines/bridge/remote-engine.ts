// A ChatEngine whose work happens in a worker (see engine-host.ts): the page only sends requests
// and receives progress and text.

import type { ChatEngine, ChatEvent, EngineCapabilities, GenerateOptions, LoadedModel, LoadProgress, ModelSource } from '../../core/engine';
import { AppError } from '../../core/errors';
import type { ChatTurn, EngineKind } from '../../core/types';
import { deserializeError, type EngineReply, type EngineRequest } from './engine-protocol';

type Listener = (reply: EngineReply) => void;

export class RemoteEngine implements ChatEngine {
  readonly kind: EngineKind;
  #createWorker: () => Worker;
  #worker: Worker | null = null;
  #listeners = new Map<number, Listener>();
  #nextId = 1;
  #capabilities: EngineCapabilities = { gpu: false, multiThread: false };

  constructor(kind: EngineKind, createWorker: () => Worker) {
    this.kind = kind;
    this.#createWorker = createWorker;
  }

  capabilities(): EngineCapabilities {
    return this.#capabilities;
  }

  load(source: ModelSource, onProgress: (progress: LoadProgress) => void, signal?: AbortSignal): Promise<LoadedModel> {
    return new Promise((resolve, reject) => {
      let model: LoadedModel | null = null;
      this.#request({ type: 'load', source }, signal, (reply) => {
        if (reply.type === 'progress') onProgress(reply.progress);
        else if (reply.type === 'loaded') {
          model = reply.model;
          this.#capabilities = reply.capabilities;
        } else if (reply.type === 'error') reject(deserializeError(reply.error));
        else if (reply.type === 'end') {
          if (model) resolve(model);
          else reject(new AppError('model-load-failed', 'The engine finished without a model'));
        }
      });
    });
  }

  async *chat(messages: ChatTurn[], options: GenerateOptions, signal?: AbortSignal): AsyncIterable<ChatEvent> {
    const queue: EngineReply[] = [];
    let wake: (() => void) | null = null;
    this.#request({ type: 'chat', messages, options }, signal, (reply) => {
      queue.push(reply);
      wake?.();
    });
    // Text the worker wrote after the person pressed Stop is still on its way; it is dropped, so
    // the reply ends exactly where it stopped on screen, and its usage counts what was kept.
    let shown = 0;
    while (true) {
      if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      const reply = queue.shift()!;
      if (reply.type === 'event') {
        const { event } = reply;
        if (event.type === 'delta') {
          if (signal?.aborted) continue;
          shown += 1;
          yield event;
        } else if (signal?.aborted) {
          yield { ...event, finishReason: 'abort', usage: { ...event.usage, completionTokens: Math.min(event.usage.completionTokens, shown) } };
        } else yield event;
      } else if (reply.type === 'error') throw deserializeError(reply.error);
      else if (reply.type === 'end') return;
    }
  }

  async unload(): Promise<void> {
    if (!this.#worker) return;
    await new Promise<void>((resolve) => this.#request({ type: 'unload' }, undefined, (reply) => {
      if (reply.type === 'end' || reply.type === 'error') resolve();
    }));
  }

  #request(request: DistributiveOmit<EngineRequest, 'id'>, signal: AbortSignal | undefined, listener: Listener): void {
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    this.#listeners.set(id, (reply) => {
      if (reply.type === 'end' || reply.type === 'error') this.#listeners.delete(id);
      listener(reply);
    });
    if (signal?.aborted) {
      queueMicrotask(() => this.#finish(id, new AppError('aborted', 'Cancelled')));
      return;
    }
    signal?.addEventListener('abort', () => worker.postMessage({ type: 'abort', id } satisfies EngineRequest), { once: true });
    worker.postMessage({ ...request, id } as EngineRequest);
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = this.#createWorker();
    worker.addEventListener('message', (event: MessageEvent<EngineReply>) => this.#listeners.get(event.data.id)?.(event.data));
    // A worker that fails to start or crashes would leave every request waiting forever.
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      const error = new AppError('model-load-failed', event.message || 'The engine worker stopped', { reason: 'worker-error' });
      for (const id of [...this.#listeners.keys()]) this.#finish(id, error);
      worker.terminate();
      if (this.#worker === worker) this.#worker = null;
    });
    this.#worker = worker;
    return worker;
  }

  #finish(id: number, error: AppError): void {
    this.#listeners.get(id)?.({ type: 'error', id, error: { code: error.code, message: error.message, details: error.details } });
  }
}

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;
