import { beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_TABLES, readBackup, type Backup } from '../../../src/core/backup';
import { AppError } from '../../../src/core/errors';
import type { Character, Scene } from '../../../src/core/types';
import type { Repositories } from '../../../src/storage';
import type { AppDatabase } from '../../../src/storage/db';
import { BACKUP_META, databasesClosedAfterEach, dumpAllTables, makeChain, makeCharacter, makeConversation, makeModel, makePersona, makeScene } from './helpers';

const META = BACKUP_META;
const open = databasesClosedAfterEach();

const dump = dumpAllTables;

function bytesOf(scene: Scene): number[][] {
  return scene.vectors.map((v) => [...new Uint8Array(v.data)]);
}

/** Two characters with scenes (vectors), asset bytes, chats, a persona, a lorebook, settings and a model. */
async function seedFull(db: AppDatabase, repos: Repositories): Promise<void> {
  const alice = makeCharacter({
    id: 'alice',
    name: 'Alice',
    assets: [{ type: 'background', name: 'room', ext: 'webp', uri: 'embeded://room.webp', data: new Uint8Array([82, 73, 70, 70, 0, 255]) }],
    extensions: { depth_prompt: { prompt: 'x', depth: 4 } },
    updatedAt: 50,
  });
  await repos.characters.bulkPut([alice, makeCharacter({ id: 'bob', name: 'Bob', updatedAt: 50 })]);
  await repos.scenes.bulkAdd([
    makeScene('alice', { id: 'sa1', vectors: [{ model: 'm', dim: 4, data: new Float32Array([0.1, -2, 3e-8, 1e30]).buffer }] }),
    makeScene('alice', { id: 'sa2' }),
    makeScene('bob', { id: 'sb1' }),
  ]);
  await repos.conversations.create(makeConversation('alice', { id: 'ka', updatedAt: 50, messageCount: 4 }), makeChain('ka', 4));
  await repos.conversations.create(makeConversation('bob', { id: 'kb', updatedAt: 50, messageCount: 2 }), makeChain('kb', 2));
  await repos.personas.put(makePersona({ id: 'lin', name: 'Lin', isDefault: true, updatedAt: 50 }));
  await repos.lorebooks.put({ id: 'world', enabled: true, book: { extensions: {}, entries: [] }, createdAt: 1, updatedAt: 50 });
  await repos.settings.set('sampling', { temperature: 0.3, topP: 0.9, maxTokens: 128, repetitionPenalty: 1.05 });
  await repos.models.put(makeModel({ id: 'gguf:tiny' }));
  void db;
}

async function backupOf(repos: Repositories): Promise<Backup> {
  const { bytes } = await repos.backup.create(META);
  return readBackup(bytes);
}

describe('backup and replace-restore', () => {
  let source: { db: AppDatabase; repos: Repositories };
  beforeEach(async () => {
    source = await open();
    await seedFull(source.db, source.repos);
  });

  it('into an empty database gives identical rows in every table, vector and asset bytes included', async () => {
    const backup = await backupOf(source.repos);
    expect(backup.manifest.tables.messages.rows).toBe(6);
    const target = await open();
    const summary = await target.repos.backup.restore(backup, 'replace');
    expect(summary.written).toMatchObject({ characters: 2, scenes: 3, conversations: 2, messages: 6, personas: 1, lorebooks: 1, settings: 1 });

    const before = await dump(source.db);
    const after = await dump(target.db);
    for (const table of BACKUP_TABLES) expect(after[table], table).toEqual(before[table]);
    // Model metadata describes this browser's cache: never in a backup.
    expect(after.models).toEqual([]);
    const scene = (after.scenes as Scene[]).find((s) => s.id === 'sa1')!;
    expect(scene.vectors[0].data).toBeInstanceOf(ArrayBuffer);
    expect(bytesOf(scene)).toEqual(bytesOf((before.scenes as Scene[]).find((s) => s.id === 'sa1')!));
    const asset = (after.characters as Character[])[0].assets![0].data!;
    expect(asset).toBeInstanceOf(Uint8Array);
    expect([...asset]).toEqual([82, 73, 70, 70, 0, 255]);
  });

  it('into a full database removes what was there and keeps its models', async () => {
    const backup = await backupOf(source.repos);
    const target = await open();
    await target.repos.characters.put(makeCharacter({ id: 'carol', name: 'Carol' }));
    await target.repos.conversations.create(makeConversation('carol', { id: 'kc' }), makeChain('kc', 3));
    await target.repos.settings.set('ui.lang', 'zh');
    await target.repos.models.put(makeModel({ id: 'Qwen-webllm', source: 'catalog' }));
    const progress: number[] = [];
    await target.repos.backup.restore(backup, 'replace', (done) => progress.push(done));

    const after = await dump(target.db);
    const before = await dump(source.db);
    for (const table of BACKUP_TABLES) expect(after[table], table).toEqual(before[table]);
    expect((after.models as { id: string }[]).map((m) => m.id)).toEqual(['Qwen-webllm']);
    expect(progress.at(-1)).toBe(16);
  });

  it('reads tables larger than one page', async () => {
    await source.repos.conversations.create(makeConversation('bob', { id: 'long' }), makeChain('long', 1234));
    const backup = await backupOf(source.repos);
    expect(backup.rows.messages).toHaveLength(1240);
    const target = await open();
    await target.repos.backup.restore(backup, 'replace');
    expect(await target.db.messages.where('conversationId').equals('long').count()).toBe(1234);
  });
});

