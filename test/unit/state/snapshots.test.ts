// Automatic rolling backups over an in-memory file store and a real (fake-indexeddb) database:
// the newest five kept, the daily rule, a snapshot before restore and delete all that holds what
// was there, and a failing snapshot that asks before anything is replaced.

import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, snapshotName } from '../../../src/core/snapshots';
import { BackupState } from '../../../src/state/backup.svelte';
import { AutoBackups } from '../../../src/state/snapshots.svelte';
import { createRepositories, type Repositories } from '../../../src/storage';
import { openDatabase, SCHEMA_V1, type AppDatabase } from '../../../src/storage/db';
import { readRowsBeforeUpgrade } from '../../../src/storage/pre-upgrade';
import { ScriptedEngine } from '../helpers/scripted-engine';
import { appWithRepos } from '../helpers/test-app';
import { MemorySnapshotFiles } from '../helpers/memory-snapshot-files';
import { dumpAllTables, freshDb, freshName, makeChain, makeCharacter, makeConversation, makePersona } from '../storage/helpers';

let dbs: AppDatabase[] = [];
afterEach(async () => {
  for (const db of dbs) (db.close(), await db.delete());
  dbs = [];
});

const START = Date.UTC(2026, 11, 3, 9, 0);

async function setup() {
  const db = await freshDb();
  dbs.push(db);
  const repos = createRepositories(db);
  const files = new MemorySnapshotFiles();
  const clock = { now: START };
  const snapshots = new AutoBackups({
    files,
    create: async (createdAt) => (await repos.backup.create({ appVersion: '0.1.0', createdAt })).bytes,
    hasData: () => repos.backup.hasUserData(),
    now: () => clock.now,
  });
  let reloads = 0;
  const backup = new BackupState({ repository: () => repos.backup, reload: async () => void (reloads += 1), appVersion: '0.1.0', snapshots, now: () => clock.now });
  return { db, repos, files, clock, snapshots, backup, reloads: () => reloads };
}

async function seed(repos: Repositories, name: string): Promise<void> {
  await repos.characters.put(makeCharacter({ id: name, name, origin: 'user' }));
  await repos.conversations.create(makeConversation(name, { id: `${name}-chat`, messageCount: 3 }), makeChain(`${name}-chat`, 3));
  await repos.personas.put(makePersona({ id: `${name}-me`, name: `${name}'s friend`, isDefault: true }));
}

describe('automatic backups', () => {
  it('keeps the newest five, deleting older ones, listed newest first with size and reason', async () => {
    const { repos, files, clock, snapshots } = await setup();
    await seed(repos, 'alice');
    for (let i = 0; i < 7; i++) {
      clock.now = START + i * DAY_MS;
      await snapshots.take(i % 2 ? 'before-restore' : 'daily');
    }
    const kept = [6, 5, 4, 3, 2].map((i) => START + i * DAY_MS);
    expect(snapshots.list.map((s) => s.createdAt)).toEqual(kept);
    expect(snapshots.list.map((s) => s.reason)).toEqual(['daily', 'before-restore', 'daily', 'before-restore', 'daily']);
    expect([...files.files.keys()].sort()).toEqual(snapshots.list.map((s) => s.name).sort());
    for (const s of snapshots.list) expect(s.size).toBe(files.files.get(s.name)!.length);
    expect(snapshots.list[0].size).toBeGreaterThan(0);
  });

  it('keeps the one just taken even when the clock was set back before it', async () => {
    const { repos, clock, snapshots } = await setup();
    await seed(repos, 'alice');
    for (let i = 0; i < 5; i++) ((clock.now = START + i * DAY_MS), await snapshots.take('daily'));
    clock.now = START - DAY_MS;
    const taken = await snapshots.take('before-restore');
    expect(snapshots.list).toHaveLength(5);
    expect(snapshots.list.map((s) => s.name)).toContain(taken.name);
  });

  it('takes the daily one only when there is data of the person and the newest is a day old', async () => {
    const { repos, files, clock, snapshots } = await setup();
    // A fresh install: built-in characters only.
    await repos.characters.put(makeCharacter({ id: 'builtin', origin: 'builtin' }));
    expect(await snapshots.takeDailyIfDue()).toBeNull();
    expect(files.files.size).toBe(0);

    await seed(repos, 'alice');
    expect((await snapshots.takeDailyIfDue())?.reason).toBe('daily');
    clock.now = START + DAY_MS - 60_000;
    expect(await snapshots.takeDailyIfDue()).toBeNull();
    clock.now = START + DAY_MS;
    expect((await snapshots.takeDailyIfDue())?.createdAt).toBe(START + DAY_MS);
    expect(snapshots.list).toHaveLength(2);
  });

  it('ignores files in the folder that are not snapshots', async () => {
    const { files, snapshots } = await setup();
    files.files.set('notes.txt', new Uint8Array(3));
    files.files.set(snapshotName(START, 'daily'), new Uint8Array(10));
    await snapshots.refresh();
    expect(snapshots.list).toEqual([{ name: snapshotName(START, 'daily'), createdAt: START, reason: 'daily', size: 10 }]);
  });
});

