// The rows of a database an older build wrote, read before this build upgrades it, so an automatic
// snapshot can keep them (state/snapshots). Read with Dexie's dynamic mode (no schema: it opens the
// database at whatever version it has) and then closed, before the real open runs the upgrade.
//
// Why not inside the upgrade transaction: writing the snapshot to OPFS there would let the
// transaction commit (an IndexedDB transaction ends at the first await on anything else), and
// keeping the rows until after the upgrade means the same thing as reading them first.
//
// The rows are brought to this build's shape with the same pure migrations the upgrade uses, so the
// snapshot restores like any backup of this build (the row schemas refuse older shapes). Each
// upgrade that reshapes rows adds its migration to toCurrentShape().

import Dexie from 'dexie';
import { BACKUP_TABLES, isDeviceSetting, type BackupRows } from '../core/backup';
import type { Setting } from '../core/types';
import { DATABASE_VERSION } from './db';
import { countByConversation, migrateConversationV1toV2, migrateMessageV1toV2, type ConversationV1, type MessageV1 } from './migrations';

export interface RowsBeforeUpgrade {
  /** The version the database had. */
  fromVersion: number;
  /** This build's version, whose shape the rows are in. */
  toVersion: number;
  /** Every backed-up row, in this build's shape. */
  rows: BackupRows;
}

/** Called with the old rows before an existing database is upgraded; the upgrade waits for it. */
export type BeforeUpgrade = (old: RowsBeforeUpgrade) => Promise<void>;

/**
 * The rows of database `name` when it exists at a version older than this build's, else null (a new
 * database, a current one, or a browser that cannot list databases: then there is no snapshot).
 */
export async function readRowsBeforeUpgrade(factory: IDBFactory, keyRange: typeof IDBKeyRange, name: string): Promise<RowsBeforeUpgrade | null> {
  if (typeof factory.databases !== 'function') return null;
  const existing = (await factory.databases()).find((info) => info.name === name);
  if (!existing?.version) return null;
  const old = new Dexie(name, { indexedDB: factory, IDBKeyRange: keyRange });
  try {
    await old.open();
    if (old.verno >= DATABASE_VERSION) return null;
    const names = new Set(old.tables.map((table) => table.name));
    const rows = Object.fromEntries(await Promise.all(BACKUP_TABLES.map(async (table) => [table, names.has(table) ? await old.table(table).toArray() : []]))) as Record<string, unknown[]>;
    rows.settings = (rows.settings as Setting[]).filter((s) => !isDeviceSetting(s.key));
    return { fromVersion: old.verno, toVersion: DATABASE_VERSION, rows: toCurrentShape(rows as unknown as BackupRows, old.verno) };
  } finally {
    old.close();
  }
}

function toCurrentShape(rows: BackupRows, version: number): BackupRows {
  if (version >= 2) return rows;
  const counts = countByConversation(rows.messages.map((m) => m.conversationId));
  return {
    ...rows,
    messages: (rows.messages as unknown as MessageV1[]).map(migrateMessageV1toV2),
    conversations: (rows.conversations as unknown as ConversationV1[]).map((c) => migrateConversationV1toV2(c, counts.get(c.id) ?? 0)),
  };
}
