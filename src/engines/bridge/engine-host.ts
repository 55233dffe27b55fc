// Serves a ChatEngine inside a worker: runs requests from the page and streams the results back.

import type { ChatEngine } from '../../core/engine';
import { serializeError, type EngineReply, type EngineRequest } from './engine-protocol';

interface Port {
  postMessage(message: EngineReply): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<EngineRequest>) => void): void;
}

export function serveEngine(engine: ChatEngine, port: Port): void {
  const aborts = new Map<number, AbortController>();

  async function load(id: number, request: Extract<EngineRequest, { type: 'load' }>): Promise<void> {
    const model = await engine.load(request.source, (progress) => port.postMessage({ type: 'progress', id, progress }), aborts.get(id)!.signal);
    port.postMessage({ type: 'loaded', id, model, capabilities: engine.capabilities() });
  }

  async function chat(id: number, request: Extract<EngineRequest, { type: 'chat' }>): Promise<void> {
    // Each piece goes to the page as soon as it exists: the worker never waits for the page, so
    // a busy page (rendering, layout) cannot slow the model down.
    for await (const event of engine.chat(request.messages, request.options, aborts.get(id)!.signal)) {
      port.postMessage({ type: 'event', id, event });
    }
  }

  port.addEventListener('message', (message) => {
    const request = message.data;
    if (request.type === 'abort') {
      aborts.get(request.id)?.abort();
      return;
    }
    const id = request.id;
    aborts.set(id, new AbortController());
    const work = request.type === 'load' ? load(id, request) : request.type === 'chat' ? chat(id, request) : engine.unload();
    work.then(
      () => port.postMessage({ type: 'end', id }),
      (error: unknown) => port.postMessage({ type: 'error', id, error: serializeError(error) }),
    ).finally(() => aborts.delete(id));
  });
}
