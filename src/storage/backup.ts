// Whole-database backup, restore (replace or merge) and "delete all data", each in one transaction.

import { BACKUP_TABLES, BackupError, BackupWriter, checkBackupRows, isBackedUpSetting, isDeviceSetting, mergedId, type Backup, type BackupManifest, type BackupRows, type BackupTable } from '../core/backup';
import type { Character, Conversation, EvalRun, MemoryRecord, Message, Persona, Scene, Setting, StoredLorebook } from '../core/types';
import { AppError } from '../core/errors';
import { DATABASE_VERSION, type AppDatabase } from './db';
import { guard } from './errors';
import { checkStoredRows, findDamagedRow, type RowProblem, type RowTable } from './row-check';

export type RestoreMode = 'replace' | 'merge';

/** Rows read or written so far, out of all rows in the job. */
export type BackupProgress = (done: number, total: number) => void;

export interface RestoreSummary {
  mode: RestoreMode;
  /** Rows written per table. */
  written: Record<BackupTable, number>;
  /** Merge only: characters, conversations, personas and lorebooks kept because this device's copy is newer. */
  keptNewer: number;
}

/** Rows read or written per IndexedDB request: big enough to be fast, small enough to show progress. */
const PAGE = 500;

function zeroCounts(): Record<BackupTable, number> {
  return Object.fromEntries(BACKUP_TABLES.map((t) => [t, 0])) as Record<BackupTable, number>;
}

export class BackupRepository {
  constructor(private readonly db: AppDatabase) {}

