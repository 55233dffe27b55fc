// Serves an EmbeddingRuntime inside the embedding worker: runs the page's requests and posts the results back.

import type { EmbeddingRuntime } from './embedding-runtime';
import { serializeError, type EmbeddingReply, type EmbeddingRequest } from './embedding-protocol';

interface Port {
  postMessage(message: EmbeddingReply, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<EmbeddingRequest>) => void): void;
}

export function serveEmbeddings(runtime: EmbeddingRuntime, port: Port): void {
  const aborts = new Map<number, AbortController>();

  async function handle(request: Exclude<EmbeddingRequest, { type: 'abort' }>, signal: AbortSignal): Promise<void> {
    const { id } = request;
    if (request.type === 'prepare') {
      const model = await runtime.prepare(request.source, (progress) => port.postMessage({ type: 'progress', id, progress }), signal);
      port.postMessage({ type: 'prepared', id, model });
    } else if (request.type === 'add-folder') {
      await runtime.addFolder(request.modelId, request.files);
    } else {
      // A request the page gave up on while it waited its turn is skipped.
      signal.throwIfAborted();
      const vectors = await runtime.embed(request.modelId, request.texts);
      port.postMessage({ type: 'vectors', id, vectors }, vectors.map((v) => v.buffer));
    }
  }

  port.addEventListener('message', (message) => {
    const request = message.data;
    if (request.type === 'abort') {
      aborts.get(request.id)?.abort();
      return;
    }
    const controller = new AbortController();
    aborts.set(request.id, controller);
    handle(request, controller.signal)
      .then(
        () => port.postMessage({ type: 'end', id: request.id }),
        (error: unknown) => port.postMessage({ type: 'error', id: request.id, error: serializeError(error) }),
      )
      .finally(() => aborts.delete(request.id));
  });
}
