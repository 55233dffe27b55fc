// Hostile SillyTavern chat files through the chat import on fake-indexeddb, over a database seeded
// with a little of everything: refused files change nothing; accepted ones add only rows a backup
// can hold (every row passes the stored-row schemas) and leave what was there untouched.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKUP_TABLES } from '../../../src/core/backup';
import { MAX_CHAT_FILE_BYTES } from '../../../src/core/chat-files/sillytavern';
import { LONG_FIELD_CAP } from '../../../src/core/import/field-caps';
import { checkRows } from '../../../src/core/row-schemas';
import type { Character } from '../../../src/core/types';
import { ChatFiles } from '../../../src/state/chat-files.svelte';
import { createRepositories, type Repositories } from '../../../src/storage';
import type { AppDatabase } from '../../../src/storage/db';
import { freshDb } from '../storage/helpers';
import { databaseFingerprint } from './fingerprint';
import { sampleRows } from './generators';

let db: AppDatabase;
let repos: Repositories;
let characters: Character[];
let files: ChatFiles;

beforeEach(async () => {
  db = await freshDb();
  repos = createRepositories(db);
  const seed = sampleRows('seed');
  for (const table of BACKUP_TABLES) await db.table(table).bulkAdd(seed[table] as unknown[]);
  characters = await repos.characters.list();
  files = new ChatFiles({
    repo: () => repos.conversations,
    characters: () => characters,
    character: (id) => characters.find((c) => c.id === id),
    userName: () => 'User',
    createGroup: async (group) => {
      await repos.characters.put(group);
      characters = [...characters, group];
    },
  });
});

afterEach(async () => {
  vi.restoreAllMocks();
  db.close();
  await db.delete();
});

const file = (name: string, text: string, size = text.length) => ({ name, size, text: async () => text });
const header = () => JSON.stringify({ user_name: 'U', character_name: characters[0].name, chat_metadata: {} });

describe('hostile chat files', () => {
  it('a file over the size limit is refused unread, and nothing changes', async () => {
    const before = await databaseFingerprint(db);
    const unread = { name: 'huge.jsonl', size: MAX_CHAT_FILE_BYTES + 1, text: () => Promise.reject(new Error('must not be read')) };
    expect(await files.importFiles([unread])).toMatchObject([{ status: 'too-large', size: MAX_CHAT_FILE_BYTES + 1 }]);
    expect(await databaseFingerprint(db)).toEqual(before);
  });

  it('markup, prototype keys, huge texts and odd types come in as plain, capped text in valid rows', async () => {
    const before = await dumpOthers();
    const lines = [
      header(),
      JSON.stringify({ name: '<img src=x onerror=alert(1)>', is_user: true, mes: '<script>alert(1)</script>' }),
      '{"__proto__":{"polluted":true},"name":"C","mes":"proto","swipes":{"length":5},"swipe_id":"x","send_date":{"a":1}}',
      JSON.stringify({ name: 'C', mes: 'x'.repeat(LONG_FIELD_CAP * 3), swipes: ['a', 7, null], extra: { model: 42 } }),
      JSON.stringify({ name: 'C', mes: 'last', swipe_id: -4, swipes: ['first', 'second'] }),
    ];
    const [result] = await files.importFiles([file('hostile.jsonl', lines.join('\n'))]);
    expect(result.status).toBe('imported');
    if (result.status !== 'imported') return;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const messages = await repos.conversations.messages(result.conversationId);
    expect(checkRows('messages', messages)).toBeNull();
    expect(checkRows('conversations', [await repos.conversations.get(result.conversationId)])).toBeNull();
    expect(Math.max(...messages.map((m) => m.content.length))).toBeLessThanOrEqual(LONG_FIELD_CAP);
    expect(messages.map((m) => m.content)).toContain('<script>alert(1)</script>');
    expect(result.warnings.length).toBeGreaterThan(0);
    expect(await dumpOthers()).toEqual(before);
  });

  it('a write that fails half-way leaves no part of the chat behind', async () => {
    const before = await databaseFingerprint(db);
    vi.spyOn(db.messages, 'bulkAdd').mockRejectedValue(new Error('disk full'));
    const text = [header(), JSON.stringify({ name: 'C', mes: 'one' }), JSON.stringify({ name: 'U', is_user: true, mes: 'two' })].join('\n');
    expect(await files.importFiles([file('half.jsonl', text)])).toMatchObject([{ status: 'failed' }]);
    expect(await databaseFingerprint(db)).toEqual(before);
  });
});

/** Every row that was there before the import (the import only adds a conversation and its messages). */
async function dumpOthers() {
  const seeded = sampleRows('seed');
  return {
    conversations: await db.conversations.bulkGet(seeded.conversations.map((c) => c.id)),
    messages: await db.messages.bulkGet(seeded.messages.map((m) => m.id)),
    characters: await db.characters.toArray(),
  };
}
