// @vitest-environment node
// The page-side client talking to the worker host over a real MessageChannel, with the real runtime behind it: batching, abort, progress, errors.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { EMBED_BATCH, EmbeddingWorkerClient } from '../../../../src/engines/embedding/embedding-client';
import { serveEmbeddings } from '../../../../src/engines/embedding/embedding-host';
import type { EmbeddingRuntime } from '../../../../src/engines/embedding/embedding-runtime';
import { AppError } from '../../../../src/core/errors';
import { TINY_EMBEDDING_DIR, TINY_EMBEDDING_ID } from '../../../fixtures/make-tiny-embedding';
import { ensureTinyEmbedding, TINY_FILES, tinyRuntime } from '../../helpers/tiny-embedding';

beforeAll(() => ensureTinyEmbedding());

/** A "worker" whose other end is served by serveEmbeddings in this thread. */
function channelWorker(runtime: EmbeddingRuntime) {
  const { port1, port2 } = new MessageChannel();
  serveEmbeddings(runtime, {
    postMessage: (message, transfer) => port2.postMessage(message, transfer ?? []),
    addEventListener: (type, listener) => port2.addEventListener(type, listener as (event: Event) => void),
  });
  port2.start();
  port1.start();
  return {
    postMessage: (message: unknown) => port1.postMessage(message),
    addEventListener: (type: string, listener: (event: Event) => void) => port1.addEventListener(type, listener),
    terminate: () => port1.close(),
  } as unknown as Worker;
}

async function preparedClient() {
  const runtime = tinyRuntime();
  const embed = vi.spyOn(runtime, 'embed');
  const client = new EmbeddingWorkerClient(() => channelWorker(runtime));
  const progress: number[] = [];
  const model = await client.prepare({ kind: 'hub', modelId: TINY_EMBEDDING_ID, dtype: 'fp32' }, (p) => progress.push(p.total));
  return { client, model, embed, progress };
}

describe('EmbeddingWorkerClient', () => {
  it('prepares through the worker with progress, and embeds long lists in batches, keeping order', async () => {
    const { client, model, embed, progress } = await preparedClient();
    expect(model).toEqual({ modelId: TINY_EMBEDDING_ID, dim: 64 });
    expect(progress.length).toBeGreaterThan(0);
    const embedder = client.embedder(model);
    expect(embedder).toMatchObject({ modelId: TINY_EMBEDDING_ID, dim: 64 });
    const texts = Array.from({ length: EMBED_BATCH * 2 + 3 }, (_, i) => (i % 2 ? `春日${i}` : `hello ${i}`));
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(texts.length);
    expect(embed).toHaveBeenCalledTimes(3);
    // Same text, same vector (up to float rounding), wherever it sits in the batches.
    const [alone] = await embedder.embed([texts[texts.length - 1]]);
    const last = vectors[vectors.length - 1];
    expect(alone.reduce((sum, x, i) => sum + x * last[i], 0)).toBeCloseTo(1, 6);
    const [first] = await embedder.embed([texts[0]]);
    expect(first.reduce((sum, x, i) => sum + x * vectors[0][i], 0)).toBeCloseTo(1, 6);
    client.dispose();
  });

  it('stops sending batches once aborted and rejects with "aborted"', async () => {
    const { client, model, embed } = await preparedClient();
    const controller = new AbortController();
    const texts = Array.from({ length: EMBED_BATCH * 5 }, (_, i) => `text ${i}`);
    const pending = client.embedder(model).embed(texts, controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(embed.mock.calls.length).toBeLessThanOrEqual(1);
    client.dispose();
  });

  it('brings worker errors back as AppErrors with their code', async () => {
    const runtime = tinyRuntime();
    const client = new EmbeddingWorkerClient(() => channelWorker(runtime));
    const failed = await client.prepare({ kind: 'folder', modelId: 'local/missing', dtype: 'fp32', folderName: 'missing' }, () => {}).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(AppError);
    expect((failed as AppError).code).toBe('model-folder-invalid');
    client.dispose();
  });

  it('sends a picked folder’s files to the worker, which then loads the model from them', async () => {
    const runtime = tinyRuntime();
    const client = new EmbeddingWorkerClient(() => channelWorker(runtime));
    await client.addFolder('local/tiny', TINY_FILES.map((path) => ({ path, data: new Blob([readFileSync(join(TINY_EMBEDDING_DIR, path))]) })));
    const model = await client.prepare({ kind: 'folder', modelId: 'local/tiny', dtype: 'fp32', folderName: 'tiny' }, () => {});
    expect(model.dim).toBe(64);
    client.dispose();
  });
});
