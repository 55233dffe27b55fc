// The person's own personas ("who I am in this chat"), at most one of them the default.

import type { Persona } from '../core/types';
import type { AppDatabase } from './db';
import { guard } from './errors';
import { watch, type Watchable } from './live';
import { replaceIfUnchanged, type ReplaceOutcome } from './replace';

const byName = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

export class PersonaRepository {
  constructor(private readonly db: AppDatabase) {}

  /** All personas, by name. */
  list(): Promise<Persona[]> {
    return guard(async () => (await this.db.personas.toArray()).sort((a, b) => byName.compare(a.name, b.name)));
  }

  get(id: string): Promise<Persona | undefined> {
    return guard(() => this.db.personas.get(id));
  }

  /** Insert or replace. Putting one with isDefault clears the flag on every other persona. */
  put(persona: Persona): Promise<void> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', db.personas, async () => {
        if (persona.isDefault) await this.clearDefaultExcept(persona.id);
        await db.personas.put(persona);
      }),
    );
  }

  /**
   * Store a new persona as the default, unless a default appeared since the edit began (another
   * tab created one): 'changed' (nothing written), so that one is not silently set aside.
   */
  addDefault(persona: Persona): Promise<'saved' | 'changed'> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', db.personas, async () => {
        if (await this.getDefault()) return 'changed' as const;
        await db.personas.add({ ...persona, isDefault: true });
        return 'saved' as const;
      }),
    );
  }

  /**
   * Overwrite a persona that is still stored as it was when the edit began (`expectedUpdatedAt`):
   * 'gone' or 'changed' (nothing written) when another tab deleted or saved it meanwhile, so the
   * later save does not silently revert the earlier one.
   */
  replace(persona: Persona, expectedUpdatedAt: number): Promise<ReplaceOutcome> {
    return replaceIfUnchanged(this.db, this.db.personas, persona, expectedUpdatedAt, async () => {
      if (persona.isDefault) await this.clearDefaultExcept(persona.id);
    });
  }

  /** Remove a persona. Removing the default leaves none as default. */
  remove(id: string): Promise<void> {
    return guard(() => this.db.personas.delete(id));
  }

  /** list(), again after every change to the personas (this tab's or another's). */
  watchAll(): Watchable<Persona[]> {
    return watch(() => this.list());
  }

  /** getDefault(), again after every change to the personas. */
  watchDefault(): Watchable<Persona | undefined> {
    return watch(() => this.getDefault());
  }

  getDefault(): Promise<Persona | undefined> {
    // Booleans cannot be indexed in IndexedDB; personas are few, so scan.
    return guard(() => this.db.personas.filter((p) => p.isDefault).first());
  }

  private clearDefaultExcept(id: string): Promise<number> {
    return this.db.personas.filter((p) => p.isDefault && p.id !== id).modify({ isDefault: false });
  }
}
