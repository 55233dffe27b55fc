import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import type { AppDatabase } from '../../../src/storage/db';
import { SceneRepository } from '../../../src/storage/scenes';
import { freshDb, makeScene } from './helpers';

let db: AppDatabase;
let repo: SceneRepository;
beforeEach(async () => {
  db = await freshDb();
  repo = new SceneRepository(db);
});
afterEach(async () => {
  await db.delete();
});

describe('SceneRepository', () => {
  it('bulkAdd, listForCharacter and count', async () => {
    const mine = [makeScene('c1', { id: 'a' }), makeScene('c1', { id: 'b', title: '第二幕' })];
    await repo.bulkAdd([...mine, makeScene('c2', { id: 'z' })]);
    const listed = await repo.listForCharacter('c1');
    expect(listed.sort((x, y) => x.id.localeCompare(y.id))).toEqual(mine);
    expect(await repo.count('c1')).toBe(2);
    expect(await repo.count('c2')).toBe(1);
    expect(await repo.count('c3')).toBe(0);
    expect(listed[0].vectors[0].data).toBeInstanceOf(ArrayBuffer);
  });

  it('bulkAdd adds nothing when one id already exists', async () => {
    await repo.bulkAdd([makeScene('c1', { id: 'a' })]);
    const error = await repo.bulkAdd([makeScene('c1', { id: 'b' }), makeScene('c1', { id: 'a' })]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(await repo.count('c1')).toBe(1);
  });

  it('removeForCharacter removes that corpus only and says how many', async () => {
    await repo.bulkAdd([makeScene('c1'), makeScene('c1'), makeScene('c2')]);
    expect(await repo.removeForCharacter('c1')).toBe(2);
    expect(await repo.count('c1')).toBe(0);
    expect(await repo.count('c2')).toBe(1);
  });
});
