// The start-up check of stored rows: tells "a saved row is damaged (table, row, field)" apart from "the browser's storage is unavailable".

import { checkRows, DamagedRowError, ROW_KEYS, type RowProblem, type RowTable } from '../core/row-schemas';
import type { AppDatabase } from './db';
import { guard } from './errors';

export { DamagedRowError, type RowProblem, type RowTable };

/** Every table, owners first (so the first problem found is the one that hides the most). */
export const ALL_ROW_TABLES: readonly RowTable[] = ['settings', 'characters', 'personas', 'lorebooks', 'conversations', 'models', 'scenes', 'messages', 'memories', 'evalRuns'];

/** Rows read per request: the check never holds a whole large table in memory. */
const PAGE = 500;

/**
 * The first row of the given tables (all by default) that fails its schema, or null. Reads page by
 * page in key order. Storage failures come out as AppError (guard), so a caller can show
 * 'storage-unavailable' for those and the damaged-data screen for a RowProblem.
 */
export function findDamagedRow(db: AppDatabase, tables: readonly RowTable[] = ALL_ROW_TABLES): Promise<RowProblem | null> {
  return guard(async () => {
    for (const name of tables) {
      const table = db.table(name);
      let offset = 0;
      let page = await table.orderBy(':id').limit(PAGE).toArray();
      while (page.length) {
        const problem = checkRows(name, page, offset);
        if (problem) return problem;
        offset += page.length;
        if (page.length < PAGE) break;
        const last = (page[page.length - 1] as Record<string, unknown>)[ROW_KEYS[name]];
        page = await table.where(':id').above(last).limit(PAGE).toArray();
      }
    }
    return null;
  });
}

/** findDamagedRow, throwing DamagedRowError for a damaged row. */
export async function checkStoredRows(db: AppDatabase, tables?: readonly RowTable[]): Promise<void> {
  const problem = await findDamagedRow(db, tables);
  if (problem) throw new DamagedRowError(problem);
}
