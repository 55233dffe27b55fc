// One persona being written in the persona manager: its fields, the check that it has a name, and save.

import type { Persona } from '../core/types';
import type { PersonaFields, PersonaSettings } from './persona.svelte';

export class PersonaDraft {
  name = $state('');
  description = $state('');
  avatar = $state('');
  /** Set by a save attempt, so "needs a name" shows only once the person has tried. */
  attempted = $state(false);
  error = $state.raw<unknown>(null);
  readonly nameMissing = $derived(this.name.trim() === '');
  /** The stored persona as the edit began; null for a new one. */
  readonly base: Persona | null;
  #profile: PersonaSettings;

  constructor(profile: PersonaSettings, base: Persona | null) {
    this.#profile = profile;
    this.base = base;
    this.name = base?.name ?? '';
    this.description = base?.description ?? '';
    this.avatar = base?.avatar ?? '';
  }

  /** Stores the persona; false when it has no name or the save failed (`error` says why). */
  async save(): Promise<boolean> {
    this.attempted = true;
    if (this.nameMissing) return false;
    const fields: PersonaFields = { name: this.name, description: this.description, avatar: this.avatar };
    try {
      if (this.base) await this.#profile.updatePersona(this.base, fields);
      else await this.#profile.addPersona(fields);
      this.error = null;
      return true;
    } catch (error) {
      this.error = error;
      return false;
    }
  }
}
