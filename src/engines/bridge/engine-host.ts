// Serves a ChatEngine inside a worker: runs requests from the page and streams the results back.

import type { ChatEngine } from '../../core/engine';
import { toAppError } from '../../core/errors';
import { serveRpc, type RpcPort } from '../../core/rpc';
import type { EngineProtocol } from './engine-protocol';

export function serveEngine(engine: ChatEngine, port: RpcPort): void {
  serveRpc<EngineProtocol>(
    port,
    {
      load: async ({ source }, { signal, emit }) => {
        const model = await engine.load(source, (progress) => emit(progress), signal);
        return { model, capabilities: engine.capabilities() };
      },
      chat: async ({ messages, options }, { signal, emit }) => {
        // Each piece goes to the page as soon as it exists: the worker never waits for the page, so
        // a busy page (rendering, layout) cannot slow the model down.
        for await (const event of engine.chat(messages, options, signal)) emit(event);
      },
      unload: () => engine.unload(),
    },
    { toError: (error) => toAppError(error) },
  );
}
