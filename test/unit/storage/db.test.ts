import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import { AppDatabase, DATABASE_VERSION, SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, openDatabase } from '../../../src/storage/db';
import { createRepositories } from '../../../src/storage';
import { freshName, makeCharacter, makeModel, makePersona, makeScene } from './helpers';

const opened: Dexie[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.delete();
});

describe('openDatabase', () => {
  it('opens the current version with every table and index', async () => {
    const db = await openDatabase(freshName());
    opened.push(db);
    expect(db.isOpen()).toBe(true);
    expect(db.verno).toBe(DATABASE_VERSION);
    expect(db.tables.map((t) => t.name).sort()).toEqual(
      ['characters', 'conversations', 'evalRuns', 'jobs', 'lorebooks', 'memories', 'messages', 'models', 'personas', 'scenes', 'settings'],
    );
    const indexes = (table: string) => db.table(table).schema.indexes.map((i) => i.name).sort();
    expect(indexes('characters')).toEqual(['tags', 'updatedAt']);
    expect(db.characters.schema.idxByName.tags.multi).toBe(true);
    expect(indexes('scenes')).toEqual(['characterId']);
    expect(indexes('conversations')).toEqual(['[characterId+updatedAt]', 'characterId', 'updatedAt']);
    expect(indexes('messages')).toEqual(['[conversationId+createdAt]', 'conversationId', 'parentId', 'status']);
    expect(indexes('models')).toEqual(['lastUsedAt']);
    expect(indexes('lorebooks')).toEqual(['characterId', 'updatedAt']);
    expect(indexes('memories')).toEqual(['conversationId']);
    expect(indexes('jobs')).toEqual(['characterId', 'kind']);
    expect(indexes('evalRuns')).toEqual(['characterId']);
    expect(db.settings.schema.primKey.name).toBe('key');
  });

  describe('when IndexedDB cannot be used', () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB')!;
    afterEach(() => {
      Object.defineProperty(globalThis, 'indexedDB', original);
    });

    async function expectUnavailable(): Promise<AppError> {
      const error = await openDatabase(freshName()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('storage-unavailable');
      expect((error as AppError).cause).toBeDefined();
      return error as AppError;
    }

    it('throws storage-unavailable when indexedDB is missing', async () => {
      Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true, writable: true });
      await expectUnavailable();
    });

    it('throws storage-unavailable, keeping the cause, when opening throws', async () => {
      const denied = new DOMException('The user denied permission to access the database.', 'SecurityError');
      Object.defineProperty(globalThis, 'indexedDB', {
        value: { open: () => { throw denied; }, deleteDatabase: () => { throw denied; } },
        configurable: true,
        writable: true,
      });
      const error = await expectUnavailable();
      // Dexie wraps the DOMException; the original is still reachable.
      const cause = error.cause as { name?: string; inner?: unknown };
      expect(cause === denied || cause.inner === denied).toBe(true);
    });

    it('throws storage-unavailable when merely reading indexedDB throws', async () => {
      Object.defineProperty(globalThis, 'indexedDB', {
        get: () => { throw new DOMException('disabled', 'SecurityError'); },
        configurable: true,
      });
      await expectUnavailable();
    });

    it('throws storage-unavailable when the open request fails asynchronously', async () => {
      // Firefox private windows used to do this: open() returns a request that then errors.
      const failure = new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
      Object.defineProperty(globalThis, 'indexedDB', {
        value: {
          open: () => {
            const request = { error: failure } as { error: DOMException; onerror?: (event: unknown) => void };
            setTimeout(() => request.onerror?.({ target: request, type: 'error' }), 0);
            return request;
          },
        },
        configurable: true,
        writable: true,
      });
      const error = await expectUnavailable();
      const cause = error.cause as { inner?: unknown };
      expect(cause === failure || cause.inner === failure).toBe(true);
    });
  });
});

