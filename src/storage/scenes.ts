// A character's corpus: the scenes retrieval searches, with their embedding vectors.

import type { Scene } from '../core/types';
import type { AppDatabase } from './db';
import { guard } from './errors';

export class SceneRepository {
  constructor(private readonly db: AppDatabase) {}

  listForCharacter(characterId: string): Promise<Scene[]> {
    return guard(() => this.db.scenes.where('characterId').equals(characterId).toArray());
  }

  count(characterId: string): Promise<number> {
    return guard(() => this.db.scenes.where('characterId').equals(characterId).count());
  }

  /** Add new scenes in one go; fails (adding none) if an id already exists. */
  bulkAdd(scenes: readonly Scene[]): Promise<void> {
    const { db } = this;
    return guard(() =>
      // A transaction makes a failed import all-or-nothing; bare bulkAdd keeps the rows that fit.
      db.transaction('rw', db.scenes, async () => {
        await db.scenes.bulkAdd(scenes);
      }),
    );
  }

  /** Remove a character's whole corpus; returns how many scenes went. */
  removeForCharacter(characterId: string): Promise<number> {
    return guard(() => this.db.scenes.where('characterId').equals(characterId).delete());
  }
}
