import { afterEach, describe, expect, it } from 'vitest';
import type { StoredLorebook } from '../../../src/core/types';
import type { AppDatabase } from '../../../src/storage/db';
import { LorebookRepository } from '../../../src/storage/lorebooks';
import { freshDb } from './helpers';

function book(over: Partial<StoredLorebook>): StoredLorebook {
  return {
    id: crypto.randomUUID(),
    enabled: true,
    book: { extensions: {}, entries: [] },
    createdAt: 1,
    updatedAt: 1,
    ...over,
  };
}

describe('LorebookRepository', () => {
  let db: AppDatabase;
  afterEach(async () => {
    db.close();
    await db.delete();
  });

  it('gives a chat the global books and the character’s own, not other characters’ or disabled ones', async () => {
    db = await freshDb();
    const repo = new LorebookRepository(db);
    const global = book({ id: 'g', updatedAt: 3 });
    const mine = book({ id: 'mine', characterId: 'alice', updatedAt: 2 });
    await repo.put(global);
    await repo.put(mine);
    await repo.put(book({ id: 'other', characterId: 'bob' }));
    await repo.put(book({ id: 'off', enabled: false }));
    expect((await repo.activeFor('alice')).map((b) => b.id)).toEqual(['g', 'mine']);
    await repo.remove('g');
    expect((await repo.activeFor('alice')).map((b) => b.id)).toEqual(['mine']);
  });
});
