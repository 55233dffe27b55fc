import Dexie from 'dexie';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { BACKUP_VERSION, readBackup } from '../../../src/core/backup';
import type { MemoryRecord } from '../../../src/core/types';
import { createRepositories, openDatabase, SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, DATABASE_VERSION } from '../../../src/storage';
import { readRowsBeforeUpgrade } from '../../../src/storage/pre-upgrade';
import { BACKUP_META, databasesClosedAfterEach, freshName, makeChain, makeCharacter, makeConversation } from './helpers';

const open = databasesClosedAfterEach();

const pin = (id: string, conversationId: string, over: Partial<MemoryRecord> = {}): MemoryRecord => ({
  id, conversationId, kind: 'pin', text: '{{user}} is allergic to cats.', createdAt: 1, updatedAt: 1, ...over,
});

async function seeded() {
  const opened = await open();
  const { repos } = opened;
  await repos.characters.bulkPut([makeCharacter({ id: 'alice' })]);
  await repos.conversations.create(makeConversation('alice', { id: 'k1', updatedAt: 50 }), makeChain('k1', 4));
  await repos.conversations.create(makeConversation('alice', { id: 'k2', updatedAt: 50 }), makeChain('k2', 2));
  await repos.memories.put(pin('p1', 'k1', { messageId: 'k1-m00001' }));
  await repos.memories.put({ ...pin('s1', 'k1'), kind: 'summary', text: 'They met.', coversId: 'k1-m00002', coversHash: 'h', coversCount: 3, createdAt: 2 });
  await repos.memories.put(pin('p2', 'k2'));
  await repos.conversations.updateSettings('k1', { authorsNote: { text: 'Keep it light.', depth: 2 }, scenario: 'On the moon.' });
  return opened;
}

describe('memories in storage', () => {
  it('are listed per conversation, oldest first, and deleted with their conversation only', async () => {
    const { repos } = await seeded();
    expect((await repos.memories.list('k1')).map((m) => m.id)).toEqual(['p1', 's1']);
    await repos.conversations.remove('k1');
    expect(await repos.memories.list('k1')).toEqual([]);
    expect((await repos.memories.list('k2')).map((m) => m.id)).toEqual(['p2']);
    await expect(repos.memories.put(pin('p3', 'k1'))).rejects.toMatchObject({ code: 'not-found' });
  });

  it('the chat\'s author\'s note and scenario are stored on it, and removed when cleared', async () => {
    const { repos } = await seeded();
    expect(await repos.conversations.get('k1')).toMatchObject({ authorsNote: { text: 'Keep it light.', depth: 2 }, scenario: 'On the moon.', updatedAt: 50 });
    await repos.conversations.updateSettings('k1', { authorsNote: undefined, scenario: undefined });
    const k1 = await repos.conversations.get('k1');
    expect(k1 && 'authorsNote' in k1).toBe(false);
    expect(k1 && 'scenario' in k1).toBe(false);
  });

  it('go into a backup and come back with replace and merge restores, with the chat settings', async () => {
    const source = await seeded();
    const { bytes, manifest } = await source.repos.backup.create(BACKUP_META);
    expect(manifest).toMatchObject({ version: BACKUP_VERSION, databaseVersion: DATABASE_VERSION });
    expect(manifest.tables.memories.rows).toBe(3);
    const replaced = await open();
    await replaced.repos.backup.restore(readBackup(bytes), 'replace');
    expect(await replaced.repos.memories.list('k1')).toEqual(await source.repos.memories.list('k1'));
    expect(await replaced.repos.conversations.get('k1')).toEqual(await source.repos.conversations.get('k1'));
    const merged = await open();
    await merged.repos.backup.restore(readBackup(bytes), 'merge');
    expect((await merged.repos.memories.list('k2')).map((m) => m.id)).toEqual(['p2']);
  });

  it('a merge replaces the memories of a conversation whose backup copy is newer', async () => {
    const source = await seeded();
    const { bytes } = await source.repos.backup.create(BACKUP_META);
    const here = await open();
    await here.repos.characters.bulkPut([makeCharacter({ id: 'alice' })]);
    await here.repos.conversations.create(makeConversation('alice', { id: 'k1', updatedAt: 10 }), makeChain('k1', 4));
    await here.repos.memories.put(pin('old', 'k1'));
    await here.repos.backup.restore(readBackup(bytes), 'merge');
    expect((await here.repos.memories.list('k1')).map((m) => m.id)).toEqual(['p1', 's1']);
  });

  it('a backup of format 1 (made before memories) still restores, with no memories', async () => {
    const source = await seeded();
    const files = unzipSync((await source.repos.backup.create(BACKUP_META)).bytes);
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));
    delete manifest.tables.memories;
    delete files['tables/memories/0000.json'];
    files['manifest.json'] = strToU8(JSON.stringify({ ...manifest, version: 1, databaseVersion: 3 }));
    const target = await open();
    await target.repos.backup.restore(readBackup(zipSync(files)), 'replace');
    expect(await target.repos.memories.list('k1')).toEqual([]);
    expect((await target.repos.conversations.messages('k1')).length).toBe(4);
    // A format 2 backup without its memories table is damaged, not silently emptied.
    files['manifest.json'] = strToU8(JSON.stringify({ ...manifest, version: 2 }));
    expect(() => readBackup(zipSync(files))).toThrow(/memories table/);
  });
});

describe('upgrade from version 3', () => {
  it('adds the memories table and keeps every row; the pre-upgrade snapshot reads the v3 rows', async () => {
    const name = freshName();
    const v3 = new Dexie(name);
    v3.version(1).stores(SCHEMA_V1);
    v3.version(2).stores(SCHEMA_V2);
    v3.version(3).stores(SCHEMA_V3);
    await v3.open();
    await v3.table('characters').put(makeCharacter({ id: 'alice' }));
    await v3.table('conversations').put(makeConversation('alice', { id: 'k1', messageCount: 2 }));
    await v3.table('messages').bulkPut(makeChain('k1', 2));
    v3.close();

    const old = await readRowsBeforeUpgrade(indexedDB, IDBKeyRange, name);
    expect(old).toMatchObject({ fromVersion: 3, toVersion: DATABASE_VERSION });
    expect(old!.rows.memories).toEqual([]);
    expect(old!.rows.messages).toHaveLength(2);

    const db = await openDatabase(name);
    try {
      expect(db.verno).toBe(DATABASE_VERSION);
      const repos = createRepositories(db);
      expect((await repos.conversations.messages('k1')).length).toBe(2);
      await repos.memories.put(pin('p1', 'k1'));
      expect((await repos.memories.list('k1')).map((m) => m.id)).toEqual(['p1']);
    } finally {
      db.close();
      await db.delete();
    }
  });
});