describe('merge-restore', () => {
  it('keeps rows only here, lets the newer copy win per aggregate, and keeps this device’s settings and default persona', async () => {
    const source = await open();
    await seedFull(source.db, source.repos);
    // In the backup: Alice edited later (wins), Bob older than here (loses), conversation ka newer.
    await source.repos.characters.put(makeCharacter({ id: 'alice', name: 'Alice v2', updatedAt: 90 }));
    await source.repos.characters.put(makeCharacter({ id: 'bob', name: 'Bob old', updatedAt: 10 }));
    await source.repos.conversations.create(makeConversation('alice', { id: 'kz', updatedAt: 5 }), makeChain('kz', 1));
    await source.db.conversations.update('ka', { updatedAt: 95, title: 'From backup' });
    await source.repos.settings.set('ui.lang', 'zh');
    const backup = await backupOf(source.repos);

    const target = await open();
    await target.repos.characters.bulkPut([
      makeCharacter({ id: 'alice', name: 'Alice here', updatedAt: 60 }),
      makeCharacter({ id: 'bob', name: 'Bob here', updatedAt: 60 }),
      makeCharacter({ id: 'dan', name: 'Dan', updatedAt: 60 }),
    ]);
    await target.repos.scenes.bulkAdd([makeScene('alice', { id: 'old-alice-scene' }), makeScene('bob', { id: 'bob-here-scene' })]);
    await target.repos.conversations.create(makeConversation('alice', { id: 'ka', updatedAt: 60, title: 'Here' }), [
      ...makeChain('ka', 2),
      { ...makeChain('ka-extra', 1)[0], id: 'only-here', conversationId: 'ka' },
    ]);
    await target.repos.personas.put(makePersona({ id: 'me', name: 'Me', isDefault: true, updatedAt: 70 }));
    await target.repos.settings.set('sampling', { temperature: 1.5, topP: 1, maxTokens: 512, repetitionPenalty: 1 });

    const summary = await target.repos.backup.restore(backup, 'merge');
    const names = (await target.db.characters.orderBy('id').toArray()).map((c) => c.name);
    expect(names).toEqual(['Alice v2', 'Bob here', 'Dan']);
    // Alice's corpus is the backup's whole; Bob's stays this device's.
    expect((await target.db.scenes.orderBy('id').primaryKeys()).sort()).toEqual(['bob-here-scene', 'sa1', 'sa2']);
    // Conversation ka came with its messages, the ones only here for it are gone; kb and kz are added.
    expect((await target.db.conversations.get('ka'))?.title).toBe('From backup');
    expect(await target.db.messages.where('conversationId').equals('ka').primaryKeys()).not.toContain('only-here');
    expect(await target.db.messages.where('conversationId').equals('ka').count()).toBe(4);
    expect(await target.db.conversations.orderBy('id').primaryKeys()).toEqual(['ka', 'kb', 'kz']);
    // Settings: this device's sampling stays, the missing language comes in.
    expect((await target.repos.settings.get<{ temperature: number }>('sampling', { temperature: 0 })).temperature).toBe(1.5);
    expect(await target.repos.settings.get('ui.lang', 'en')).toBe('zh');
    // Both personas exist; this device's default stays the only default.
    const personas = await target.db.personas.orderBy('id').toArray();
    expect(personas.map((p) => [p.id, p.isDefault])).toEqual([['lin', false], ['me', true]]);
    expect(summary.keptNewer).toBe(1);
  });
});