  #tables() {
    const { db } = this;
    return BACKUP_TABLES.map((name) => db.table(name));
  }

  /**
   * Every backed-up table, read page by page inside ONE read transaction (a consistent snapshot
   * even while a chat is writing), into a backup zip. The models table is left out on purpose.
   */
  create(meta: { appVersion: string; createdAt: number; includeSecrets?: boolean }, onProgress?: BackupProgress): Promise<{ manifest: BackupManifest; bytes: Uint8Array }> {
    const { db } = this;
    const { includeSecrets = false, ...manifestMeta } = meta;
    const writer = new BackupWriter({ ...manifestMeta, databaseVersion: DATABASE_VERSION });
    return guard(async () => {
      await db.transaction('r', this.#tables(), async () => {
        const counts = await Promise.all(BACKUP_TABLES.map((name) => db.table(name).count()));
        const total = counts.reduce((a, b) => a + b, 0);
        let done = 0;
        onProgress?.(0, total);
        for (const name of BACKUP_TABLES) {
          const table = db.table(name);
          let page = await table.orderBy(':id').limit(PAGE).toArray();
          while (page.length) {
            writer.addRows(name, name === 'settings' ? page.filter((row) => isBackedUpSetting((row as Setting).key, includeSecrets)) : page);
            done += page.length;
            onProgress?.(done, total);
            if (page.length < PAGE) break;
            const keyPath = table.schema.primKey.keyPath as string;
            const last = (page[page.length - 1] as Record<string, string>)[keyPath];
            page = await table.where(':id').above(last).limit(PAGE).toArray();
          }
        }
      });
      return writer.finish();
    });
  }

  /**
   * Write a checked backup in ONE read-write transaction: any failure (quota included) rolls
   * everything back, so the database is either fully restored or exactly as it was.
   * replace: clear every backed-up table, then add the backup's rows.
   * merge: see mergeInto().
   */
  restore(backup: Backup, mode: RestoreMode, onProgress?: BackupProgress): Promise<RestoreSummary> {
    const { db } = this;
    return guard(async () => {
      // readBackup checked the rows already; a Backup built any other way is checked here, before any write.
      try {
        checkBackupRows(backup.rows);
      } catch (error) {
        if (error instanceof BackupError) throw new AppError('bad-backup', error.message, { reason: error.reason, ...error.details }, { cause: error });
        throw error;
      }
      return db.transaction('rw', this.#tables(), async () => {
        if (mode === 'replace') {
          await this.#clearTables();
          const written = await this.#addAll({ ...backup.rows, settings: backup.rows.settings.filter((s) => !isDeviceSetting(s.key)) }, onProgress);
          return { mode, written, keptNewer: 0 };
        }
        return this.#merge(backup.rows, onProgress);
      });
    });
  }

  /**
   * The start-up check: the first stored row (of `tables`, all by default) that fails its schema,
   * or null. Storage failures reject with AppError, as every repository call does.
   */
  findDamagedRow(tables?: readonly RowTable[]): Promise<RowProblem | null> {
    return findDamagedRow(this.db, tables);
  }

  /** findDamagedRow, rejecting with DamagedRowError (core/row-schemas) for a damaged row. */
  checkStoredRows(tables?: readonly RowTable[]): Promise<void> {
    return checkStoredRows(this.db, tables);
  }

  /**
   * Whether anything here is the person's own: a conversation, persona or lorebook, or a character
   * they made or imported. A fresh install (built-ins only) has nothing an automatic backup must keep.
   */
  hasUserData(): Promise<boolean> {
    const { db } = this;
    return guard(async () => {
      for (const table of [db.conversations, db.personas, db.lorebooks]) if ((await table.limit(1).count()) > 0) return true;
      return (await db.characters.filter((c) => c.origin !== 'builtin').limit(1).count()) > 0;
    });
  }

  /** Clears every backed-up table (not models, nor device settings: their weights stay, and so does what describes them). */
  clearAll(): Promise<void> {
    const { db } = this;
    // Background jobs go too: they work on the characters being deleted.
    return guard(() =>
      db.transaction('rw', [...this.#tables(), db.jobs], async () => {
        await this.#clearTables();
        await db.jobs.clear();
      }),
    );
  }

  async #clearTables(): Promise<void> {
    const { db } = this;
    for (const name of BACKUP_TABLES) {
      if (name === 'settings') await db.settings.filter((s) => !isDeviceSetting(s.key)).delete();
      else await db.table(name).clear();
    }
  }

  async #addAll(rows: Partial<BackupRows>, onProgress?: BackupProgress, writeWith: 'add' | 'put' = 'add'): Promise<Record<BackupTable, number>> {
    const written = zeroCounts();
    const total = BACKUP_TABLES.reduce((sum, t) => sum + (rows[t]?.length ?? 0), 0);
    let done = 0;
    onProgress?.(0, total);
    for (const name of BACKUP_TABLES) {
      const list = (rows[name] ?? []) as unknown[];
      const table = this.db.table(name);
      for (let at = 0; at < list.length; at += PAGE) {
        const page = list.slice(at, at + PAGE);
        if (writeWith === 'add') await table.bulkAdd(page);
        else await table.bulkPut(page);
        done += page.length;
        written[name] += page.length;
        onProgress?.(done, total);
      }
    }
    return written;
  }

  /**
   * Merge policy, per aggregate so nothing is half-taken:
   * - a character (with its scenes), a conversation (with its messages), a persona, a lorebook:
   *   the copy with the later updatedAt wins; on a tie this device's copy stays. A winning
   *   character or conversation replaces this device's scenes or messages for it whole.
   * - an evaluation run: the copy with the later updatedAt wins (it gains results as it runs).
   * - settings: this device's values stay; keys it does not have come from the backup.
   * - the default persona: this device's stays the default when it has one.
   * Rows only on this device are never touched: see #rekeyForeign for ids used here by another owner.
   */
  async #merge(backupRows: BackupRows, onProgress?: BackupProgress): Promise<RestoreSummary> {
    const { db } = this;
    const rows = await this.#rekeyForeign(backupRows);
    let keptNewer = 0;
    const newer = async <T extends { id: string; updatedAt: number }>(name: BackupTable, incoming: T[]): Promise<{ wins: T[]; replaced: string[] }> => {
      const here = (await db.table(name).bulkGet(incoming.map((r) => r.id))) as (T | undefined)[];
      const wins: T[] = [];
      const replaced: string[] = [];
      incoming.forEach((row, i) => {
        const existing = here[i];
        if (!existing) wins.push(row);
        else if (row.updatedAt > existing.updatedAt) (wins.push(row), replaced.push(row.id));
        else keptNewer += 1;
      });
      return { wins, replaced };
    };

    const characters = await newer<Character>('characters', rows.characters);
    const winningCharacters = new Set(characters.wins.map((c) => c.id));
    if (characters.replaced.length) await db.scenes.where('characterId').anyOf(characters.replaced).delete();

    const conversations = await newer<Conversation>('conversations', rows.conversations);
    const winningConversations = new Set(conversations.wins.map((c) => c.id));
    if (conversations.replaced.length) {
      await db.messages.where('conversationId').anyOf(conversations.replaced).delete();
      await db.memories.where('conversationId').anyOf(conversations.replaced).delete();
    }

    const evalRuns = await newer<EvalRun>('evalRuns', rows.evalRuns);
    const personas = await newer<Persona>('personas', rows.personas);
    const lorebooks = await newer<StoredLorebook>('lorebooks', rows.lorebooks);
    const settingsHere = new Set(await db.settings.toCollection().primaryKeys());

    const hadDefault = await db.personas.filter((p) => p.isDefault).first();
    const written = await this.#addAll(
      {
        characters: characters.wins,
        scenes: rows.scenes.filter((s) => winningCharacters.has(s.characterId)),
        conversations: conversations.wins,
        messages: rows.messages.filter((m) => winningConversations.has(m.conversationId)),
        memories: rows.memories.filter((m) => winningConversations.has(m.conversationId)),
        evalRuns: evalRuns.wins,
        personas: personas.wins,
        lorebooks: lorebooks.wins,
        settings: rows.settings.filter((s) => !settingsHere.has(s.key) && !isDeviceSetting(s.key)),
      },
      onProgress,
      'put',
    );
    if (hadDefault) {
      await db.personas.filter((p) => p.isDefault && p.id !== hadDefault.id).modify({ isDefault: false });
      await db.personas.update(hadDefault.id, { isDefault: true });
    }
    return { mode: 'merge', written, keptNewer };
  }

  /**
   * A row is "the same row" here only when both its id and its owner match: a scene of the same
   * character, a conversation of the same character, a message of the same conversation, a lorebook
   * of the same character (or global on both sides). Characters, personas and settings have no
   * owner, so their id (key) alone says it. A backup row whose id is taken here by a row of another
   * owner is foreign: it gets a fresh id (mergedId) and the backup's references follow it (the
   * messages of a re-keyed conversation, parentId and leafId of a re-keyed message), so the merge
   * never overwrites or re-parents a row of this device. Returns new row lists; `rows` is not changed.
   */
  async #rekeyForeign(rows: BackupRows): Promise<BackupRows> {
    const conversationIds = await this.#foreignKeys('conversations', rows.conversations, (c) => c.characterId);
    const conversationOf = (id: string) => conversationIds.get(id) ?? id;
    const owned = rows.messages.map((m) => (conversationIds.has(m.conversationId) ? { ...m, conversationId: conversationOf(m.conversationId) } : m));
    const messageIds = await this.#foreignKeys('messages', owned, (m) => m.conversationId);
    const messageOf = (id: string | null) => (id === null ? null : (messageIds.get(id) ?? id));
    const ownedMemories = rows.memories.map((m) => (conversationIds.has(m.conversationId) ? { ...m, conversationId: conversationOf(m.conversationId) } : m));
    const memoryIds = await this.#foreignKeys('memories', ownedMemories, (m) => m.conversationId);
    const sceneIds = await this.#foreignKeys('scenes', rows.scenes, (s) => s.characterId);
    const lorebookIds = await this.#foreignKeys('lorebooks', rows.lorebooks, (b) => b.characterId);
    const evalRunIds = await this.#foreignKeys('evalRuns', rows.evalRuns, (r) => r.characterId);
    if (!conversationIds.size && !messageIds.size && !memoryIds.size && !sceneIds.size && !lorebookIds.size && !evalRunIds.size) return rows;
    const rekey = <T extends { id: string }>(list: T[], ids: Map<string, string>) => list.map((row) => (ids.has(row.id) ? { ...row, id: ids.get(row.id)! } : row));
    return {
      ...rows,
      scenes: rekey<Scene>(rows.scenes, sceneIds),
      conversations: rekey<Conversation>(rows.conversations, conversationIds).map((c) =>
        c.leafId !== null && messageIds.has(c.leafId) ? { ...c, leafId: messageOf(c.leafId) } : c,
      ),
      messages: rekey<Message>(owned, messageIds).map((m) => (m.parentId !== null && messageIds.has(m.parentId) ? { ...m, parentId: messageOf(m.parentId) } : m)),
      // A memory follows its conversation and the messages it names (a pinned one, a summary's last).
      memories: rekey<MemoryRecord>(ownedMemories, memoryIds).map((m) => ({
        ...m,
        ...(m.messageId && messageIds.has(m.messageId) ? { messageId: messageOf(m.messageId)! } : {}),
        ...(m.coversId && messageIds.has(m.coversId) ? { coversId: messageOf(m.coversId)! } : {}),
      })),
      lorebooks: rekey<StoredLorebook>(rows.lorebooks, lorebookIds),
      // A run's questions name the scenes it keeps out of retrieval: they follow re-keyed scenes.
      evalRuns: rekey<EvalRun>(rows.evalRuns, evalRunIds).map((r) => ({
        ...r,
        questions: r.questions.map((q) => (q.sceneId !== undefined && sceneIds.has(q.sceneId) ? { ...q, sceneId: sceneIds.get(q.sceneId)! } : q)),
      })),
    };
  }

  /**
   * Backup id -> fresh id, for the rows whose id is taken here by a row of another owner. The fresh
   * id is tried the same way (a taken one with the same owner is the copy an earlier merge made).
   */
  async #foreignKeys<T extends { id: string }>(name: BackupTable, list: readonly T[], ownerOf: (row: T) => string | undefined): Promise<Map<string, string>> {
    const table = this.db.table<T, string>(name);
    const taken = new Set(list.map((row) => row.id));
    const fresh = new Map<string, string>();
    const given = new Set<string>();
    let pending = list.map((row) => ({ row, attempt: 0, id: row.id }));
    while (pending.length) {
      const here = await table.bulkGet(pending.map((p) => p.id));
      const next: typeof pending = [];
      pending.forEach((p, i) => {
        const local = here[i];
        const clash = p.attempt > 0 && (taken.has(p.id) || given.has(p.id));
        if (!clash && (local === undefined || ownerOf(local) === ownerOf(p.row))) {
          if (p.attempt > 0) (fresh.set(p.row.id, p.id), given.add(p.id));
          return;
        }
        p.attempt += 1;
        p.id = mergedId(name, p.row.id, ownerOf(p.row), p.attempt);
        next.push(p);
      });
      pending = next;
    }
    return fresh;
  }
}
