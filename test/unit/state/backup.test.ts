import { afterEach, describe, expect, it } from 'vitest';
import { BACKUP_TABLES } from '../../../src/core/backup';
import { DEFAULT_SAMPLING } from '../../../src/core/types';
import { appWithRepos } from '../helpers/test-app';
import { BackupState } from '../../../src/state/backup.svelte';
import { createRepositories, type Repositories } from '../../../src/storage';
import { openDatabase, type AppDatabase } from '../../../src/storage/db';
import { ScriptedEngine } from '../helpers/scripted-engine';
import { freshDb, makeChain, makeCharacter, makeConversation, makePersona } from '../storage/helpers';

let dbs: AppDatabase[] = [];
afterEach(async () => {
  for (const db of dbs) (db.close(), await db.delete());
  dbs = [];
});

async function setup(estimate?: () => Promise<{ usage?: number; quota?: number }>) {
  const db = await freshDb();
  dbs.push(db);
  const repos = createRepositories(db);
  let reloads = 0;
  let stops = 0;
  const state = new BackupState({
    repository: () => repos.backup,
    reload: async () => void (reloads += 1),
    stopWriters: () => void (stops += 1),
    appVersion: '0.1.0',
    estimate,
    now: () => new Date(2026, 10, 22, 9, 30).getTime(),
  });
  return { db, repos, state, reloads: () => reloads, stops: () => stops };
}

async function seed(repos: Repositories, name: string): Promise<void> {
  await repos.characters.put(makeCharacter({ id: name, name }));
  await repos.conversations.create(makeConversation(name, { id: `${name}-chat`, messageCount: 3 }), makeChain(`${name}-chat`, 3));
  await repos.personas.put(makePersona({ id: `${name}-me`, name: `${name}'s friend`, isDefault: true }));
}

async function dump(db: AppDatabase) {
  return Object.fromEntries(await Promise.all(BACKUP_TABLES.map(async (t) => [t, await db.table(t).orderBy(':id').toArray()])));
}

describe('BackupState', () => {
  it('downloads a dated file and restores it elsewhere with a summary, then reloads the app', async () => {
    const from = await setup();
    await seed(from.repos, 'alice');
    const file = await from.state.create();
    expect(file?.fileName).toBe('hearth-backup-2026-11-22-0930.zip');

    const to = await setup();
    await seed(to.repos, 'bob');
    const result = await to.state.restore(new File([file!.blob], file!.fileName), 'replace');
    expect(to.state.error).toBeNull();
    expect(result).toMatchObject({ mode: 'replace', fileName: file!.fileName, written: { characters: 1, conversations: 1, messages: 3 } });
    expect(to.state.lastRestore).toEqual(result);
    expect(to.reloads()).toBe(1);
    expect(await dump(to.db)).toEqual(await dump(from.db));
    expect(to.state.phase).toBe('idle');
  });

  it('restores a lorebook left behind by a deleted character as a global book and says so', async () => {
    const from = await setup();
    await seed(from.repos, 'alice');
    // Older versions kept a deleted character's books: put one in as they left it.
    await from.db.lorebooks.put({ id: 'orphan', characterId: 'deleted', enabled: true, book: { name: 'Old world', extensions: {}, entries: [] }, createdAt: 1, updatedAt: 1 });
    const file = await from.state.create();

    const to = await setup();
    const result = await to.state.restore(new File([file!.blob], file!.fileName), 'replace');
    expect(to.state.error).toBeNull();
    expect(result).toMatchObject({ detachedLorebooks: 1, written: { characters: 1, lorebooks: 1 } });
    const book = await to.repos.lorebooks.get('orphan');
    expect(book?.characterId).toBeUndefined();
    expect((await to.repos.lorebooks.activeFor('alice')).map((b) => b.id)).toEqual(['orphan']);
  });

  it('names the row when a value cannot go into a backup', async () => {
    const { repos, state } = await setup();
    await repos.settings.set('odd', new Map([['a', 1]]));
    expect(await state.create()).toBeNull();
    expect(state.error?.code).toBe('bad-backup');
    expect(state.error?.details).toMatchObject({ reason: 'unsupported-value', path: 'settings[0].value' });
  });

  it('rejects a file that is not a backup with its reason, changing nothing', async () => {
    const { db, repos, state, reloads } = await setup();
    await seed(repos, 'alice');
    const before = await dump(db);
    const result = await state.restore(new File(['{"spec":"chara_card_v3"}'], 'alice.json'), 'replace');
    expect(result).toBeNull();
    expect(state.error?.code).toBe('bad-backup');
    expect(state.error?.details.reason).toBe('not-a-backup');
    expect(await dump(db)).toEqual(before);
    expect(reloads()).toBe(0);
  });

  it('turns a full disk into a quota error that says how much room is needed and what is free', async () => {
    const from = await setup();
    await seed(from.repos, 'alice');
    const file = await from.state.create();
    const to = await setup(async () => ({ usage: 9 * 1024 * 1024, quota: 10 * 1024 * 1024 }));
    await seed(to.repos, 'bob');
    const before = await dump(to.db);

    const proto = globalThis.IDBObjectStore.prototype;
    const add = proto.add;
    proto.add = function () {
      throw new DOMException('Quota exceeded', 'QuotaExceededError');
    };
    try {
      expect(await to.state.restore(new File([file!.blob], 'b.zip'), 'replace')).toBeNull();
    } finally {
      proto.add = add;
    }
    expect(to.state.error?.code).toBe('quota');
    expect(to.state.error?.message).toMatch(/needs about \d+\.\d MB and about 1\.0 MB is free\. Nothing was changed\./);
    expect(Number(to.state.error?.details.needed)).toBeGreaterThan(0);
    expect(await dump(to.db)).toEqual(before);
  });

  it('delete all data stops a streaming reply, empties storage and reloads', async () => {
    const { db, repos, state, reloads, stops } = await setup();
    await seed(repos, 'alice');
    expect(await state.deleteAll()).toBe(true);
    expect(await db.characters.count()).toBe(0);
    expect(await db.messages.count()).toBe(0);
    expect(reloads()).toBe(1);
    expect(stops()).toBe(1);
  });
});

describe('AppState with backups', () => {
  function makeApp(dbName: string) {
    return appWithRepos({
      openRepositories: async () => createRepositories(await openDatabase(dbName)),
      loadBuiltinPacks: async () => [],
      engines: { createEngine: async () => new ScriptedEngine(), probeGpu: async () => ({ webgpu: false, reason: 'test', shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0, vendor: '', architecture: '' }) },
    });
  }

  it('shows restored characters, persona and sampling at once, and nothing after delete all data', async () => {
    const from = makeApp(`app-${crypto.randomUUID()}`);
    await from.start();
    await from.repos.characters.put(makeCharacter({ id: 'alice', name: 'Alice' }));
    await from.savePersona('Lin', 'A visitor');
    await from.saveSampling({ ...from.sampling, temperature: 0.2 });
    const file = await from.backup.create();

    const to = makeApp(`app-${crypto.randomUUID()}`);
    await to.start();
    expect(to.characters).toEqual([]);
    await to.backup.restore(new File([file!.blob], file!.fileName), 'merge');
    expect(to.backup.error).toBeNull();
    expect(to.characters.map((c) => c.name)).toEqual(['Alice']);
    expect(to.persona?.name).toBe('Lin');
    expect(to.sampling.temperature).toBe(0.2);

    expect(await to.backup.deleteAll()).toBe(true);
    expect(to.characters).toEqual([]);
    expect(to.persona).toBeNull();
    expect(to.sampling).toEqual(DEFAULT_SAMPLING);
  });
});
