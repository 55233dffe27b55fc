import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppDatabase } from '../../../src/storage/db';
import { PersonaRepository } from '../../../src/storage/personas';
import { freshDb, makePersona } from './helpers';

let db: AppDatabase;
let repo: PersonaRepository;
beforeEach(async () => {
  db = await freshDb();
  repo = new PersonaRepository(db);
});
afterEach(async () => {
  await db.delete();
});

async function defaults(): Promise<string[]> {
  return (await repo.list()).filter((p) => p.isDefault).map((p) => p.id);
}

describe('PersonaRepository', () => {
  it('put, get, list by name, remove', async () => {
    await repo.put(makePersona({ id: 'b', name: 'bard' }));
    await repo.put(makePersona({ id: 'a', name: 'Archer', description: 'Sharp-eyed' }));
    expect((await repo.list()).map((p) => p.id)).toEqual(['a', 'b']);
    expect((await repo.get('a'))?.description).toBe('Sharp-eyed');
    await repo.remove('a');
    expect(await repo.get('a')).toBeUndefined();
    expect((await repo.list()).map((p) => p.id)).toEqual(['b']);
  });

  it('getDefault is undefined until one is set', async () => {
    await repo.put(makePersona({ id: 'a', updatedAt: 1 }));
    expect(await repo.getDefault()).toBeUndefined();
    expect(await repo.replace(makePersona({ id: 'a', isDefault: true, updatedAt: 2 }), 1)).toBe('saved');
    expect((await repo.getDefault())?.id).toBe('a');
  });

  it('replacing a persona as the default leaves exactly one default', async () => {
    await repo.put(makePersona({ id: 'a', isDefault: true }));
    await repo.put(makePersona({ id: 'b', updatedAt: 1 }));
    await repo.replace(makePersona({ id: 'b', isDefault: true, updatedAt: 2 }), 1);
    expect(await defaults()).toEqual(['b']);
  });

  it('replace refuses, changing nothing, when the persona was saved or deleted since the edit began', async () => {
    await repo.put(makePersona({ id: 'a', name: 'Saved elsewhere', isDefault: true, updatedAt: 5 }));
    expect(await repo.replace(makePersona({ id: 'a', name: 'Mine', isDefault: true, updatedAt: 6 }), 4)).toBe('changed');
    expect(await repo.replace(makePersona({ id: 'ghost', isDefault: true, updatedAt: 6 }), 4)).toBe('gone');
    expect(await repo.list()).toMatchObject([{ id: 'a', name: 'Saved elsewhere', updatedAt: 5 }]);
  });

  it('addDefault stores a new default only while there is none', async () => {
    expect(await repo.addDefault(makePersona({ id: 'a' }))).toBe('saved');
    expect(await defaults()).toEqual(['a']);
    expect(await repo.addDefault(makePersona({ id: 'b' }))).toBe('changed');
    expect((await repo.list()).map((p) => p.id)).toEqual(['a']);
  });

  it('putting a default persona clears the flag on the others', async () => {
    await repo.put(makePersona({ id: 'a', isDefault: true }));
    await repo.put(makePersona({ id: 'b', isDefault: true }));
    expect(await defaults()).toEqual(['b']);
    await repo.put(makePersona({ id: 'b', name: 'Renamed', isDefault: true }));
    expect(await defaults()).toEqual(['b']);
  });

  it('removing the default leaves none', async () => {
    await repo.put(makePersona({ id: 'a', isDefault: true }));
    await repo.put(makePersona({ id: 'b' }));
    await repo.remove('a');
    expect(await repo.getDefault()).toBeUndefined();
  });
});
