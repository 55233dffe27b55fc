// Key-value settings (chosen model, sampling, theme...). Values must be plain, cloneable data.

import type { AppDatabase } from './db';
import { guard } from './errors';
import { watch, type Watchable } from './live';

export class SettingsRepository {
  constructor(private readonly db: AppDatabase) {}

  /** The stored value, or `fallback` when the key was never set. */
  get<T>(key: string, fallback: T): Promise<T> {
    return guard(async () => {
      const row = await this.db.settings.get(key);
      return row === undefined ? fallback : (row.value as T);
    });
  }

  /** get(), again after every change to that key (this tab or another). */
  watch<T>(key: string, fallback: T): Watchable<T> {
    return watch(() => this.get(key, fallback));
  }

  /** Store a value. Pass plain data (use $state.snapshot for Svelte state: proxies cannot be stored). */
  set<T>(key: string, value: T): Promise<void> {
    return guard(async () => {
      await this.db.settings.put({ key, value });
    });
  }

  /**
   * Read, change and store one value inside a single read-write transaction, so two quick updates
   * of the same key (say, two deletions recorded in one list) cannot overwrite each other.
   */
  update<T>(key: string, fallback: T, change: (value: T) => T): Promise<T> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', db.settings, async () => {
        const row = await db.settings.get(key);
        const value = change(row === undefined ? fallback : (row.value as T));
        await db.settings.put({ key, value });
        return value;
      }),
    );
  }

  /**
   * Store only `changes` over the object stored under `key` (or `fallback`), in one read-write
   * transaction, so fields another tab changed meanwhile keep that tab's values.
   */
  patch<T extends object>(key: string, fallback: T, changes: Partial<T>): Promise<T> {
    return this.update<T>(key, fallback, (value) => ({ ...value, ...changes }));
  }

  remove(key: string): Promise<void> {
    return guard(() => this.db.settings.delete(key));
  }
}