describe('upgrade from version 1', () => {
  it('migrates v1 rows to the v2 shape and loses nothing', async () => {
    const name = freshName();
    const character = makeCharacter({ id: 'c1', tags: ['fantasy', 'cat'] });
    const scene = makeScene('c1', { id: 's1' });
    const persona = makePersona({ id: 'p1', isDefault: true });
    const model = makeModel({ id: 'gguf:tiny', lastUsedAt: 42 });

    // A database exactly as version 1 of the app wrote it.
    const v1 = new Dexie(name);
    v1.version(1).stores(SCHEMA_V1);
    await v1.open();
    await v1.table('characters').put(character);
    await v1.table('scenes').put(scene);
    await v1.table('personas').put(persona);
    await v1.table('models').put(model);
    await v1.table('settings').put({ key: 'theme', value: { mode: 'dark' } });
    await v1.table('conversations').bulkPut([
      { id: 'k1', characterId: 'c1', title: 'First', leafId: 'm3', createdAt: 10, updatedAt: 30 },
      { id: 'k2', characterId: 'c1', title: 'Empty', leafId: null, createdAt: 5, updatedAt: 5 },
      { id: 'k3', characterId: 'c1', title: 'Second', leafId: 'm4', createdAt: 40, updatedAt: 40 },
    ]);
    await v1.table('messages').bulkPut([
      // Stored out of order on purpose: v2 reads them back by createdAt.
      { id: 'm3', conversationId: 'k1', parentId: 'm2', role: 'user', content: 'three', status: 'streaming', createdAt: 30 },
      { id: 'm1', conversationId: 'k1', parentId: null, role: 'assistant', content: 'one', status: 'done', createdAt: 10 },
      { id: 'm2', conversationId: 'k1', parentId: 'm1', role: 'user', content: 'two', createdAt: 20, deletedAt: 25 },
      { id: 'm4', conversationId: 'k3', parentId: null, role: 'assistant', content: 'four', status: 'error', errorCode: 'device-lost', createdAt: 40 },
    ]);
    v1.close();

    const db = await openDatabase(name);
    opened.push(db);
    expect(db.verno).toBe(DATABASE_VERSION);
    const repos = createRepositories(db);

    const k1 = await repos.conversations.get('k1');
    expect(k1).toEqual({ id: 'k1', characterId: 'c1', title: 'First', leafId: 'm3', createdAt: 10, updatedAt: 30, messageCount: 3 });
    expect((await repos.conversations.get('k2'))?.messageCount).toBe(0);
    expect((await repos.conversations.get('k3'))?.messageCount).toBe(1);

    const messages = await repos.conversations.messages('k1');
    expect(messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect(messages[0]).toEqual({
      id: 'm1', conversationId: 'k1', parentId: null, role: 'assistant', content: 'one',
      status: 'done', createdAt: 10, updatedAt: 10, revisions: [],
    });
    expect(messages[1]).toMatchObject({ status: 'done', deletedAt: 25, revisions: [], updatedAt: 20 });
    expect((await repos.conversations.messages('k3'))[0]).toMatchObject({ status: 'error', errorCode: 'device-lost', revisions: [] });

    // The new [characterId+updatedAt] and status indexes cover the migrated rows.
    expect((await repos.conversations.listForCharacter('c1')).map((c) => c.id)).toEqual(['k3', 'k1', 'k2']);
    expect(await repos.conversations.recoverInterrupted()).toBe(1);
    expect((await repos.conversations.messages('k1'))[2]).toMatchObject({ status: 'interrupted', content: 'three' });

    // Untouched tables come through as they were, vectors included.
    expect(await repos.characters.get('c1')).toEqual(character);
    expect(await repos.characters.list()).toHaveLength(1);
    expect(await db.characters.where('tags').equals('cat').primaryKeys()).toEqual(['c1']);
    const storedScene = await repos.scenes.listForCharacter('c1');
    expect(storedScene).toHaveLength(1);
    expect(new Float32Array(storedScene[0].vectors[0].data)).toEqual(new Float32Array([0.5, -1, 2]));
    expect(await repos.personas.getDefault()).toEqual(persona);
    expect(await repos.models.get('gguf:tiny')).toEqual(model);
    expect(await repos.settings.get('theme', null)).toEqual({ mode: 'dark' });
  });

  it('a new database is created directly at the current version, empty', async () => {
    const db = new AppDatabase(freshName());
    opened.push(db);
    await db.open();
    expect(await db.messages.count()).toBe(0);
    expect(await db.lorebooks.count()).toBe(0);
    expect(db.verno).toBe(DATABASE_VERSION);
  });

  it('an older build (this one) still opens a database a newer build already upgraded', async () => {
    // Another tab may have updated the app; Dexie 4 opens the higher version as it is.
    const name = freshName();
    const newer = new Dexie(name);
    newer.version(1).stores(SCHEMA_V1);
    newer.version(2).stores(SCHEMA_V2);
    newer.version(3).stores(SCHEMA_V3);
    newer.version(4).stores({ bookmarks: 'id' });
    await newer.open();
    await newer.table('settings').put({ key: 'lang', value: 'zh' });
    newer.close();
    const db = await openDatabase(name);
    opened.push(db);
    expect(await createRepositories(db).settings.get('lang', 'en')).toBe('zh');
  });
});
