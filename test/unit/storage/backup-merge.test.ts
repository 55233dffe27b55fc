// Merge-restore with ids that collide with rows of other owners here: nothing only on this device changes, nothing of the backup is lost.
import { describe, expect, it } from 'vitest';
import { BACKUP_TABLES, readBackup, type Backup, type BackupTable } from '../../../src/core/backup';
import type { Character, Conversation, Message, Scene, StoredLorebook } from '../../../src/core/types';
import type { Repositories } from '../../../src/storage';
import type { AppDatabase } from '../../../src/storage/db';
import { BACKUP_META, databasesClosedAfterEach, dumpAllTables, makeChain, makeCharacter, makeConversation, makePersona, makeScene } from './helpers';

const META = BACKUP_META;
const open = databasesClosedAfterEach();

type Row = Record<string, unknown>;

const dump = (db: AppDatabase) => dumpAllTables<Row>(db);

const keyOf = (table: string) => (table === 'settings' ? 'key' : 'id');

/** A chain whose message texts say which conversation they belong to, so each row can be told apart. */
function chain(conversationId: string, ids: string[], over: Partial<Message> = {}): Message[] {
  return makeChain(conversationId, ids.length).map((m, i, all) => ({
    ...m,
    ...over,
    id: ids[i],
    parentId: i === 0 ? null : ids[i - 1],
    content: `${conversationId}/${over.content ?? 'text'}/${i}`,
    updatedAt: all[i].updatedAt,
  }));
}

function book(id: string, characterId: string | undefined, sourceName: string, updatedAt = 50): StoredLorebook {
  return { id, ...(characterId ? { characterId } : {}), sourceName, enabled: true, book: { name: sourceName, extensions: {}, entries: [] }, createdAt: 1, updatedAt };
}

/**
 * The backup: Alice (newer than here) with scenes, conversations and lorebooks whose ids are used
 * here by rows of another owner; a branching message tree whose branch point is such an id.
 */
async function collidingBackup(): Promise<Backup> {
  const { repos } = await open();
  await repos.characters.put(makeCharacter({ id: 'alice', name: 'Alice (backup)', updatedAt: 90 }));
  await repos.scenes.bulkAdd([
    makeScene('alice', { id: 'scene-x', text: 'backup scene x' }),
    makeScene('alice', { id: 'scene-y', text: 'backup scene y' }),
  ]);
  // Conversation k-x: its id is a conversation of Carol's here, and so are its message ids.
  const kx = chain('k-x', ['k-x-0', 'k-x-1', 'k-x-2'], { content: 'backup' });
  await repos.conversations.create(makeConversation('alice', { id: 'k-x', title: 'backup k-x', leafId: 'k-x-2', updatedAt: 90, messageCount: 3 }), kx);
  // Conversation k-a: only in the backup, but two of its message ids are messages of Carol's chat here,
  // one of them the branch point (two children) and the other the leaf.
  const ka = chain('k-a', ['m-a0', 'm-shared-1', 'm-a2', 'm-shared-2'], { content: 'backup' });
  ka.push({ ...ka[2], id: 'm-a2-swipe', content: 'k-a/backup/swipe', parentId: 'm-shared-1' });
  await repos.conversations.create(makeConversation('alice', { id: 'k-a', title: 'backup k-a', leafId: 'm-shared-2', updatedAt: 90, messageCount: 5 }), ka);
  await repos.lorebooks.put(book('lb-x', 'alice', 'backup lb-x'));
  await repos.lorebooks.put(book('lb-g', 'alice', 'backup lb-g'));
  await repos.lorebooks.put(book('lb-c', undefined, 'backup lb-c'));
  await repos.personas.put(makePersona({ id: 'p-same', name: 'Same persona (backup)', updatedAt: 90 }));
  return readBackup((await repos.backup.create(META)).bytes);
}

/** This device: Carol only here, owning rows under the backup's ids; Alice older than the backup's. */
async function localWithCollisions(): Promise<{ db: AppDatabase; repos: Repositories }> {
  const local = await open();
  const { repos } = local;
  await repos.characters.bulkPut([makeCharacter({ id: 'alice', name: 'Alice (here)', updatedAt: 60 }), makeCharacter({ id: 'carol', name: 'Carol', updatedAt: 60 })]);
  await repos.scenes.bulkAdd([makeScene('carol', { id: 'scene-x', text: 'carol scene x' })]);
  await repos.conversations.create(
    makeConversation('carol', { id: 'k-x', title: 'carol k-x', leafId: 'k-x-1', updatedAt: 99, messageCount: 2 }),
    chain('k-x', ['k-x-0', 'k-x-1'], { content: 'carol' }),
  );
  await repos.conversations.create(
    makeConversation('carol', { id: 'k-c', title: 'carol k-c', leafId: 'm-shared-2', updatedAt: 10, messageCount: 2 }),
    chain('k-c', ['m-shared-1', 'm-shared-2'], { content: 'carol' }),
  );
  // lb-x attached to Carol here (backup: Alice's); lb-g global here (backup: Alice's); lb-c Carol's here (backup: global).
  await repos.lorebooks.put(book('lb-x', 'carol', 'carol lb-x', 10));
  await repos.lorebooks.put(book('lb-g', undefined, 'here global lb-g', 10));
  await repos.lorebooks.put(book('lb-c', 'carol', 'carol lb-c', 10));
  await repos.personas.put(makePersona({ id: 'p-same', name: 'Same persona (here)', updatedAt: 60 }));
  return local;
}

