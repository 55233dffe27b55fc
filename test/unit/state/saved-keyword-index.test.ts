// A character's keyword index is saved in the settings table after it is built, and the next
// session loads it instead of indexing the corpus again; a saved index of another corpus (or a
// damaged one) is rebuilt. Backups leave it out; deleting the character removes it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBackup } from '../../../src/core/backup';
import { savedKeywordIndexKey, type SavedKeywordIndexes } from '../../../src/core/retrieval/saved-index';
import type { Scene } from '../../../src/core/types';
import { CharacterRetrieval, type SavedIndexStore } from '../../../src/state/character-retrieval';
import { savedIndexesIn } from '../../../src/state/saved-keyword-indexes';
import { createRepositories, type Repositories } from '../../../src/storage';
import { AppDatabase } from '../../../src/storage/db';
import { BACKUP_META, makeCharacter } from '../storage/helpers';

const keeper = { id: 'keeper', language: 'en' as const };

function scene(i: number, text: string, kind?: 'knowledge'): Scene {
  return { id: `s-${String(i).padStart(4, '0')}`, characterId: 'keeper', title: `Log ${i}`, text, lines: [], tokens: 10, source: 'chatharuhi', vectors: [], ...(kind ? { kind } : {}) };
}

const CORPUS = [
  ...Array.from({ length: 300 }, (_, i) => scene(i, `Keeper:「Entry ${i}: wind, tide and lamp oil.」`)),
  scene(300, 'Keeper:「The fog bell rang at dawn.」'),
  scene(301, 'The lighthouse lens was ground in Paris in 1871.', 'knowledge'),
];
const QUERIES = ['fog bell', 'wind tide', 'lamp oil entry 42', 'Who made the lens?'];

let db: AppDatabase;
let repos: Repositories;
/** The settings-backed store, counting the saves (a save follows every build). */
let saves: number;
let store: SavedIndexStore;

beforeEach(async () => {
  db = new AppDatabase(`saved-index-${crypto.randomUUID()}`);
  await db.open();
  repos = createRepositories(db);
  saves = 0;
  const settings = savedIndexesIn(repos.settings);
  store = { get: settings.get, put: async (id, saved) => (saves++, settings.put(id, saved)) };
  await repos.characters.put(makeCharacter({ id: 'keeper' }));
  await repos.scenes.bulkAdd(CORPUS);
});
afterEach(() => db.close());

/** A new session: a new retrieval service on the same database. */
const session = () => new CharacterRetrieval({ scenes: repos.scenes, savedIndexes: store });

async function rankings(retrieval: CharacterRetrieval): Promise<string[][]> {
  const out: string[][] = [];
  for (const query of QUERIES) out.push((await retrieval.search(keeper, query, undefined, 5)).scenes.map((s) => `${s.id}:${s.score.toFixed(6)}`));
  return out;
}

/** Waits until the index built by a search is saved (it is saved after the search returns). */
async function savedIndex(): Promise<SavedKeywordIndexes | undefined> {
  await expect.poll(() => repos.settings.get(savedKeywordIndexKey('keeper'), undefined)).toBeDefined();
  return repos.settings.get<SavedKeywordIndexes | undefined>(savedKeywordIndexKey('keeper'), undefined);
}

describe('the saved keyword index', () => {
  it('is saved after the first build, and the next session finds the same scenes with the same scores without building it again', async () => {
    const fresh = await rankings(new CharacterRetrieval({ scenes: repos.scenes }));
    const first = await rankings(session());
    expect(first).toEqual(fresh);
    expect(first[0][0]).toMatch(/^s-0300:/);
    expect((await savedIndex())?.indexes.dialogue.ids).toHaveLength(301);
    expect(saves).toBe(1);

    expect(await rankings(session())).toEqual(fresh);
    expect(saves).toBe(1); // loaded, not rebuilt
  });

  it('of another corpus (scenes added since) is rebuilt, finding the new scenes, and saved over', async () => {
    await session().warm('keeper');
    const before = (await savedIndex())!.fingerprint;
    await repos.scenes.bulkAdd([scene(302, 'Keeper:「A seal slept on the jetty.」')]);
    const { scenes } = await session().search(keeper, 'seal jetty');
    expect(scenes[0].id).toBe('s-0302');
    await expect.poll(async () => (await savedIndex())!.fingerprint).not.toBe(before);
    expect(saves).toBe(2);
  });

  it('of the same size but other scenes (a corpus replaced) is rebuilt', async () => {
    await session().warm('keeper');
    await repos.scenes.removeForCharacter('keeper');
    await repos.scenes.bulkAdd(CORPUS.map((s) => (s.id === 's-0300' ? { ...s, id: 's-9999', text: 'Keeper:「The seal came back.」' } : s)));
    const { scenes } = await session().search(keeper, 'seal');
    expect(scenes[0].id).toBe('s-9999');
  });

  it('that is damaged is rebuilt, with the same results as a fresh index', async () => {
    const fresh = await rankings(new CharacterRetrieval({ scenes: repos.scenes }));
    await session().warm('keeper');
    const saved = (await savedIndex())!;
    await repos.settings.set(savedKeywordIndexKey('keeper'), { ...saved, indexes: { ...saved.indexes, dialogue: { ...saved.indexes.dialogue, postings: 'broken' } } });
    expect(await rankings(session())).toEqual(fresh);
    // Saved over after the search that rebuilt it (a yield later).
    await expect.poll(() => saves).toBe(2);
  });

  it('is left out of backups and goes with its character', async () => {
    await session().warm('keeper');
    await savedIndex();
    const backup = readBackup((await repos.backup.create(BACKUP_META)).bytes);
    expect(backup.rows.settings.map((row) => row.key)).not.toContain(savedKeywordIndexKey('keeper'));
    await repos.characters.remove('keeper');
    expect(await repos.settings.get(savedKeywordIndexKey('keeper'), null)).toBeNull();
  });
});
