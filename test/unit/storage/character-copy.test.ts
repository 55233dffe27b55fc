// Duplicating a character with its corpus, and reading a corpus by page: storage-level guarantees.

import { describe, expect, it } from 'vitest';
import type { AppDatabase } from '../../../src/storage/db';
import type { Repositories } from '../../../src/storage';
import { freshRepositoriesEachTest, makeCharacter, makeScene } from './helpers';

let db: AppDatabase;
let repos: Repositories;
freshRepositoriesEachTest((fresh) => ({ db, repos } = fresh));

describe('CharacterRepository.duplicate', () => {
  it('copies the character and every scene under new ids, leaving the source untouched', async () => {
    await repos.characters.put(makeCharacter({ id: 'src' }));
    await repos.scenes.bulkAdd([makeScene('src', { id: 'a' }), makeScene('src', { id: 'b' }), makeScene('other', { id: 'c' })]);
    const copied = await repos.characters.duplicate('src', makeCharacter({ id: 'copy', name: 'Alice (copy)' }));
    expect(copied).toBe(2);
    const scenes = await repos.scenes.listForCharacter('copy');
    expect(scenes).toHaveLength(2);
    expect(scenes.map((s) => s.id)).not.toContain('a');
    expect(scenes[0].vectors[0].dim).toBe(3);
    expect((await repos.scenes.listForCharacter('src')).map((s) => s.id).sort()).toEqual(['a', 'b']);
  });

  it('is all or nothing: a copy whose id is taken adds no scenes', async () => {
    await repos.characters.bulkPut([makeCharacter({ id: 'src' }), makeCharacter({ id: 'taken', name: 'Bob' })]);
    await repos.scenes.bulkAdd([makeScene('src', { id: 'a' })]);
    await expect(repos.characters.duplicate('src', makeCharacter({ id: 'taken', name: 'Alice (copy)' }))).rejects.toThrow();
    expect(await repos.scenes.count('taken')).toBe(0);
    expect((await repos.characters.get('taken'))!.name).toBe('Bob');
  });
});