/** A field that tells each row of the fixtures apart, whatever its id. */
function signature(table: BackupTable, row: Row): string {
  switch (table) {
    case 'scenes': return String(row.text);
    case 'conversations': return String(row.title);
    case 'messages': return String(row.content);
    case 'lorebooks': return String(row.sourceName);
    default: return String(row[keyOf(table)]);
  }
}

describe('merge-restore with colliding ids', () => {
  it('changes no row that exists only here, and brings every backup row (re-keyed where needed) with its tree intact', async () => {
    const backup = await collidingBackup();
    const { db, repos } = await localWithCollisions();
    const before = await dump(db);
    await repos.backup.restore(backup, 'merge');
    const after = await dump(db);

    // 1. Rows only here: every one of them is exactly as it was (Alice and the persona exist on both sides).
    const shared = new Set(['characters/alice', 'personas/p-same']);
    for (const table of BACKUP_TABLES) {
      for (const row of before[table]) {
        const key = `${table}/${String(row[keyOf(table)])}`;
        if (shared.has(key)) continue;
        expect(after[table].find((r) => r[keyOf(table)] === row[keyOf(table)]), key).toEqual(row);
      }
    }
    expect(after.models).toEqual(before.models);

    // 2. Every backup row is here once, under its own id or a fresh one, with its references mapped.
    const ids: Record<string, Map<string, string>> = {};
    for (const table of BACKUP_TABLES) {
      const key = keyOf(table);
      const map = (ids[table] = new Map());
      for (const row of backup.rows[table] as unknown as Row[]) {
        const matches = after[table].filter((r) => signature(table, r) === signature(table, row));
        expect(matches, `${table} ${signature(table, row)}`).toHaveLength(1);
        map.set(String(row[key]), String(matches[0][key]));
      }
    }
    const mapped = (table: string, id: unknown) => (id === null || id === undefined ? id : ids[table].get(String(id)));
    for (const table of BACKUP_TABLES) {
      for (const row of backup.rows[table] as unknown as Row[]) {
        const expected: Row = { ...row, [keyOf(table)]: mapped(table, row[keyOf(table)]) };
        if (table === 'messages') Object.assign(expected, { conversationId: mapped('conversations', row.conversationId), parentId: mapped('messages', row.parentId) });
        if (table === 'conversations') expected.leafId = mapped('messages', row.leafId);
        const here = after[table].find((r) => r[keyOf(table)] === expected[keyOf(table)]);
        expect(here, `${table} ${signature(table, row)}`).toEqual(expected);
      }
    }

    // 3. Colliding rows got fresh ids; the rest kept theirs.
    expect(ids.scenes.get('scene-x')).not.toBe('scene-x');
    expect(ids.scenes.get('scene-y')).toBe('scene-y');
    expect(ids.conversations.get('k-x')).not.toBe('k-x');
    expect(ids.conversations.get('k-a')).toBe('k-a');
    for (const id of ['k-x-0', 'k-x-1', 'm-shared-1', 'm-shared-2']) expect(ids.messages.get(id), id).not.toBe(id);
    expect(ids.messages.get('m-a0')).toBe('m-a0');
    for (const id of ['lb-x', 'lb-g', 'lb-c']) expect(ids.lorebooks.get(id), id).not.toBe(id);
    // The branch point's two children both hang off its new id.
    const branch = ids.messages.get('m-shared-1');
    expect((after.messages as unknown as Message[]).filter((m) => m.parentId === branch).map((m) => m.content).sort()).toEqual(['k-a/backup/2', 'k-a/backup/swipe']);
    // Shared rows: the newer copy won, as before.
    expect((after.characters as unknown as Character[]).find((c) => c.id === 'alice')?.name).toBe('Alice (backup)');
    expect((after.scenes as unknown as Scene[]).filter((s) => s.characterId === 'alice').map((s) => s.text).sort()).toEqual(['backup scene x', 'backup scene y']);
    expect((after.conversations as unknown as Conversation[]).filter((c) => c.characterId === 'carol').map((c) => c.id).sort()).toEqual(['k-c', 'k-x']);
  });

  it('a second merge of the same backup adds nothing new', async () => {
    const backup = await collidingBackup();
    const { db, repos } = await localWithCollisions();
    await repos.backup.restore(backup, 'merge');
    const once = await dump(db);
    await repos.backup.restore(backup, 'merge');
    const twice = await dump(db);
    for (const table of BACKUP_TABLES) expect(twice[table].length, table).toBe(once[table].length);
  });
});
