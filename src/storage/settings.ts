// Key-value settings (chosen model, sampling, theme...). Values must be plain, cloneable data.

import type { AppDatabase } from './db';
import { guard } from './errors';

export class SettingsRepository {
  constructor(private readonly db: AppDatabase) {}

  /** The stored value, or `fallback` when the key was never set. */
  get<T>(key: string, fallback: T): Promise<T> {
    return guard(async () => {
      const row = await this.db.settings.get(key);
      return row === undefined ? fallback : (row.value as T);
    });
  }

  /** Store a value. Pass plain data (use $state.snapshot for Svelte state: proxies cannot be stored). */
  set<T>(key: string, value: T): Promise<void> {
    return guard(async () => {
      await this.db.settings.put({ key, value });
    });
  }

  remove(key: string): Promise<void> {
    return guard(() => this.db.settings.delete(key));
  }
}
