// Scene vectors for the background embedding job: finding scenes without a model's vector, and storing vectors in one transaction.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SceneRepository } from '../../../src/storage/scenes';
import type { AppDatabase } from '../../../src/storage/db';
import { freshDb, makeScene } from './helpers';

let db: AppDatabase;
let scenes: SceneRepository;

beforeEach(async () => {
  db = await freshDb();
  scenes = new SceneRepository(db);
});
afterEach(async () => {
  db.close();
  await db.delete();
});

const vector = (model: string, values: number[]) => ({ model, dim: values.length, data: new Float32Array(values).buffer });

describe('scene vectors', () => {
  it('lists only the character’s scenes that lack a vector for the model', async () => {
    await scenes.bulkAdd([
      makeScene('a', { id: 's1', vectors: [vector('m1', [1, 0])] }),
      makeScene('a', { id: 's2', vectors: [vector('m2', [0, 1])] }),
      makeScene('a', { id: 's3', vectors: [] }),
      makeScene('b', { id: 's4', vectors: [] }),
    ]);
    expect((await scenes.missingVectorIds('a', 'm1')).sort()).toEqual(['s2', 's3']);
    expect((await scenes.missingVectorIds('a', 'm2')).sort()).toEqual(['s1', 's3']);
    expect(await scenes.missingVectorIds('nobody', 'm1')).toEqual([]);
  });

  it('stores vectors, replacing the same model’s and keeping other models’, and skips scenes deleted meanwhile', async () => {
    await scenes.bulkAdd([
      makeScene('a', { id: 's1', vectors: [vector('m1', [1, 0]), vector('m2', [0, 1])] }),
      makeScene('a', { id: 's2', vectors: [] }),
    ]);
    const stored = await scenes.putVectors([
      { sceneId: 's1', vector: vector('m1', [0.6, 0.8]) },
      { sceneId: 's2', vector: vector('m1', [1, 0]) },
      { sceneId: 'gone', vector: vector('m1', [1, 0]) },
    ]);
    expect(stored).toBe(2);
    const [s1, s2] = await scenes.getMany(['s1', 's2', 'gone']);
    expect(s1.vectors.map((v) => v.model).sort()).toEqual(['m1', 'm2']);
    expect([...new Float32Array(s1.vectors.find((v) => v.model === 'm1')!.data)]).toEqual([new Float32Array([0.6])[0], new Float32Array([0.8])[0]]);
    expect(s2.vectors).toHaveLength(1);
    expect(await scenes.missingVectorIds('a', 'm1')).toEqual([]);
  });
});
