// @vitest-environment node
// The real transformers.js (onnxruntime-node) on the generated tiny bag-of-characters model: pooling, normalisation, folders, retrieval.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hybridSearch, KeywordIndex, VectorMatrix } from '../../../../src/core/retrieval';
import { EmbeddingRuntime, type FolderStore } from '../../../../src/engines/embedding/embedding-runtime';
import { FOLDER_PREFIX, MemoryFolderStore, networkRequests, tinyRuntime } from '../../helpers/tiny-embedding';
import { AppError } from '../../../../src/core/errors';
import { makeTinyEmbedding, TINY_EMBEDDING_DIR, TINY_EMBEDDING_ID } from '../../../fixtures/make-tiny-embedding';

function runtime(store: FolderStore = new MemoryFolderStore()): EmbeddingRuntime {
  return tinyRuntime(store);
}
const requests = networkRequests;

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);
const norm = (a: Float32Array) => Math.sqrt(dot(a, a));

beforeAll(() => {
  makeTinyEmbedding();
});

describe('EmbeddingRuntime on the tiny model', () => {
  it('prepares from a local folder with progress and returns unit vectors of the model size', async () => {
    const embedder = runtime();
    const progress: number[] = [];
    const model = await embedder.prepare({ kind: 'hub', modelId: TINY_EMBEDDING_ID, dtype: 'fp32' }, (p) => progress.push(p.loaded));
    expect(model).toEqual({ modelId: TINY_EMBEDDING_ID, dim: 64 });
    expect(progress.length).toBeGreaterThan(0);
    const vectors = await embedder.embed(TINY_EMBEDDING_ID, ['凉宫春日是SOS团的团长', 'hello']);
    expect(vectors).toHaveLength(2);
    for (const v of vectors) {
      expect(v).toHaveLength(64);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    expect(requests).toEqual([]);
  });

  it('pools the CLS position, which carries the bag of characters: order does not matter, shared characters bring texts near', async () => {
    const embedder = runtime();
    await embedder.prepare({ kind: 'hub', modelId: TINY_EMBEDDING_ID, dtype: 'fp32' }, () => {});
    const [haruhi, shuffled, related, unrelated] = await embedder.embed(TINY_EMBEDDING_ID, [
      '春日想找外星人',
      '外星人春日想找',
      '春日在找外星人和未来人',
      'the cat sat on the mat',
    ]);
    // Mean pooling over all positions would differ for a reordered text; CLS (position 0) does not.
    expect(dot(haruhi, shuffled)).toBeCloseTo(1, 5);
    expect(dot(haruhi, related)).toBeGreaterThan(0.6);
    expect(dot(haruhi, related)).toBeGreaterThan(dot(haruhi, unrelated) + 0.3);
  });

  it('finds the right scene through hybrid search when the words differ but the characters overlap', async () => {
    const embedder = runtime();
    await embedder.prepare({ kind: 'hub', modelId: TINY_EMBEDDING_ID, dtype: 'fp32' }, () => {});
    const scenes = [
      { id: 'aliens', text: '阿虚:「春日，你到底想找什么？」\n春日:「外星人、未来人、超能力者！」' },
      { id: 'club', text: '春日:「我要成立一个新的社团，名字叫SOS团。」' },
      { id: 'lunch', text: '谷口:「今天中午吃什么？」\n国木田:「面包吧。」' },
    ];
    const vectors = await embedder.embed(TINY_EMBEDDING_ID, scenes.map((s) => s.text));
    const matrix = new VectorMatrix(64);
    scenes.forEach((scene, i) => matrix.set(scene.id, vectors[i]));
    const keyword = KeywordIndex.build(scenes);
    const query = '你见过外星人吗';
    const [queryVector] = await embedder.embed(TINY_EMBEDDING_ID, [query]);
    const hits = hybridSearch({ keyword, query, vectors: matrix, queryVector }, 2);
    expect(hits[0].sceneId).toBe('aliens');
    expect(hits[0].vectorRank).toBe(1);
  });

  it('loads a picked folder from its stored files, with no hub and no network', async () => {
    const store = new MemoryFolderStore();
    const embedder = runtime(store);
    const paths = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];
    await embedder.addFolder('local/tiny-embedding', paths.map((path) => ({ path, data: new Blob([readFileSync(join(TINY_EMBEDDING_DIR, path))]) })));
    const model = await embedder.prepare({ kind: 'folder', modelId: 'local/tiny-embedding', dtype: 'fp32', folderName: 'tiny-embedding' }, () => {});
    expect(model.dim).toBe(64);
    const [a, b] = await embedder.embed('local/tiny-embedding', ['hello world', 'world hello']);
    expect(dot(a, b)).toBeCloseTo(1, 5);
    expect(requests).toEqual([]);
  });

  it('says which file is missing when a picked folder is incomplete, and keeps nothing half-loaded', async () => {
    const store = new MemoryFolderStore();
    const embedder = runtime(store);
    await embedder.addFolder('local/broken', [{ path: 'config.json', data: new Blob([readFileSync(join(TINY_EMBEDDING_DIR, 'config.json'))]) }]);
    const error = await embedder.prepare({ kind: 'folder', modelId: 'local/broken', dtype: 'fp32', folderName: 'broken' }, () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('model-folder-invalid');
    expect(embedder.isPrepared('local/broken')).toBe(false);
    await expect(embedder.embed('local/broken', ['x'])).rejects.toMatchObject({ code: 'embedding-failed' });
  });

  it('says the hub could not be reached when offline, and that the model was not found on a 404', async () => {
    const hub = (respond: (url: string) => Promise<Response>) =>
      new EmbeddingRuntime({ device: 'cpu', folderPrefix: FOLDER_PREFIX, folderStore: new MemoryFolderStore(), fetch: ((url: string) => respond(String(url))) as typeof fetch });
    const offline = hub(async () => {
      throw new TypeError('fetch failed');
    });
    await expect(offline.prepare({ kind: 'hub', modelId: 'hearth-test/offline-model', dtype: 'q8' }, () => {})).rejects.toMatchObject({ code: 'embedding-offline' });
    const asked: string[] = [];
    const missing = hub(async (url) => {
      asked.push(url);
      return new Response('Entry not found', { status: 404 });
    });
    await expect(missing.prepare({ kind: 'hub', modelId: 'hearth-test/missing-model', dtype: 'q8' }, () => {})).rejects.toMatchObject({ code: 'embedding-download-failed' });
    expect(asked[0]).toMatch(/^https:\/\/huggingface\.co\/hearth-test\/missing-model\/resolve\/main\//);
  });
});
