import Dexie, { type DBCore, type DBCoreTable } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import { AppDatabase } from '../../../src/storage/db';
import { isQuotaError, toStorageError } from '../../../src/storage/errors';
import { createRepositories } from '../../../src/storage';
import { freshName, makeConversation, makeMessage } from './helpers';

const opened: Dexie[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.delete();
});

/** A database whose writes fail the way a full disk makes them fail. */
async function fullDb(): Promise<AppDatabase> {
  const db = new AppDatabase(freshName());
  opened.push(db);
  let full = false;
  db.use({
    stack: 'dbcore',
    name: 'quota',
    create: (down: DBCore) => ({
      ...down,
      table: (name: string): DBCoreTable => {
        const table = down.table(name);
        return {
          ...table,
          mutate: (req) =>
            full ? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError')) : table.mutate(req),
        };
      },
    }),
  });
  await db.open();
  const repos = createRepositories(db);
  await repos.conversations.create(makeConversation('c1', { id: 'k1' }), []);
  full = true;
  return db;
}

describe('storage errors', () => {
  it('a quota failure surfaces as AppError("quota") and changes nothing', async () => {
    const db = await fullDb();
    const repos = createRepositories(db);
    const error = await repos.conversations.addMessage(makeMessage('k1')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('quota');
    expect((await repos.conversations.get('k1'))?.messageCount).toBe(0);

    const settingError = await repos.settings.set('x', 1).catch((e: unknown) => e);
    expect((settingError as AppError).code).toBe('quota');
  });

  it('finds QuotaExceededError however deep Dexie wraps it', () => {
    const dom = new DOMException('full', 'QuotaExceededError');
    expect(isQuotaError(dom)).toBe(true);
    expect(isQuotaError(new Dexie.AbortError('aborted', dom))).toBe(true);
    expect(isQuotaError(new Dexie.BulkError('bulk', { 0: new Dexie.QuotaExceededError(dom) }))).toBe(true);
    expect(isQuotaError(new Error('x', { cause: dom }))).toBe(true);
    expect(isQuotaError(new Dexie.ConstraintError('dup'))).toBe(false);
    expect(isQuotaError('QuotaExceededError')).toBe(false);
  });

  it('maps other failures to AppErrors, keeping AppErrors and causes', () => {
    const known = new AppError('not-found', 'gone');
    expect(toStorageError(known)).toBe(known);
    const closed = new Dexie.DatabaseClosedError('closed');
    expect(toStorageError(closed)).toMatchObject({ code: 'storage-unavailable', cause: closed });
    const dup = new Dexie.ConstraintError('Key already exists');
    expect(toStorageError(dup)).toMatchObject({ code: 'unknown', cause: dup });
  });

  it('a closed database surfaces as storage-unavailable', async () => {
    const db = new AppDatabase(freshName());
    opened.push(db);
    await db.open();
    db.close({ disableAutoOpen: true });
    const error = await createRepositories(db).models.list().catch((e: unknown) => e);
    expect((error as AppError).code).toBe('storage-unavailable');
  });
});
