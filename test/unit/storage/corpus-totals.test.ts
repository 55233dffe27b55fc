// A character's corpus totals (scenes, tokens) are kept on its row by every write of its scenes, so
// the character page shows them without reading a scene row; rows stored before are counted once.
import { describe, expect, it } from 'vitest';
import { readBackup } from '../../../src/core/backup';
import type { Repositories } from '../../../src/storage';
import type { AppDatabase } from '../../../src/storage/db';
import { BACKUP_META, freshRepositories, freshRepositoriesEachTest, makeCharacter, makeScene } from './helpers';

let db: AppDatabase;
let repos: Repositories;
freshRepositoriesEachTest((fresh) => ({ db, repos } = fresh));

const stored = async (id: string) => (await repos.characters.get(id))?.corpus;

async function importKeeper(id = 'keeper', replaceId?: string) {
  const scenes = [makeScene(id, { tokens: 10 }), makeScene(id, { tokens: 20 }), makeScene(id, { tokens: 5, kind: 'knowledge' })];
  await repos.imports.commit({ characters: [{ character: makeCharacter({ id }), scenes, ...(replaceId ? { replaceId } : {}) }], lorebooks: [] });
}

describe('corpus totals on the character row', () => {
  it('an import stores them with the character', async () => {
    await importKeeper();
    expect(await stored('keeper')).toEqual({ scenes: 3, tokens: 35 });
    expect(await repos.scenes.stats('keeper')).toEqual({ scenes: 3, tokens: 35 });
  });

  it('adding scenes adds to them, removing the corpus zeroes them', async () => {
    await importKeeper();
    await repos.scenes.bulkAdd([makeScene('keeper', { tokens: 7 }), makeScene('keeper', { tokens: 8 })]);
    expect(await stored('keeper')).toEqual({ scenes: 5, tokens: 50 });
    expect(await repos.scenes.removeForCharacter('keeper')).toBe(5);
    expect(await stored('keeper')).toEqual({ scenes: 0, tokens: 0 });
    expect(await repos.scenes.stats('keeper')).toEqual({ scenes: 0, tokens: 0 });
  });

  it('an import replacing a character gives the new one its own totals', async () => {
    await importKeeper('old');
    await repos.scenes.bulkAdd([makeScene('old', { tokens: 100 })]);
    await importKeeper('new', 'old');
    expect(await repos.characters.get('old')).toBeUndefined();
    expect(await stored('new')).toEqual({ scenes: 3, tokens: 35 });
  });

  it('a copy and an undone delete carry the totals of their scenes', async () => {
    await importKeeper();
    await repos.characters.duplicate('keeper', makeCharacter({ id: 'copy' }));
    expect(await stored('copy')).toEqual({ scenes: 3, tokens: 35 });
    const snapshot = await repos.characters.removeWithUndo('keeper');
    await repos.characters.restore(snapshot!);
    expect(await stored('keeper')).toEqual({ scenes: 3, tokens: 35 });
  });

  it('a backup keeps them and a restore brings them back', async () => {
    await importKeeper();
    const backup = readBackup((await repos.backup.create(BACKUP_META)).bytes);
    const target = await freshRepositories();
    await target.repos.backup.restore(backup, 'replace');
    expect((await target.repos.characters.get('keeper'))?.corpus).toEqual({ scenes: 3, tokens: 35 });
    await target.db.delete();
  });

  it('a character stored before totals were kept is counted once, then read from its row', async () => {
    await repos.characters.put(makeCharacter({ id: 'old' }));
    await db.scenes.bulkAdd([makeScene('old', { tokens: 3 }), makeScene('old', { tokens: 4 })]);
    expect(await stored('old')).toBeUndefined();
    expect(await repos.scenes.stats('old')).toEqual({ scenes: 2, tokens: 7 });
    expect(await stored('old')).toEqual({ scenes: 2, tokens: 7 });
    // From now on the row answers: a scene row changed behind the repository's back is not read.
    await db.scenes.where('characterId').equals('old').modify({ tokens: 1000 });
    expect(await repos.scenes.stats('old')).toEqual({ scenes: 2, tokens: 7 });
  });

  it('totals that disagree with the scene count (an old copy of the row saved back) are counted again', async () => {
    await importKeeper();
    await repos.characters.put({ ...(await repos.characters.get('keeper'))!, corpus: { scenes: 1, tokens: 1 } });
    expect(await repos.scenes.stats('keeper')).toEqual({ scenes: 3, tokens: 35 });
    expect(await stored('keeper')).toEqual({ scenes: 3, tokens: 35 });
  });
});
