// The Settings form (persona and sampling). Each field remembers what the form showed when it was
// filled: untouched fields follow what is stored (a restore, another tab's save), fields the person
// changed keep their text, and saving sends the changes against what they saw (see PersonaSettings).

import { DEFAULT_SAMPLING, SAMPLING_LIMITS, type Persona, type SamplingSettings } from '../core/types';

const clamp = (value: number, limits: { min: number; max: number }) => Math.min(limits.max, Math.max(limits.min, value));
import type { PersonaSettings } from './persona.svelte';

export class SettingsForm {
  name = $state('');
  description = $state('');
  temperature = $state(0);
  maxTokens = $state(0);
  /** The persona and sampling the fields were filled from. */
  #persona: Persona | null = null;
  #sampling: SamplingSettings;
  #profile: PersonaSettings;

  constructor(profile: PersonaSettings) {
    this.#profile = profile;
    this.#sampling = profile.sampling;
    this.#fillPersona(profile.persona);
    this.#fillSampling(profile.sampling);
  }

  /** Shows what is stored now in every field the person has not changed. */
  follow(persona: Persona | null, sampling: SamplingSettings): void {
    if (!this.#personaChanged()) this.#fillPersona(persona);
    // Sampling field by field, as it is saved field by field.
    const shown = this.#sampling;
    if (this.temperature === shown.temperature) this.temperature = sampling.temperature;
    if (this.maxTokens === shown.maxTokens) this.maxTokens = sampling.maxTokens;
    // A field showing the stored value has that as its base; a changed one keeps the base it was changed from.
    this.#sampling = {
      ...sampling,
      temperature: this.temperature === sampling.temperature ? sampling.temperature : shown.temperature,
      maxTokens: this.maxTokens === sampling.maxTokens ? sampling.maxTokens : shown.maxTokens,
    };
  }

  /**
   * Saves the persona (when changed) and then the sampling. A persona saved elsewhere since the form
   * showed it refuses the whole save (AppError 'persona-conflict'): nothing is stored and the
   * fields keep the person's text.
   */
  async save(): Promise<void> {
    // Read every field before the first await: a save updates the profile, which the form follows.
    const name = this.name.trim();
    const description = this.description.trim();
    const base = this.#sampling;
    const sampling: SamplingSettings = {
      ...base,
      temperature: clamp(Number(this.temperature) || 0, SAMPLING_LIMITS.temperature),
      maxTokens: clamp(Math.round(Number(this.maxTokens) || DEFAULT_SAMPLING.maxTokens), SAMPLING_LIMITS.maxTokens),
    };
    if (name !== (this.#persona?.name ?? '') || description !== (this.#persona?.description ?? '')) {
      await this.#profile.savePersona(name, description, this.#persona);
    }
    this.#fillPersona(this.#profile.persona);
    await this.#profile.saveSampling(sampling, base);
    this.#sampling = this.#profile.sampling;
    this.#fillSampling(this.#sampling);
  }

  #personaChanged(): boolean {
    return this.name !== (this.#persona?.name ?? '') || this.description !== (this.#persona?.description ?? '');
  }

  #fillPersona(persona: Persona | null): void {
    this.#persona = persona;
    this.name = persona?.name ?? '';
    this.description = persona?.description ?? '';
  }

  #fillSampling(sampling: SamplingSettings): void {
    this.temperature = sampling.temperature;
    this.maxTokens = sampling.maxTokens;
  }
}
