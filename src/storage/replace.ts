// Optimistic concurrency for whole-row writes: a row is overwritten only while it is still stored as
// it was when the edit began, so a save from a stale tab never silently reverts a newer one.

import type { Table } from 'dexie';
import type { AppDatabase } from './db';
import { guard } from './errors';

/** 'gone' and 'changed' wrote nothing: the row was deleted, or saved elsewhere since `expectedUpdatedAt`. */
export type ReplaceOutcome = 'saved' | 'gone' | 'changed';

/**
 * In one read-write transaction on `table`: put `row` when the stored copy's updatedAt is still
 * `expectedUpdatedAt`; `beforePut` runs first in the same transaction (a persona clearing the other
 * defaults).
 */
export function replaceIfUnchanged<T extends { id: string; updatedAt: number }>(
  db: AppDatabase,
  table: Table<T, string>,
  row: T,
  expectedUpdatedAt: number,
  beforePut?: () => Promise<unknown>,
): Promise<ReplaceOutcome> {
  return guard(() =>
    db.transaction('rw', table, async (): Promise<ReplaceOutcome> => {
      const stored = await table.get(row.id);
      if (stored === undefined) return 'gone';
      if (stored.updatedAt !== expectedUpdatedAt) return 'changed';
      await beforePut?.();
      await table.put(row);
      return 'saved';
    }),
  );
}
