// @vitest-environment node
// The embeddings state on fake-indexeddb with the real transformers.js and the tiny model: folder pick, background job, resume, retrieval.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KeywordIndex, VectorMatrix, hybridSearch } from '../../../src/core/retrieval';
import type { Character, Scene } from '../../../src/core/types';
import { EmbeddingsState, JOB_BATCH } from '../../../src/state/embeddings.svelte';
import { createRepositories, type Repositories } from '../../../src/storage';
import type { AppDatabase } from '../../../src/storage/db';
import { ensureTinyEmbedding, inProcessService, networkRequests, tinyFolderPick } from '../helpers/tiny-embedding';
import { freshDb, makeCharacter, makeScene } from '../storage/helpers';

const MODEL = 'local/tiny-embedding';
const LINES = ['春日想找外星人', '阿虚不想去社团', '长门在看书', '朝比奈学姐在泡茶', '古泉微笑着下棋', '谷口在讲笑话'];

let db: AppDatabase;
let repos: Repositories;

beforeAll(() => ensureTinyEmbedding());
afterEach(async () => {
  db.close();
  await db.delete();
});

async function setup(sceneCount: number): Promise<{ character: Character; scenes: Scene[] }> {
  db = await freshDb();
  repos = createRepositories(db);
  const character = makeCharacter({ id: 'haruhi', language: 'zh' });
  await repos.characters.bulkPut([character]);
  const scenes = Array.from({ length: sceneCount }, (_, i) =>
    makeScene(character.id, { id: `scene-${String(i).padStart(3, '0')}`, text: `${LINES[i % LINES.length]}（第${i}幕）`, vectors: [] }),
  );
  await repos.scenes.bulkAdd(scenes);
  return { character, scenes };
}

function newState(service = inProcessService(), characters: Character[] = [], yieldToPage?: () => Promise<void>): EmbeddingsState {
  return new EmbeddingsState({ service, characters: () => characters, yieldToPage });
}

async function vectorsFor(characterId: string, model: string): Promise<number> {
  const scenes = await repos.scenes.listForCharacter(characterId);
  return scenes.filter((s) => s.vectors.some((v) => v.model === model)).length;
}

