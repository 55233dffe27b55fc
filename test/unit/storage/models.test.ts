import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../src/core/errors';
import type { AppDatabase } from '../../../src/storage/db';
import { ModelRepository } from '../../../src/storage/models';
import { freshDb, makeModel } from './helpers';

let db: AppDatabase;
let repo: ModelRepository;
beforeEach(async () => {
  db = await freshDb();
  repo = new ModelRepository(db);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await db.delete();
});

describe('ModelRepository', () => {
  it('put, get, remove', async () => {
    const model = makeModel({ id: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC', engine: 'webllm', source: 'catalog' });
    await repo.put(model);
    expect(await repo.get(model.id)).toEqual(model);
    await repo.remove(model.id);
    expect(await repo.get(model.id)).toBeUndefined();
  });

  it('list is most recently used first', async () => {
    await repo.put(makeModel({ id: 'a', lastUsedAt: 100 }));
    await repo.put(makeModel({ id: 'b', lastUsedAt: 300 }));
    await repo.put(makeModel({ id: 'c', lastUsedAt: 200 }));
    expect((await repo.list()).map((m) => m.id)).toEqual(['b', 'c', 'a']);
  });

  it('touch sets lastUsedAt to now and moves the model to the top', async () => {
    await repo.put(makeModel({ id: 'a', lastUsedAt: 100 }));
    await repo.put(makeModel({ id: 'b', lastUsedAt: 300 }));
    vi.spyOn(Date, 'now').mockReturnValue(9000);
    await repo.touch('a');
    expect((await repo.get('a'))?.lastUsedAt).toBe(9000);
    expect((await repo.list()).map((m) => m.id)).toEqual(['a', 'b']);
  });

  it('touch of an unknown model is not-found', async () => {
    const error = await repo.touch('ghost').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('not-found');
  });
});
