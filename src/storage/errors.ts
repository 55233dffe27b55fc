// Turns whatever Dexie or IndexedDB throws into an AppError the UI can put into a sentence.

import { AppError, toAppError } from '../core/errors';

/** Dexie error names that mean the database itself is gone or cannot be used. */
const UNAVAILABLE = new Set([
  'DatabaseClosedError',
  'OpenFailedError',
  'MissingAPIError',
  'VersionChangeError',
  'VersionError',
  'InvalidStateError',
  'UnknownError',
]);

/**
 * Dexie wraps the DOMException (`inner`), and an aborted transaction or a bulk write carries the
 * real cause further down (`inner`, `cause`, `failures`), so look through the whole chain.
 */
function errorNames(error: unknown, seen = new Set<unknown>()): string[] {
  if (error === null || typeof error !== 'object' || seen.has(error)) return [];
  seen.add(error);
  const e = error as { name?: unknown; inner?: unknown; cause?: unknown; failures?: unknown };
  const names = typeof e.name === 'string' ? [e.name] : [];
  names.push(...errorNames(e.inner, seen), ...errorNames(e.cause, seen));
  if (Array.isArray(e.failures)) for (const f of e.failures) names.push(...errorNames(f, seen));
  return names;
}

export function isQuotaError(error: unknown): boolean {
  return errorNames(error).includes('QuotaExceededError');
}

/** Map a storage failure to an AppError; AppErrors thrown by repositories pass through unchanged. */
export function toStorageError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isQuotaError(error)) {
    return new AppError(
      'quota',
      'The browser has no more room to save data for this site.',
      {},
      { cause: error },
    );
  }
  const name = error instanceof Error ? error.name : '';
  if (UNAVAILABLE.has(name)) {
    const message = error instanceof Error ? error.message : String(error);
    return new AppError('storage-unavailable', message, {}, { cause: error });
  }
  return toAppError(error);
}

/** Run one storage operation, rethrowing any failure as an AppError. */
export async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toStorageError(error);
  }
}

export function notFound(what: string, id: string): AppError {
  return new AppError('not-found', `No ${what} with id ${id}.`, { what, id });
}
