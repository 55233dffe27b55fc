// Serves a ChatEngine inside a worker: runs requests from the page and streams the results back.

import type { ChatEngine } from '../../core/engine';
import { toAppError } from '../../core/errors';
import { serveRpc, type RpcPort } from '../../core/rpc';
import { DeltaBatcher } from './delta-batcher';
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
        // The pieces go to the page without waiting for it (a busy page cannot slow the model down),
        // batched so that a fast model does not cost the page a task per piece.
        const batcher = new DeltaBatcher(({ text, pieces }) => emit({ type: 'delta', text, pieces }));
        try {
          for await (const event of engine.chat(messages, options, signal)) {
            if (event.type === 'delta') batcher.add(event.text);
            else {
              batcher.flush();
              emit(event);
            }
          }
        } finally {
          // Text written before a failure reaches the page before the error does.
          batcher.flush();
        }
      },
      unload: () => engine.unload(),
    },
    { toError: (error) => toAppError(error) },
  );
}
