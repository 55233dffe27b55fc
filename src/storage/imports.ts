// Saving an import: characters, their scenes and lorebooks in ONE transaction, so a failure (a full
// disk, a cancel) leaves the database exactly as it was. A replace writes the new rows first, moves
// the old character's conversations and attached lorebooks over, and only then deletes the old rows.

import type { Character, Scene, StoredLorebook } from '../core/types';
import { AppError } from '../core/errors';
import { ImportFailure } from '../core/import/failure';
import { checkRows, describeRowProblem, type RowTable } from '../core/row-schemas';
import type { AppDatabase } from './db';
import { guard } from './errors';
import { corpusTotals } from './scenes';

export interface ImportWrite {
  character: Character;
  scenes: readonly Scene[];
  /** The stored character this one replaces (same transaction); absent to keep both. */
  replaceId?: string;
}

export interface ImportBatch {
  characters: readonly ImportWrite[];
  lorebooks: readonly StoredLorebook[];
}

export interface CommitOptions {
  /** Scenes written so far, of all in the batch; called between chunks. */
  onProgress?: (written: number, total: number) => void;
  /** Aborting rolls the whole batch back. */
  signal?: AbortSignal;
}

/**
 * Scenes per bulkAdd. Cloning a chunk's rows into IndexedDB is one main-thread task (about 0.1 ms a
 * scene in Chromium), and no yield is possible inside the transaction: 250 keeps each task near 30 ms
 * and the progress bar moving, at no measurable cost in total time (bench/import-ui.bench.ts).
 */
const CHUNK = 250;

export class ImportRepository {
  constructor(private readonly db: AppDatabase) {}

  async commit(batch: ImportBatch, options: CommitOptions = {}): Promise<void> {
    const { db } = this;
    // Outside guard(): the refusal keeps its reason rather than becoming a storage error.
    refuseUnstorableRows(batch);
    const total = batch.characters.reduce((n, w) => n + w.scenes.length, 0);
    const checkAbort = () => {
      if (options.signal?.aborted) throw new AppError('aborted', 'The import was cancelled.');
    };
    return guard(async () => {
      checkAbort();
      await db.transaction('rw', [db.characters, db.scenes, db.lorebooks, db.conversations], async () => {
        let written = 0;
        for (const write of batch.characters) {
          await db.characters.add({ ...write.character, corpus: corpusTotals(write.scenes) });
          for (let at = 0; at < write.scenes.length; at += CHUNK) {
            checkAbort();
            const chunk = write.scenes.slice(at, at + CHUNK);
            await db.scenes.bulkAdd(chunk);
            written += chunk.length;
            options.onProgress?.(written, total);
          }
        }
        if (batch.lorebooks.length) await db.lorebooks.bulkAdd([...batch.lorebooks]);
        checkAbort();
        // Only now that every new row is in: hand the old character's chats and books to the new one.
        for (const write of batch.characters) {
          const oldId = write.replaceId;
          if (!oldId) continue;
          const newId = write.character.id;
          await db.conversations.where('characterId').equals(oldId).modify({ characterId: newId });
          await db.lorebooks.where('characterId').equals(oldId).modify({ characterId: newId });
          await db.scenes.where('characterId').equals(oldId).delete();
          await db.characters.delete(oldId);
        }
      });
    });
  }
}

/**
 * The readers cap what they return to what a backup restores, and the start-up check reads every
 * character: a row that slipped past them (a reader's bug, a format not thought of) would make the
 * backups unrestorable or the app refuse to start. So every row is checked against the same
 * schemas before anything is written, and the file is refused, naming the row and field.
 */
function refuseUnstorableRows(batch: ImportBatch): void {
  const tables: [RowTable, readonly unknown[]][] = [
    ['characters', batch.characters.map((write) => write.character)],
    ['scenes', batch.characters.flatMap((write) => write.scenes)],
    ['lorebooks', batch.lorebooks],
  ];
  for (const [table, rows] of tables) {
    const problem = checkRows(table, rows);
    if (problem) {
      throw new ImportFailure('wrong-shape', `This file would store ${describeRowProblem(problem)}, which a backup could not restore; nothing was saved.`, { table, row: problem.row, field: problem.field });
    }
  }
}
