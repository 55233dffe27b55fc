// Fixtures for storage tests: a fresh database per test and plain domain records.

import { afterEach, beforeEach } from 'vitest';
import { BACKUP_TABLES } from '../../../src/core/backup';
import type { Character, Conversation, InstalledModel, Message, Persona, Scene } from '../../../src/core/types';
import { createRepositories, type Repositories } from '../../../src/storage';
import { openDatabase, type AppDatabase } from '../../../src/storage/db';

let counter = 0;

/** A database name no other test uses. */
export function freshName(): string {
  counter += 1;
  return `hearth-test-${counter}-${crypto.randomUUID()}`;
}

/** Open a fresh database (tests delete it in afterEach). */
export async function freshDb(): Promise<AppDatabase> {
  return openDatabase(freshName());
}

/** A fresh database with the app's repositories over it (the caller deletes it). */
export async function freshRepositories(): Promise<{ db: AppDatabase; repos: Repositories }> {
  const db = await freshDb();
  return { db, repos: createRepositories(db) };
}

/**
 * Before each test of the file, a fresh database and its repositories, handed to `use` (which keeps
 * them in the file's own variables); after each test, that database is deleted.
 */
export function freshRepositoriesEachTest(use: (fresh: { db: AppDatabase; repos: Repositories }) => void): void {
  let db: AppDatabase | undefined;
  beforeEach(async () => {
    const fresh = await freshRepositories();
    db = fresh.db;
    use(fresh);
  });
  afterEach(async () => {
    await db?.delete();
    db = undefined;
  });
}

export function makeCharacter(over: Partial<Character> = {}): Character {
  const id = over.id ?? crypto.randomUUID();
  return {
    id,
    name: 'Alice',
    nickname: '',
    avatar: '',
    shortDescription: '',
    description: 'A curious girl.',
    personality: '',
    scenario: '',
    firstMessage: 'Hello!',
    alternateGreetings: [],
    exampleDialogue: '',
    systemPrompt: '',
    postHistoryInstructions: '',
    creatorNotes: '',
    tags: [],
    creator: '',
    characterVersion: '1',
    catchphrases: [],
    language: 'en',
    origin: 'user',
    extensions: {},
    createdAt: 1000,
    updatedAt: 1000,
    ...over,
  };
}

export function makeScene(characterId: string, over: Partial<Scene> = {}): Scene {
  const vector = new Float32Array([0.5, -1, 2]);
  return {
    id: crypto.randomUUID(),
    characterId,
    title: 'Scene',
    text: 'Alice:「Hi」',
    lines: [{ speaker: 'Alice', text: 'Hi' }],
    tokens: 4,
    source: 'chatharuhi',
    vectors: [{ model: 'bag', dim: 3, data: vector.buffer }],
    ...over,
  };
}

export function makeConversation(characterId: string, over: Partial<Conversation> = {}): Conversation {
  return {
    id: crypto.randomUUID(),
    characterId,
    title: 'Chat',
    leafId: null,
    createdAt: 1000,
    updatedAt: 1000,
    messageCount: 0,
    ...over,
  };
}

export function makeMessage(conversationId: string, over: Partial<Message> = {}): Message {
  return {
    id: crypto.randomUUID(),
    conversationId,
    parentId: null,
    role: 'user',
    content: 'Hello',
    revisions: [],
    status: 'done',
    createdAt: 1000,
    updatedAt: 1000,
    ...over,
  };
}

/** A linear chain of n messages, alternating user/assistant, createdAt 1..n. */
export function makeChain(conversationId: string, n: number): Message[] {
  const out: Message[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      makeMessage(conversationId, {
        id: `${conversationId}-m${String(i).padStart(5, '0')}`,
        parentId: i === 0 ? null : out[i - 1].id,
        role: i % 2 === 0 ? 'user' : 'assistant',
        content: `message ${i}`,
        createdAt: i + 1,
        updatedAt: i + 1,
      }),
    );
  }
  return out;
}

export function makePersona(over: Partial<Persona> = {}): Persona {
  return {
    id: crypto.randomUUID(),
    name: 'Me',
    description: '',
    isDefault: false,
    createdAt: 1000,
    updatedAt: 1000,
    ...over,
  };
}

export function makeModel(over: Partial<InstalledModel> = {}): InstalledModel {
  return {
    id: crypto.randomUUID(),
    engine: 'wllama',
    label: 'Tiny',
    sizeBytes: 1024,
    contextWindow: 2048,
    source: 'file',
    addedAt: 1000,
    lastUsedAt: 1000,
    ...over,
  };
}

/** The backup header (app version, time) the backup tests write. */
export const BACKUP_META = { appVersion: '0.1.0', createdAt: 1_700_000_000_000 };

/** Opens as many fresh databases as a test needs (`open()`), each closed and deleted after the test. */
export function databasesClosedAfterEach(): () => Promise<{ db: AppDatabase; repos: Repositories }> {
  let dbs: AppDatabase[] = [];
  afterEach(async () => {
    for (const db of dbs) {
      db.close();
      await db.delete();
    }
    dbs = [];
  });
  return async () => {
    const opened = await freshRepositories();
    dbs.push(opened.db);
    return opened;
  };
}

/** Every row of every table (models included), keyed and ordered, for whole-database comparisons. */
export async function dumpAllTables<R = unknown>(db: AppDatabase): Promise<Record<string, R[]>> {
  const out: Record<string, R[]> = {};
  for (const name of [...BACKUP_TABLES, 'models']) out[name] = await db.table(name).orderBy(':id').toArray();
  return out;
}