describe('snapshots before replacing data', () => {
  it('a restore takes a snapshot of what was here first, and restoring that snapshot brings it back', async () => {
    const here = await setup();
    await seed(here.repos, 'alice');
    const before = await dumpAllTables(here.db);
    const other = await setup();
    await seed(other.repos, 'bob');
    const file = await other.backup.create();

    here.clock.now = START + 1000;
    expect(await here.backup.restore(new File([file!.blob], file!.fileName), 'replace')).not.toBeNull();
    expect(here.snapshots.list.map((s) => s.reason)).toEqual(['before-restore']);
    expect((await here.repos.characters.get('alice'))).toBeUndefined();

    here.clock.now = START + 2000;
    const result = await here.backup.restoreSnapshot(here.snapshots.list[0], 'replace');
    expect(here.backup.error).toBeNull();
    expect(result?.written.characters).toBe(1);
    expect(await dumpAllTables(here.db)).toEqual(before);
    // Restoring from a snapshot is a restore too: what it replaced was kept as well.
    expect(here.snapshots.list.map((s) => s.reason)).toEqual(['before-restore', 'before-restore']);
  });

  it('delete all takes a snapshot first that restores everything', async () => {
    const { db, repos, snapshots, backup } = await setup();
    await seed(repos, 'alice');
    const before = await dumpAllTables(db);
    expect(await backup.deleteAll()).toBe(true);
    expect(await db.characters.count()).toBe(0);
    expect(snapshots.list.map((s) => s.reason)).toEqual(['before-delete-all']);
    await backup.restoreSnapshot(snapshots.list[0], 'replace');
    expect(await dumpAllTables(db)).toEqual(before);
  });

  it('a snapshot that cannot be written stops the restore and asks: answering no changes nothing, yes restores', async () => {
    const here = await setup();
    await seed(here.repos, 'alice');
    const before = await dumpAllTables(here.db);
    const other = await setup();
    await seed(other.repos, 'bob');
    const made = await other.backup.create();
    const file = new File([made!.blob], made!.fileName);

    here.files.failWrites = true;
    expect(await here.backup.restore(file, 'replace')).toBeNull();
    expect(here.backup.snapshotFailure).toMatchObject({ action: 'restore', error: { code: 'quota' } });
    expect(here.backup.phase).toBe('idle');
    expect(await dumpAllTables(here.db)).toEqual(before);
    expect(here.files.files.size).toBe(0);

    await here.backup.answerSnapshotFailure(false);
    expect(here.backup.snapshotFailure).toBeNull();
    expect(await dumpAllTables(here.db)).toEqual(before);
    expect(here.reloads()).toBe(0);

    expect(await here.backup.restore(file, 'replace')).toBeNull();
    const result = await here.backup.answerSnapshotFailure(true);
    expect(result).toMatchObject({ mode: 'replace', written: { characters: 1 } });
    expect(await here.repos.characters.get('bob')).toBeDefined();
    expect(await here.repos.characters.get('alice')).toBeUndefined();
    expect(here.reloads()).toBe(1);
  });

  it('a snapshot that cannot be written before delete all asks too, and deletes only when told to', async () => {
    const { db, repos, files, backup } = await setup();
    await seed(repos, 'alice');
    const before = await dumpAllTables(db);
    files.failWrites = true;
    expect(await backup.deleteAll()).toBe(false);
    expect(backup.snapshotFailure?.action).toBe('delete-all');
    expect(await dumpAllTables(db)).toEqual(before);
    expect(await backup.answerSnapshotFailure(true)).toBe(true);
    expect(await db.characters.count()).toBe(0);
  });
});

