// Saving an import never stores a row that a backup could not restore or that would stop the app at
// start-up: a row past the readers' caps is refused, naming it, and nothing is written.
import { describe, expect, it } from 'vitest';
import { ImportFailure } from '../../../src/core/import/failure';
import type { Character } from '../../../src/core/types';
import type { Repositories } from '../../../src/storage';
import type { AppDatabase } from '../../../src/storage/db';
import { dumpAllTables, freshRepositoriesEachTest, makeCharacter, makeScene } from './helpers';

let db: AppDatabase;
let repos: Repositories;
freshRepositoriesEachTest((fresh) => ({ db, repos } = fresh));

describe('ImportRepository.commit', () => {
  it('refuses a batch holding a row the row schemas refuse, naming table, row and field, and writes nothing', async () => {
    await repos.characters.put(makeCharacter({ id: 'here' }));
    const before = await dumpAllTables(db);
    const good = makeCharacter({ id: 'good' });
    const bad = { ...makeCharacter({ id: 'bad' }), tags: 'not a list' } as unknown as Character;
    const failure = await repos.imports
      .commit({ characters: [{ character: good, scenes: [makeScene('good')] }, { character: bad, scenes: [] }], lorebooks: [] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ImportFailure);
    expect((failure as ImportFailure).reason).toBe('wrong-shape');
    expect((failure as ImportFailure).details).toMatchObject({ table: 'characters', row: 2, field: 'tags' });
    expect((failure as ImportFailure).message).toMatch(/row 2 of characters \(id bad\): tags/);
    expect(await dumpAllTables(db)).toEqual(before);
  });

  it('refuses a scene with more lines than a backup holds', async () => {
    const character = makeCharacter({ id: 'long' });
    const lines = Array.from({ length: 200_001 }, () => ({ speaker: 'A', text: 'a' }));
    const failure = await repos.imports.commit({ characters: [{ character, scenes: [makeScene('long', { lines })] }], lorebooks: [] }).catch((error: unknown) => error);
    expect((failure as ImportFailure).details).toMatchObject({ table: 'scenes', field: 'lines' });
    expect(await repos.characters.get('long')).toBeUndefined();
  });
});
