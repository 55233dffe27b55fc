// Every kind of the hostile-input catalogue through the app's own paths on fake-indexeddb: the
// import job (reader + one-transaction save) for cards, PNG, CHARX, zips, packs and lorebooks, and
// the backup state (read + restore) for backups, over a database seeded with a little of everything.
// A refusal must name its specific reason and leave every store's count and content hash as they
// were; an accepted file must leave every row that was there untouched.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_TABLES, readBackup, writeBackup, type BackupRows } from '../../../src/core/backup';
import { matchLorebook } from '../../../src/core/lorebook';
import type { Character, Lorebook, StoredLorebook } from '../../../src/core/types';
import { BackupState } from '../../../src/state/backup.svelte';
import { ImportJob } from '../../../src/state/import-job.svelte';
import { createRepositories, type Repositories } from '../../../src/storage';
import type { AppDatabase } from '../../../src/storage/db';
import { dumpAllTables, freshDb } from '../storage/helpers';
import { HOSTILE_KINDS, type AddedRows, type HostileKind } from './catalogue';
import { databaseFingerprint } from './fingerprint';
import { sampleRows } from './generators';

let db: AppDatabase;
let repos: Repositories;
let characters: Character[];

beforeEach(async () => {
  db = await freshDb();
  repos = createRepositories(db);
  const seed = sampleRows('seed');
  for (const table of BACKUP_TABLES) await db.table(table).bulkAdd(seed[table] as unknown[]);
  characters = await repos.characters.list();
});

afterEach(async () => {
  db.close();
  await db.delete();
});

interface Outcome {
  /** The reason it was refused, or undefined when it was accepted. */
  reason?: string;
  message?: string;
  warnings: string[];
}

async function importFile(kind: HostileKind): Promise<Outcome> {
  const job = new ImportJob({
    imports: () => repos.imports,
    lorebooks: () => repos.lorebooks,
    characters: () => characters,
    refresh: async () => void (characters = await repos.characters.list()),
  });
  const [result] = await job.importFiles([{ name: kind.name, bytes: kind.make() }]);
  if (result.status === 'rejected') return { reason: result.reason, message: result.message, warnings: [] };
  expect(result.status, `${kind.name} was ${result.status}`).not.toBe('skipped');
  return { warnings: result.warnings };
}

async function restoreFile(kind: HostileKind): Promise<Outcome> {
  const state = new BackupState({ repository: () => repos.backup, reload: async () => {}, appVersion: '0.1.0' });
  const file = new File([kind.make() as Uint8Array<ArrayBuffer>], kind.name);
  const result = await state.restore(file, kind.route === 'restore-merge' ? 'merge' : 'replace');
  if (result) return { warnings: [] };
  const error = state.error!;
  return { reason: error.code === 'bad-backup' ? String(error.details.reason) : error.code, message: error.message, warnings: [] };
}

/** A row's primary key (settings are keyed by `key`, every other table by `id`). */
const rowKey = (row: unknown): string => JSON.stringify((row as { id?: string }).id ?? (row as { key: string }).key);

/** Rows whose key was not there before, by table. */
function addedRows(before: Record<string, unknown[]>, after: Record<string, unknown[]>): AddedRows {
  const added: AddedRows = {};
  for (const [table, rows] of Object.entries(after)) {
    const had = new Set(before[table].map(rowKey));
    added[table] = rows.filter((row) => !had.has(rowKey(row))) as Record<string, unknown>[];
  }
  return added;
}

/** What the lorebooks added would warn about when used: their keys run against a hostile message. */
function loreWarnings(added: AddedRows): string[] {
  const books = [
    ...(added.lorebooks as unknown as StoredLorebook[]).map((b) => b.book),
    ...(added.characters as unknown as Character[]).flatMap((c) => (c.lorebook ? [c.lorebook] : [])),
  ];
  const message = { role: 'user' as const, content: `${'a'.repeat(40)}!` };
  return books.flatMap((book: Lorebook) => matchLorebook(book, [message], { tokenBudget: 100_000 }).warnings.map((w) => `${w.problem}: ${w.detail}`));
}

const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort();

describe(`hostile inputs: ${HOSTILE_KINDS.length} kinds, each refused with its reason or accepted as data, nothing that was stored changed`, () => {
  it.each(HOSTILE_KINDS.map((k) => [`${k.format}: ${k.kind}`, k] as const))('%s', { timeout: 30_000 }, async (_title, kind) => {
    const prototype = prototypeKeys();
    const before = await dumpAllTables(db);
    const fingerprint = await databaseFingerprint(db);

    const outcome = kind.route === 'import' ? await importFile(kind) : await restoreFile(kind);

    const after = await dumpAllTables(db);
    expect(prototypeKeys()).toEqual(prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if ('reason' in kind.expect) {
      expect({ reason: outcome.reason, message: outcome.message }).toEqual({ reason: kind.expect.reason, message: expect.stringMatching(kind.expect.message ?? /./) });
      // Row by row first (a readable difference), then every store's count and content hash.
      expect(after).toEqual(before);
      expect(await databaseFingerprint(db)).toEqual(fingerprint);
      return;
    }
    expect(outcome.reason, outcome.message).toBeUndefined();
    // Accepted: every row that was there is there unchanged (merges and imports only add).
    const keyed = (rows: unknown[]) => new Map(rows.map((row) => [rowKey(row), row]));
    for (const table of Object.keys(before)) {
      const now = keyed(after[table]);
      for (const [key, row] of keyed(before[table])) expect(now.get(key), `${table} ${key}`).toEqual(row);
    }
    const added = addedRows(before, after);
    expect(Object.values(added).some((rows) => rows.length > 0)).toBe(true);
    // What an import accepts, a backup must carry: the whole database writes and reads back.
    const backup = writeBackup(after as unknown as BackupRows, { appVersion: '0.1.0', databaseVersion: db.verno, createdAt: 0 });
    expect(() => readBackup(backup.bytes)).not.toThrow();
    if ('warning' in kind.expect) {
      expect([...outcome.warnings, ...loreWarnings(added)]).toContainEqual(expect.stringMatching(kind.expect.warning));
    } else {
      expect(kind.expect.check?.(added) ?? null).toBeNull();
    }
  });
});

describe('the hostile-input catalogue', () => {
  it('holds at least 80 distinct kinds across cards, PNG, CHARX, zips, packs, lorebooks and backups', () => {
    const names = new Set(HOSTILE_KINDS.map((k) => k.kind));
    expect(names.size).toBe(HOSTILE_KINDS.length);
    expect(names.size).toBeGreaterThanOrEqual(80);
    expect(new Set(HOSTILE_KINDS.map((k) => k.format))).toEqual(new Set(['card', 'png', 'charx', 'zip', 'pack', 'lorebook', 'backup']));
  });

});
