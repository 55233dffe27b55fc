// The Settings form (persona and sampling). Each field remembers what the form showed when it was
// filled: untouched fields follow what is stored (a restore, another tab's save), fields the person
// changed keep their text, and saving sends the changes against what they saw (see PersonaSettings).
// A preset fills the sampling fields (saved with the form); the person's own are saved from here too.

import { BUILTIN_PRESETS, clampOverride, cleanStopStrings } from '../core/sampling';
import type { Persona, SamplingOverride, SamplingPreset, SamplingSettings } from '../core/types';
import type { PersonaSettings } from './persona.svelte';

/** The number fields, each shown as a field of the same name. */
export const NUMBER_FIELDS = ['temperature', 'topP', 'topK', 'minP', 'maxTokens', 'repetitionPenalty', 'presencePenalty', 'frequencyPenalty'] as const;
type NumberField = (typeof NUMBER_FIELDS)[number];

/**
 * What a field shows for a stored value: stop strings one a line, a line break inside one written
 * \n (stops like "\nAna:" are the common ones); the seed as text (empty: none).
 */
const stopText = (sampling: SamplingSettings) => sampling.stop.map((stop) => stop.replaceAll('\n', '\\n')).join('\n');
const readStops = (text: string) => cleanStopStrings(text.split('\n').map((line) => line.replaceAll('\\n', '\n')));
const seedText = (sampling: SamplingSettings) => (sampling.seed === undefined ? '' : String(sampling.seed));

export class SettingsForm {
  name = $state('');
  description = $state('');
  temperature = $state(0);
  topP = $state(0);
  topK = $state(0);
  minP = $state(0);
  maxTokens = $state(0);
  repetitionPenalty = $state(0);
  presencePenalty = $state(0);
  frequencyPenalty = $state(0);
  stop = $state('');
  seed = $state('');
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

  /** Built-in presets first, then the person's own. */
  get presets(): SamplingPreset[] {
    return [...BUILTIN_PRESETS, ...this.#profile.presets];
  }

  /** Shows what is stored now in every field the person has not changed. */
  follow(persona: Persona | null, sampling: SamplingSettings): void {
    if (!this.#personaChanged()) this.#fillPersona(persona);
    // Sampling field by field, as it is saved field by field. A field showing the stored value has
    // that as its base; a changed one keeps the base it was changed from.
    const shown = this.#sampling;
    const base: SamplingSettings = { ...sampling };
    for (const key of NUMBER_FIELDS) {
      if (this[key] === shown[key]) this[key] = sampling[key];
      if (this[key] !== sampling[key]) base[key] = shown[key];
    }
    if (this.stop === stopText(shown)) this.stop = stopText(sampling);
    if (this.stop !== stopText(sampling)) base.stop = shown.stop;
    if (this.seed === seedText(shown)) this.seed = seedText(sampling);
    if (this.seed !== seedText(sampling)) base.seed = shown.seed;
    this.#sampling = base;
  }

  /** Fills the sampling fields with a preset's figures (the others keep theirs); Save stores them. */
  applyPreset(id: string): void {
    const preset = this.presets.find((p) => p.id === id);
    if (!preset) return;
    const values = clampOverride(preset.values);
    for (const key of NUMBER_FIELDS) if (values[key] !== undefined) this[key] = values[key];
    if (values.stop) this.stop = stopText({ ...this.#sampling, stop: values.stop });
    if (values.seed !== undefined) this.seed = String(values.seed);
  }

  /** The sampling fields as settings, clamped (what Save stores and a new preset holds). */
  sampling(): SamplingSettings {
    const numbers = Object.fromEntries(NUMBER_FIELDS.map((key) => [key, Number(this[key])])) as Record<NumberField, number>;
    const seed = this.seed.trim() === '' ? undefined : Number(this.seed);
    const values: SamplingOverride = { ...numbers, stop: readStops(this.stop), seed };
    // An unreadable field falls back to what it showed; an emptied seed means none.
    const result = { ...this.#sampling, ...clampOverride(values) };
    if (seed === undefined) delete result.seed;
    return result;
  }

  /** Saves the sampling fields as the person's preset `name` (a preset of that name is updated). */
  savePreset(name: string): Promise<SamplingPreset> {
    return this.#profile.savePreset(name, this.sampling());
  }

  deletePreset(id: string): Promise<void> {
    return this.#profile.deletePreset(id);
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
    const sampling = this.sampling();
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
    for (const key of NUMBER_FIELDS) this[key] = sampling[key];
    this.stop = stopText(sampling);
    this.seed = seedText(sampling);
  }
}