describe('failures change nothing', () => {
  /** Makes IndexedDB's add/put throw QuotaExceededError after `allowed` more rows, as a full disk does. */
  function quotaAfter(allowed: number): () => void {
    const proto = globalThis.IDBObjectStore.prototype;
    const add = proto.add;
    const put = proto.put;
    let left = allowed;
    const fail = (original: typeof add) =>
      function (this: IDBObjectStore, ...args: Parameters<typeof add>) {
        if (left-- <= 0) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return original.apply(this, args);
      };
    proto.add = fail(add);
    proto.put = fail(put);
    return () => {
      proto.add = add;
      proto.put = put;
    };
  }

  for (const mode of ['replace', 'merge'] as const) {
    it(`a quota error in the middle of a ${mode} restore leaves the database exactly as it was`, async () => {
      const source = await open();
      await seedFull(source.db, source.repos);
      await source.repos.conversations.create(makeConversation('alice', { id: 'kq', updatedAt: 99 }), makeChain('kq', 20));
      const backup = await backupOf(source.repos);

      const target = await open();
      await target.repos.characters.put(makeCharacter({ id: 'carol', name: 'Carol' }));
      await target.repos.conversations.create(makeConversation('carol', { id: 'kc' }), makeChain('kc', 3));
      await target.repos.models.put(makeModel({ id: 'gguf:tiny' }));
      const before = await dump(target.db);

      // Characters, scenes and some messages get written before the disk is "full".
      const restoreIdb = quotaAfter(10);
      let error: unknown;
      try {
        await target.repos.backup.restore(backup, mode);
      } catch (e) {
        error = e;
      } finally {
        restoreIdb();
      }
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('quota');
      expect(await dump(target.db)).toEqual(before);
    });
  }

  it('settings that describe this browser stay out of backups and survive replace and delete all', async () => {
    const source = await open();
    await seedFull(source.db, source.repos);
    await source.repos.settings.set('embeddings.models', { zh: { prepared: { id: 'source-device' } } });
    const backup = await backupOf(source.repos);
    expect(backup.rows.settings.map((s) => s.key)).toEqual(['sampling']);

    const target = await open();
    await target.repos.settings.set('embeddings.models', { en: { prepared: { id: 'this-device' } } });
    await target.repos.settings.set('storage.persistAsked', true);
    await target.repos.backup.restore(backup, 'replace');
    expect(await target.repos.settings.get('embeddings.models', null)).toEqual({ en: { prepared: { id: 'this-device' } } });
    await target.repos.backup.clearAll();
    expect((await target.db.settings.orderBy('key').primaryKeys()).sort()).toEqual(['embeddings.models', 'storage.persistAsked']);
  });

  it('the model server’s API key stays out of a backup unless the person asks for it, and then restores', async () => {
    const source = await open();
    await source.repos.settings.set('modelServer', { baseUrl: 'http://localhost:8080', model: 'tiny' });
    await source.repos.settings.set('modelServer.apiKey', 'sk-secret');
    const plain = readBackup((await source.repos.backup.create(META)).bytes);
    expect(plain.rows.settings.map((s) => s.key)).toEqual(['modelServer']);
    expect(JSON.stringify(plain.rows)).not.toContain('sk-secret');

    const withKey = readBackup((await source.repos.backup.create({ ...META, includeSecrets: true })).bytes);
    expect(withKey.rows.settings.map((s) => s.key).sort()).toEqual(['modelServer', 'modelServer.apiKey']);
    const target = await open();
    await target.repos.backup.restore(withKey, 'replace');
    expect(await target.repos.settings.get('modelServer.apiKey', '')).toBe('sk-secret');
  });

  it('delete all data clears every backed-up table in one go and leaves models', async () => {
    const { db, repos } = await open();
    await seedFull(db, repos);
    await repos.backup.clearAll();
    const after = await dump(db);
    for (const table of BACKUP_TABLES) expect(after[table], table).toEqual([]);
    expect(after.models).toHaveLength(1);
  });
});
