// Serves an EmbeddingRuntime inside the embedding worker: runs the page's requests and posts the results back.

import { serveRpc, transferred, type RpcPort } from '../../core/rpc';
import type { EmbeddingRuntime } from './embedding-runtime';
import { toEmbeddingError, type EmbeddingProtocol } from './embedding-protocol';

export function serveEmbeddings(runtime: EmbeddingRuntime, port: RpcPort): void {
  serveRpc<EmbeddingProtocol>(
    port,
    {
      prepare: ({ source }, { signal, emit }) => runtime.prepare(source, (progress) => emit(progress), signal),
      'add-folder': ({ modelId, files }) => runtime.addFolder(modelId, files),
      embed: async ({ modelId, texts }, { signal }) => {
        // A request the page gave up on while it waited its turn is skipped.
        signal.throwIfAborted();
        const vectors = await runtime.embed(modelId, texts);
        return transferred(vectors, vectors.map((v) => v.buffer));
      },
    },
    { toError: toEmbeddingError },
  );
}
