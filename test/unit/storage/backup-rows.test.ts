// Hostile rows never reach the database; prototype keys survive backup -> restore; the start-up check finds a damaged stored row.
import { describe, expect, it } from 'vitest';
import { BACKUP_TABLES, readBackup, writeBackup, type Backup, type BackupRows } from '../../../src/core/backup';
import { AppError } from '../../../src/core/errors';
import { DamagedRowError } from '../../../src/core/row-schemas';
import type { Repositories } from '../../../src/storage';
import { checkStoredRows, findDamagedRow } from '../../../src/storage/row-check';
import { fullRows, HOSTILE, hostileRows } from '../helpers/backup-rows';
import { BACKUP_META, databasesClosedAfterEach, dumpAllTables, makeChain, makeCharacter, makeConversation, makeModel, makePersona, makeScene } from './helpers';

const META = BACKUP_META;
const open = databasesClosedAfterEach();

const dump = dumpAllTables;

/** This device's data: rows in every table, some with the same ids as the hostile backup's. */
async function seed(repos: Repositories): Promise<void> {
  await repos.characters.bulkPut([makeCharacter({ id: 'alice', name: 'Alice here', updatedAt: 1 }), makeCharacter({ id: 'carol' })]);
  await repos.scenes.bulkAdd([makeScene('carol', { id: 's-here' })]);
  await repos.conversations.create(makeConversation('carol', { id: 'k-here', messageCount: 3 }), makeChain('k-here', 3));
  await repos.personas.put(makePersona({ id: 'me', isDefault: true }));
  await repos.lorebooks.put({ id: 'world', enabled: true, book: { extensions: {}, entries: [] }, createdAt: 1, updatedAt: 1 });
  await repos.settings.set('ui.lang', 'en');
  await repos.models.put(makeModel({ id: 'gguf:tiny' }));
}

/** A Backup object as readBackup would return it, but with rows it never checked. */
function unchecked(rows: BackupRows): Backup {
  return { manifest: writeBackup(fullRows(), { ...META, databaseVersion: 3 }).manifest, rows, dataBytes: 1, detachedLorebooks: 0 };
}

describe('hostile backup rows change nothing', () => {
  for (const test of HOSTILE) {
    it(`${test.name}: refused by readBackup and by restore (both modes), naming ${test.table} row ${test.row + 1} ${test.field}`, async () => {
      const { db, repos } = await open();
      await seed(repos);
      const before = await dump(db);
      const rows = hostileRows(test);
      expect(() => readBackup(writeBackup(rows, { ...META, databaseVersion: 3 }).bytes)).toThrow(`row ${test.row + 1} of ${test.table}`);
      for (const mode of ['replace', 'merge'] as const) {
        const error = await repos.backup.restore(unchecked(hostileRows(test)), mode).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error, mode).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe('bad-backup');
        expect((error as AppError).details).toMatchObject({ reason: 'invalid-row', table: test.table, row: test.row + 1, field: test.field });
        expect(await dump(db), mode).toEqual(before);
      }
    });
  }

  it('whole rows of every table restore (the check refuses nothing valid)', async () => {
    const { db, repos } = await open();
    await repos.backup.restore(readBackup(writeBackup(fullRows(), { ...META, databaseVersion: 3 }).bytes), 'replace');
    const after = await dump(db);
    for (const table of BACKUP_TABLES) expect(after[table].length, table).toBe(fullRows()[table].length);
  });
});

describe('prototype keys through backup and restore', () => {
  it('a character whose extensions hold __proto__ and constructor keeps them as own data', async () => {
    const source = await open();
    const extensions = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": "x", "safe": true}');
    await source.repos.characters.put(makeCharacter({ id: 'alice', extensions }));
    const stored = await source.db.characters.get('alice');
    // IndexedDB (structured clone) keeps the own key as it is.
    expect(Object.hasOwn(stored!.extensions, '__proto__')).toBe(true);
    const backup = readBackup((await source.repos.backup.create(META)).bytes);

    const target = await open();
    await target.repos.backup.restore(backup, 'replace');
    const back = (await target.db.characters.get('alice'))!.extensions;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'constructor', 'safe']);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toEqual(JSON.parse('{"polluted": 1}'));
    expect(Object.getOwnPropertyDescriptor(back, 'constructor')?.value).toBe('x');
    expect((back as { polluted?: unknown }).polluted).toBeUndefined();
    expect(await target.db.characters.get('alice')).toEqual(stored);
  });
});

describe('start-up check of stored rows', () => {
  it('finds nothing in a healthy database', async () => {
    const { db, repos } = await open();
    await seed(repos);
    await repos.backup.restore(readBackup(writeBackup(fullRows(), { ...META, databaseVersion: 3 }).bytes), 'merge');
    expect(await findDamagedRow(db)).toBeNull();
    await expect(checkStoredRows(db)).resolves.toBeUndefined();
  });

  it('names the table, row and field of a damaged row, past the first page', async () => {
    const { db, repos } = await open();
    await seed(repos);
    await db.messages.bulkPut(makeChain('k-here', 700).map((m, i) => (i === 612 ? { ...m, usage: { promptTokens: '10', completionTokens: 1 } } : m)) as never);
    await db.settings.put({ key: 'builtins.removed', value: 3 });
    expect(await findDamagedRow(db, ['messages'])).toMatchObject({ table: 'messages', row: 613, id: 'k-here-m00612', field: 'usage.promptTokens' });
    const error = await checkStoredRows(db).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(DamagedRowError);
    expect((error as DamagedRowError).problem).toMatchObject({ table: 'settings', field: 'value', id: 'builtins.removed' });
    expect((error as Error).message).toMatch(/settings \(id builtins\.removed\): value should be Array/);
    // The same check through the repositories, which is what the app holds at start-up.
    expect(await repos.backup.findDamagedRow(['settings'])).toMatchObject({ table: 'settings', row: 1, field: 'value' });
    await expect(repos.backup.checkStoredRows(['characters', 'personas'])).resolves.toBeUndefined();
    await expect(repos.backup.checkStoredRows()).rejects.toBeInstanceOf(DamagedRowError);
  });

  it('says storage is unavailable, not damaged, when the database cannot be read', async () => {
    const { db } = await open();
    db.close();
    const error = await findDamagedRow(db).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).not.toBeInstanceOf(DamagedRowError);
    expect((error as AppError).code).toBe('storage-unavailable');
  });
});
