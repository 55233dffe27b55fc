// A lorebook attached to one character goes with it on delete (and comes back on Undo), so the
// next backup does not carry a book that points at nobody, which restoring would refuse.

import { describe, expect, it } from 'vitest';
import { readBackup } from '../../../src/core/backup';
import type { StoredLorebook } from '../../../src/core/types';
import type { Repositories } from '../../../src/storage';
import type { AppDatabase } from '../../../src/storage/db';
import { freshRepositoriesEachTest, makeCharacter } from './helpers';

let db: AppDatabase;
let repos: Repositories;
freshRepositoriesEachTest((fresh) => ({ db, repos } = fresh));

function book(id: string, characterId?: string): StoredLorebook {
  return { id, enabled: true, book: { name: id, extensions: {}, entries: [] }, ...(characterId ? { characterId } : {}), createdAt: 1, updatedAt: 1 };
}

describe('deleting a character with a lorebook attached to it', () => {
  it('takes the attached book along, keeps the others, and a backup made afterwards can be restored', async () => {
    await repos.characters.bulkPut([makeCharacter({ id: 'c', name: 'Cat' }), makeCharacter({ id: 'd', name: 'Dog' })]);
    await db.lorebooks.bulkAdd([book('cats', 'c'), book('dogs', 'd'), book('world')]);

    const snapshot = await repos.characters.removeWithUndo('c');
    expect((await db.lorebooks.orderBy('id').primaryKeys())).toEqual(['dogs', 'world']);

    const { bytes } = await repos.backup.create({ appVersion: 'test', createdAt: 1 });
    const backup = readBackup(bytes); // refused as damaged while an orphaned book was in it
    expect(backup.rows.lorebooks.map((b) => b.id).sort()).toEqual(['dogs', 'world']);
    await repos.backup.restore(backup, 'replace');

    await repos.characters.restore(snapshot!);
    expect(await db.lorebooks.get('cats')).toEqual(book('cats', 'c'));
  });

  it('remove() takes it along too', async () => {
    await repos.characters.put(makeCharacter({ id: 'c', name: 'Cat' }));
    await db.lorebooks.bulkAdd([book('cats', 'c'), book('world')]);
    await repos.characters.remove('c');
    expect(await db.lorebooks.orderBy('id').primaryKeys()).toEqual(['world']);
  });
});