describe('a snapshot before a schema upgrade', () => {
  /** A database exactly as version 1 of the app wrote it: messages without history, conversations without counts. */
  async function versionOneDatabase(name: string): Promise<void> {
    const v1 = new Dexie(name);
    v1.version(1).stores(SCHEMA_V1);
    await v1.open();
    await v1.table('characters').put(makeCharacter({ id: 'c1', name: 'Old friend', origin: 'user' }));
    await v1.table('personas').put(makePersona({ id: 'p1', name: 'Lin', isDefault: true }));
    await v1.table('conversations').put({ id: 'k1', characterId: 'c1', title: 'First', leafId: 'm2', createdAt: 10, updatedAt: 20 });
    await v1.table('messages').bulkPut([
      { id: 'm1', conversationId: 'k1', parentId: null, role: 'assistant', content: 'one', status: 'done', createdAt: 10 },
      { id: 'm2', conversationId: 'k1', parentId: 'm1', role: 'user', content: 'two', createdAt: 20 },
    ]);
    await v1.table('settings').put({ key: 'storage.persistAsked', value: true });
    v1.close();
  }

  it('reads nothing (and creates no database) for a new or a current database', async () => {
    const name = freshName();
    expect(await readRowsBeforeUpgrade(indexedDB, IDBKeyRange, name)).toBeNull();
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(name);
    const db = await openDatabase(name);
    dbs.push(db);
    db.close();
    expect(await readRowsBeforeUpgrade(indexedDB, IDBKeyRange, name)).toBeNull();
  });

  it('keeps the rows of an older database as a snapshot before upgrading it; restoring it gives them back', async () => {
    const name = freshName();
    await versionOneDatabase(name);
    const files = new MemorySnapshotFiles();
    let db: AppDatabase | null = null;
    const app = appWithRepos({
      openRepositories: async (hooks) => createRepositories((db = await openDatabase(name, hooks))),
      loadBuiltinPacks: async () => [],
      engines: { createEngine: async () => new ScriptedEngine(), probeGpu: async () => ({ webgpu: false, reason: 'test', shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0, vendor: '', architecture: '' }) },
      snapshotFiles: files,
    });
    await app.start();
    dbs.push(db!);
    expect(app.status).toBe('ready');
    expect(app.autoBackups.list.map((s) => s.reason)).toEqual(['before-upgrade']);
    const upgraded = await dumpAllTables(db!);
    expect(upgraded.messages).toHaveLength(2);

    expect(await app.backup.deleteAll()).toBe(true);
    expect(await db!.characters.count()).toBe(0);
    const beforeUpgrade = app.autoBackups.list.find((s) => s.reason === 'before-upgrade')!;
    expect(await app.backup.restoreSnapshot(beforeUpgrade, 'replace')).toMatchObject({ written: { characters: 1, conversations: 1, messages: 2, personas: 1 } });
    expect(app.backup.error).toBeNull();
    expect(await dumpAllTables(db!)).toEqual(upgraded);
    expect(app.characters.map((c) => c.name)).toEqual(['Old friend']);
  });
});