describe('EmbeddingsState', () => {
  it('offers no embedder until a model is prepared, so chat falls back to keywords', async () => {
    const { character } = await setup(3);
    const state = newState(inProcessService(), [character]);
    await state.start({ scenes: repos.scenes, settings: repos.settings });
    expect(state.embedderFor('zh')).toBeNull();
    expect(state.models.zh.status).toBe('absent');
    expect(state.models.zh.source).toMatchObject({ kind: 'hub', modelId: 'Xenova/bge-small-zh-v1.5' });
  });

  it('uses a picked folder, then embeds every scene of the character in the background with progress', async () => {
    const { character } = await setup(40);
    const seen: number[] = [];
    const state: EmbeddingsState = newState(inProcessService(), [character], async () => {
      seen.push(state.job.coverage[character.id].done);
    });
    await state.start({ scenes: repos.scenes, settings: repos.settings });
    await state.useFolder('zh', tinyFolderPick());
    expect(state.models.zh).toMatchObject({ status: 'ready', prepared: { modelId: MODEL, dim: 64 }, error: null });
    await state.job.idle();
    expect(await vectorsFor(character.id, MODEL)).toBe(40);
    expect(state.job.coverage[character.id]).toEqual({ modelId: MODEL, done: 40, total: 40 });
    // Progress arrived batch by batch, not all at once.
    expect(seen).toEqual([16, 32, 40]);
    const stored = (await repos.scenes.listForCharacter(character.id))[0].vectors.find((v) => v.model === MODEL)!;
    expect(stored.dim).toBe(64);
    expect(stored.data.byteLength).toBe(64 * 4);
    expect(networkRequests).toEqual([]);
  });

  it('resumes after a reload without embedding again what was done', async () => {
    const { character } = await setup(40);
    const first = inProcessService();
    let batches = 0;
    const state: EmbeddingsState = newState(first, [character], async () => {
      batches += 1;
      // The person pauses (or closes the tab) after the first batch.
      if (batches === 1) await state.job.pause();
    });
    await state.start({ scenes: repos.scenes, settings: repos.settings });
    await state.useFolder('zh', tinyFolderPick());
    await state.job.idle();
    expect(await vectorsFor(character.id, MODEL)).toBe(JOB_BATCH);

    // A new page: the saved model and the pause are remembered; nothing runs until Resume.
    const second = inProcessService();
    const reloaded = newState(second, [character]);
    await reloaded.start({ scenes: repos.scenes, settings: repos.settings });
    expect(reloaded.job.paused).toBe(true);
    expect(reloaded.embedderFor('zh')?.modelId).toBe(MODEL);
    await reloaded.job.refreshCoverage(character.id);
    expect(reloaded.job.coverage[character.id]).toEqual({ modelId: MODEL, done: JOB_BATCH, total: 40 });
    await reloaded.job.resume();
    await reloaded.job.idle();
    expect(await vectorsFor(character.id, MODEL)).toBe(40);
    expect(second.embedded.length).toBe(40 - JOB_BATCH);
    expect(first.embedded.length + second.embedded.length).toBe(40);
  });

  it('retrieves the right stored scene for a query embedded by the same model', async () => {
    const { character } = await setup(12);
    const state = newState(inProcessService(), [character]);
    await state.start({ scenes: repos.scenes, settings: repos.settings });
    await state.useFolder('zh', tinyFolderPick());
    await state.job.idle();
    const scenes = await repos.scenes.listForCharacter(character.id);
    const embedder = state.embedderFor('zh')!;
    const matrix = VectorMatrix.fromScenes(scenes, embedder.modelId)!;
    expect(matrix.size).toBe(12);
    const query = '长门看什么书';
    const [queryVector] = await embedder.embed([query]);
    const hits = hybridSearch({ keyword: KeywordIndex.build(scenes), query, vectors: matrix, queryVector }, 3);
    expect(scenes.find((s) => s.id === hits[0].sceneId)!.text).toContain('长门在看书');
    expect(hits[0].vectorRank).toBeLessThanOrEqual(2);
  });

  it('rejects a folder that is not a model with a reason, keeping the model it had', async () => {
    const { character } = await setup(2);
    const state = newState(inProcessService(), [character]);
    await state.start({ scenes: repos.scenes, settings: repos.settings });
    await state.useFolder('zh', tinyFolderPick());
    await state.useFolder('zh', [new File(['{}'], 'photos/config.json'), new File(['x'], 'photos/cat.jpg')]);
    expect(state.models.zh.error).toMatchObject({ code: 'model-folder-invalid', details: { detail: 'tokenizer.json' } });
    expect(state.models.zh.prepared?.modelId).toBe(MODEL);
    expect(state.embedderFor('zh')).not.toBeNull();
  });

  it('two tabs preparing models for different languages both keep theirs', async () => {
    await setup(0);
    const first = newState();
    const second = newState();
    await first.start({ scenes: repos.scenes, settings: repos.settings });
    await second.start({ scenes: repos.scenes, settings: repos.settings });
    await first.useFolder('zh', tinyFolderPick());
    // The second tab read the settings before the first prepared Chinese.
    await second.useFolder('en', tinyFolderPick());

    const reloaded = newState();
    await reloaded.start({ scenes: repos.scenes, settings: repos.settings });
    expect(reloaded.embedderFor('zh')?.modelId).toBe(MODEL);
    expect(reloaded.embedderFor('en')?.modelId).toBe(MODEL);
  });

  it('starts embedding a newly imported character when told, without touching other languages', async () => {
    const { character } = await setup(5);
    const english = makeCharacter({ id: 'sheldon', language: 'en' });
    await repos.characters.bulkPut([english]);
    await repos.scenes.bulkAdd([makeScene(english.id, { id: 'en-1', text: 'Bazinga!', vectors: [] })]);
    const characters: Character[] = [];
    const state = newState(inProcessService(), characters);
    await state.start({ scenes: repos.scenes, settings: repos.settings });
    await state.useFolder('zh', tinyFolderPick());
    await state.job.idle();
    expect(await vectorsFor(character.id, MODEL)).toBe(0);
    characters.push(character, english);
    state.onImported([character.id, english.id]);
    await state.job.idle();
    expect(await vectorsFor(character.id, MODEL)).toBe(5);
    expect(await vectorsFor(english.id, MODEL)).toBe(0);
  });
});
