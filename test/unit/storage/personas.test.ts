import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
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
    await repo.put(makePersona({ id: 'a' }));
    expect(await repo.getDefault()).toBeUndefined();
    await repo.setDefault('a');
    expect((await repo.getDefault())?.id).toBe('a');
  });

  it('setDefault leaves exactly one default', async () => {
    await repo.put(makePersona({ id: 'a', isDefault: true }));
    await repo.put(makePersona({ id: 'b' }));
    await repo.put(makePersona({ id: 'c' }));
    await repo.setDefault('b');
    expect(await defaults()).toEqual(['b']);
    await repo.setDefault('b');
    expect(await defaults()).toEqual(['b']);
    await repo.setDefault('c');
    expect(await defaults()).toEqual(['c']);
    expect((await repo.getDefault())?.id).toBe('c');
  });

  it('putting a default persona clears the flag on the others', async () => {
    await repo.put(makePersona({ id: 'a', isDefault: true }));
    await repo.put(makePersona({ id: 'b', isDefault: true }));
    expect(await defaults()).toEqual(['b']);
    await repo.put(makePersona({ id: 'b', name: 'Renamed', isDefault: true }));
    expect(await defaults()).toEqual(['b']);
  });

  it('setDefault of an unknown persona fails and changes nothing', async () => {
    await repo.put(makePersona({ id: 'a', isDefault: true }));
    const error = await repo.setDefault('ghost').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('not-found');
    expect(await defaults()).toEqual(['a']);
  });

  it('removing the default leaves none', async () => {
    await repo.put(makePersona({ id: 'a', isDefault: true }));
    await repo.put(makePersona({ id: 'b' }));
    await repo.remove('a');
    expect(await repo.getDefault()).toBeUndefined();
  });
});
