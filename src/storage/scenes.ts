// A character's corpus: the scenes retrieval searches, with their embedding vectors.

import type { CorpusTotals, Scene, SceneVector } from '../core/types';
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

  /**
   * How many scenes a character's corpus holds and their tokens in all: the totals kept on the
   * character row, checked against the index's count (which reads no rows). A row stored before
   * totals were kept, or an old copy of it saved back, is counted once (one pass over the scenes,
   * vectors and all) and the totals stored.
   */
  stats(characterId: string): Promise<CorpusTotals> {
    const { db } = this;
    return guard(async () => {
      const scenes = db.scenes.where('characterId').equals(characterId);
      const [character, count] = await Promise.all([db.characters.get(characterId), scenes.count()]);
      if (character?.corpus?.scenes === count) return character.corpus;
      const totals = { scenes: 0, tokens: 0 };
      await scenes.each((scene) => {
        totals.scenes += 1;
        totals.tokens += scene.tokens;
      });
      if (character) await db.characters.update(characterId, { corpus: totals });
      return totals;
    });
  }

  /**
   * One page of a character's scenes (in id order), optionally only those whose title or text
   * contains `query` (case-insensitive), with the number of matches, so a corpus of thousands of
   * scenes is read a page at a time.
   */
  page(characterId: string, options: { offset: number; limit: number; query?: string }): Promise<{ scenes: Scene[]; total: number }> {
    const needle = options.query?.trim().toLowerCase() ?? '';
    const matches = (scene: Scene) => !needle || scene.title.toLowerCase().includes(needle) || scene.text.toLowerCase().includes(needle);
    // Without a query no filter: Dexie then counts and skips by the index alone, never reading the
    // rows (each one carries its vectors) before the page.
    const collection = () => {
      const all = this.db.scenes.where('characterId').equals(characterId);
      return needle ? all.filter(matches) : all;
    };
    return guard(async () => {
      const total = await collection().count();
      const scenes = await collection().offset(options.offset).limit(options.limit).toArray();
      return { scenes, total };
    });
  }

  /** Add new scenes in one go, adding them to their characters' totals; fails (adding none) if an id already exists. */
  bulkAdd(scenes: readonly Scene[]): Promise<void> {
    const { db } = this;
    return guard(() =>
      // A transaction makes a failed import all-or-nothing; bare bulkAdd keeps the rows that fit.
      db.transaction('rw', [db.characters, db.scenes], async () => {
        await db.scenes.bulkAdd(scenes);
        for (const characterId of new Set(scenes.map((scene) => scene.characterId))) {
          const character = await db.characters.get(characterId);
          // Without totals yet, stats() counts them all at its first read.
          if (!character?.corpus) continue;
          const added = corpusTotals(scenes.filter((scene) => scene.characterId === characterId));
          await db.characters.update(characterId, { corpus: { scenes: character.corpus.scenes + added.scenes, tokens: character.corpus.tokens + added.tokens } });
        }
      }),
    );
  }

  /** Ids of a character's scenes that have no vector for `model` yet (one pass; the embedding job's to-do list). */
  missingVectorIds(characterId: string, model: string): Promise<string[]> {
    return guard(async () => {
      const ids: string[] = [];
      await this.db.scenes.where('characterId').equals(characterId).each((scene) => {
        if (!scene.vectors.some((v) => v.model === model)) ids.push(scene.id);
      });
      return ids;
    });
  }

  /** The scenes with these ids that still exist, in the order given. */
  getMany(ids: readonly string[]): Promise<Scene[]> {
    return guard(async () => (await this.db.scenes.bulkGet([...ids])).filter((scene): scene is Scene => scene !== undefined));
  }

  /**
   * Store one vector per scene in one transaction, replacing that scene's vector for the same
   * model and keeping its others. Scenes deleted meanwhile are skipped; returns how many were stored.
   */
  putVectors(updates: readonly { sceneId: string; vector: SceneVector }[]): Promise<number> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', db.scenes, async () => {
        const rows = await db.scenes.bulkGet(updates.map((u) => u.sceneId));
        const changed: Scene[] = [];
        rows.forEach((scene, i) => {
          if (!scene) return;
          const { vector } = updates[i];
          changed.push({ ...scene, vectors: [...scene.vectors.filter((v) => v.model !== vector.model), vector] });
        });
        await db.scenes.bulkPut(changed);
        return changed.length;
      }),
    );
  }

  /** A character's generated scenes (written by the model, accepted by the person), oldest first. */
  listGenerated(characterId: string): Promise<Scene[]> {
    return guard(async () => {
      const scenes = await this.db.scenes.where('characterId').equals(characterId).filter((scene) => scene.generated !== undefined).toArray();
      return scenes.sort((a, b) => a.generated!.createdAt - b.generated!.createdAt || a.id.localeCompare(b.id));
    });
  }

  /**
   * Remove all of a character's generated scenes in one transaction, taking them off its totals;
   * returns them, so an Undo can put them back with bulkAdd.
   */
  removeGenerated(characterId: string): Promise<Scene[]> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', [db.characters, db.scenes], async () => {
        const removed = await db.scenes.where('characterId').equals(characterId).filter((scene) => scene.generated !== undefined).toArray();
        await db.scenes.bulkDelete(removed.map((scene) => scene.id));
        const character = await db.characters.get(characterId);
        if (character?.corpus) {
          const gone = corpusTotals(removed);
          await db.characters.update(characterId, { corpus: { scenes: character.corpus.scenes - gone.scenes, tokens: character.corpus.tokens - gone.tokens } });
        }
        return removed;
      }),
    );
  }

  /** Remove a character's whole corpus; returns how many scenes went. */
  removeForCharacter(characterId: string): Promise<number> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', [db.characters, db.scenes], async () => {
        const removed = await db.scenes.where('characterId').equals(characterId).delete();
        await db.characters.update(characterId, { corpus: { scenes: 0, tokens: 0 } });
        return removed;
      }),
    );
  }
}

/** The totals of a corpus of these scenes (kept on its character row). */
export function corpusTotals(scenes: readonly Pick<Scene, 'tokens'>[]): CorpusTotals {
  return { scenes: scenes.length, tokens: scenes.reduce((sum, scene) => sum + scene.tokens, 0) };
}
