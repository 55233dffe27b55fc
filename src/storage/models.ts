// Models the person has installed or added, most recently used first.

import type { InstalledModel } from '../core/types';
import type { AppDatabase } from './db';
import { guard, notFound } from './errors';

export class ModelRepository {
  constructor(private readonly db: AppDatabase) {}

  /** All models, most recently used first. */
  list(): Promise<InstalledModel[]> {
    return guard(() => this.db.models.orderBy('lastUsedAt').reverse().toArray());
  }

  get(id: string): Promise<InstalledModel | undefined> {
    return guard(() => this.db.models.get(id));
  }

  put(model: InstalledModel): Promise<void> {
    return guard(async () => {
      await this.db.models.put(model);
    });
  }

  remove(id: string): Promise<void> {
    return guard(() => this.db.models.delete(id));
  }

  /** Mark a model as used now (it moves to the top of list()). */
  touch(id: string): Promise<void> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', db.models, async () => {
        const model = await db.models.get(id);
        if (!model) throw notFound('model', id);
        // Never backwards (a clock adjusted back must not sink the model just used).
        await db.models.update(id, { lastUsedAt: Math.max(Date.now(), model.lastUsedAt) });
      }),
    );
  }
}
