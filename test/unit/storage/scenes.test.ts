import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import type { AppDatabase } from '../../../src/storage/db';
import { SceneRepository } from '../../../src/storage/scenes';
import { CharacterRepository } from '../../../src/storage/characters';
import { freshDb, makeCharacter, makeScene } from './helpers';

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

  it('lists and removes generated scenes only, off the totals, and Undo puts them back', async () => {
    await new CharacterRepository(db).put(makeCharacter({ id: 'c1', corpus: { scenes: 0, tokens: 0 } }));
    const generated = (n: number) => ({ jobId: 'j', kind: 'everyday' as const, question: `Q${n}?`, prompt: 'p', model: 'm', createdAt: n });
    const own = makeScene('c1', { id: 'own', tokens: 10 });
    const later = makeScene('c1', { id: 'g-a', tokens: 3, generated: generated(2) });
    const earlier = makeScene('c1', { id: 'g-b', tokens: 5, generated: generated(1) });
    await repo.bulkAdd([own, later, earlier, makeScene('c2', { id: 'other', generated: generated(0) })]);
    expect(await repo.stats('c1')).toEqual({ scenes: 3, tokens: 18 });
    expect((await repo.listGenerated('c1')).map((s) => s.id)).toEqual(['g-b', 'g-a']);

    const removed = await repo.removeGenerated('c1');
    expect(removed.map((s) => s.id).sort()).toEqual(['g-a', 'g-b']);
    expect((await repo.listForCharacter('c1')).map((s) => s.id)).toEqual(['own']);
    expect(await repo.stats('c1')).toEqual({ scenes: 1, tokens: 10 });
    expect(await repo.count('c2')).toBe(1);

    await repo.bulkAdd(removed);
    expect(await repo.stats('c1')).toEqual({ scenes: 3, tokens: 18 });
    expect((await repo.listGenerated('c1'))[0].generated).toEqual(generated(1));
  });
});
