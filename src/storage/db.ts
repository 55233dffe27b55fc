// The Dexie database: every schema version ever shipped, its upgrades, and opening it safely.

import Dexie, { type DexieOptions, type Table, type Transaction } from 'dexie';
import { AppError } from '../core/errors';
import type { Character, Conversation, EvalRun, InstalledModel, JobRecord, MemoryRecord, Message, Persona, Scene, Setting, StoredLorebook } from '../core/types';
import {
  countByConversation,
  migrateConversationV1toV2,
  migrateMessageV1toV2,
  type ConversationV1,
  type MessageV1,
} from './migrations';
import { readRowsBeforeUpgrade, type BeforeUpgrade } from './pre-upgrade';

/*
 * DO NOT CHANGE A SHIPPED SCHEMA. Add a new version (with an upgrade when rows change shape) and
 * keep every old declaration: Dexie needs them to upgrade databases written by older builds.
 */

/** Version 1: the initial schema. */
export const SCHEMA_V1 = {
  characters: 'id, updatedAt, *tags',
  scenes: 'id, characterId',
  conversations: 'id, characterId, updatedAt',
  messages: 'id, conversationId, parentId',
  personas: 'id',
  settings: 'key',
  models: 'id, lastUsedAt',
} as const satisfies Record<string, string>;

/**
 * Version 2: messages gain `revisions` and `updatedAt`, conversations gain `messageCount`
 * (see migrations.ts). New indexes: messages [conversationId+createdAt] so a conversation loads in
 * order from one index range, messages `status` so startup recovery finds streaming rows without
 * a scan, and conversations [characterId+updatedAt] for a character's chats newest first.
 * Only changed tables are listed; Dexie carries the rest over from version 1.
 */
export const SCHEMA_V2 = {
  conversations: 'id, characterId, updatedAt, [characterId+updatedAt]',
  messages: 'id, conversationId, parentId, status, [conversationId+createdAt]',
} as const satisfies Record<string, string>;

/**
 * Version 3: standalone lorebooks (lorebook_v3 / SillyTavern World Info), attached to a character
 * (`characterId`) or global (no characterId). New table only; no rows change shape.
 */
export const SCHEMA_V3 = {
  lorebooks: 'id, characterId, updatedAt',
} as const satisfies Record<string, string>;

/**
 * Version 4: a conversation's long-term memory (core/memory): pinned facts and rolling summaries,
 * by conversation. New table only; conversations gain optional fields (author's note, scenario),
 * which need no upgrade.
 */
export const SCHEMA_V4 = {
  memories: 'id, conversationId',
} as const satisfies Record<string, string>;

/**
 * Version 5: background jobs that use the loaded model (kept so they resume after a reload; not in
 * backups) and a character's saved evaluation runs. New tables only.
 */
export const SCHEMA_V5 = {
  jobs: 'id, kind, characterId',
  evalRuns: 'id, characterId',
} as const satisfies Record<string, string>;

export const DATABASE_VERSION = 5;

export type TableName = keyof typeof SCHEMA_V1 | keyof typeof SCHEMA_V3 | keyof typeof SCHEMA_V4 | keyof typeof SCHEMA_V5;

/** The typed tables of the database, keyed by table name. */
export interface AppTables {
  characters: Table<Character, string>;
  scenes: Table<Scene, string>;
  conversations: Table<Conversation, string>;
  messages: Table<Message, string>;
  personas: Table<Persona, string>;
  settings: Table<Setting, string>;
  models: Table<InstalledModel, string>;
  lorebooks: Table<StoredLorebook, string>;
  memories: Table<MemoryRecord, string>;
  jobs: Table<JobRecord, string>;
  evalRuns: Table<EvalRun, string>;
}

/** v1 -> v2: give every message a revision history and count each conversation's messages. */
export async function upgradeToV2(tx: Transaction): Promise<void> {
  await tx
    .table<MessageV1 | Message, string>('messages')
    .toCollection()
    .modify((message, ctx) => {
      ctx.value = migrateMessageV1toV2(message);
    });
  // Index keys only: no message bodies are read to count them.
  const counts = countByConversation(await tx.table('messages').orderBy('conversationId').keys());
  await tx
    .table<ConversationV1 | Conversation, string>('conversations')
    .toCollection()
    .modify((conversation, ctx) => {
      ctx.value = migrateConversationV1toV2(conversation, counts.get(conversation.id) ?? 0);
    });
}

export class AppDatabase extends Dexie implements AppTables {
  // `declare`, not fields: a class field would shadow the tables Dexie defines in stores().
  declare characters: AppTables['characters'];
  declare scenes: AppTables['scenes'];
  declare conversations: AppTables['conversations'];
  declare messages: AppTables['messages'];
  declare personas: AppTables['personas'];
  declare settings: AppTables['settings'];
  declare models: AppTables['models'];
  declare lorebooks: AppTables['lorebooks'];
  declare memories: AppTables['memories'];
  declare jobs: AppTables['jobs'];
  declare evalRuns: AppTables['evalRuns'];

  constructor(name = 'hearth', options?: DexieOptions) {
    super(name, options);
    this.version(1).stores(SCHEMA_V1);
    this.version(2).stores(SCHEMA_V2).upgrade(upgradeToV2);
    this.version(3).stores(SCHEMA_V3);
    this.version(4).stores(SCHEMA_V4);
    this.version(5).stores(SCHEMA_V5);
  }
}

function unavailable(cause: unknown): AppError {
  return new AppError(
    'storage-unavailable',
    'This browser is not letting the app save data (private window, blocked or disabled storage).',
    {},
    { cause },
  );
}

/**
 * Open (creating or upgrading) the database. The IndexedDB factory is read now, not when Dexie
 * was loaded, and any failure to reach it becomes AppError('storage-unavailable'). Before an
 * existing older database is upgraded, `beforeUpgrade` gets its rows (for a snapshot).
 */
export async function openDatabase(name = 'hearth', options: { beforeUpgrade?: BeforeUpgrade } = {}): Promise<AppDatabase> {
  let factory: IDBFactory | undefined;
  let keyRange: typeof IDBKeyRange | undefined;
  try {
    // Some browsers throw on merely reading indexedDB when storage is disabled.
    factory = globalThis.indexedDB ?? undefined;
    keyRange = globalThis.IDBKeyRange ?? undefined;
  } catch (error) {
    throw unavailable(error);
  }
  if (!factory || !keyRange) throw unavailable(new Error('IndexedDB is not available in this browser.'));
  if (options.beforeUpgrade) {
    // A snapshot that cannot be taken does not stop the app from starting: the hook reports it.
    const old = await readRowsBeforeUpgrade(factory, keyRange, name).catch(() => null);
    if (old) await options.beforeUpgrade(old).catch(() => undefined);
  }
  const db = new AppDatabase(name, { indexedDB: factory, IDBKeyRange: keyRange });
  try {
    await db.open();
  } catch (error) {
    db.close();
    throw unavailable(error);
  }
  return db;
}
