// Who the person is in chats (the default persona) and how replies are sampled: read, kept live
// from storage (another tab's change shows here too), and saved.

import { AppError } from '../core/errors';
import { DEFAULT_SAMPLING, type Persona, type SamplingSettings } from '../core/types';
import type { PersonaRepository, SettingsRepository, Watchable } from '../storage';
import { LiveValue } from './live.svelte';

export const SAMPLING_KEY = 'sampling';

export interface PersonaSettingsDeps {
  personas: () => PersonaRepository;
  settings: () => SettingsRepository;
  /** What the character calls the person without a persona ("User", "你"). */
  fallbackName: () => string;
}

/** Stored sampling over the defaults, so settings added later have a value. */
function withDefaults(stored: Partial<SamplingSettings>): SamplingSettings {
  return { ...DEFAULT_SAMPLING, ...stored };
}

export class PersonaSettings {
  readonly #persona = new LiveValue<Persona | null>(null);
  readonly #sampling = new LiveValue<SamplingSettings>(DEFAULT_SAMPLING);
  #deps: PersonaSettingsDeps;

  constructor(deps: PersonaSettingsDeps) {
    this.#deps = deps;
  }

  get persona(): Persona | null {
    return this.#persona.value;
  }

  get sampling(): SamplingSettings {
    return this.#sampling.value;
  }

  /** The name and description the character knows the person by. */
  get forPrompt(): { name: string; description: string } {
    return { name: this.persona?.name.trim() || this.#deps.fallbackName(), description: this.persona?.description ?? '' };
  }

  async refresh(): Promise<void> {
    this.#persona.set((await this.#deps.personas().getDefault()) ?? null);
    this.#sampling.set(withDefaults(await this.#deps.settings().get(SAMPLING_KEY, DEFAULT_SAMPLING)));
  }

  watch(): void {
    const persona = this.#deps.personas().watchDefault();
    const sampling = this.#deps.settings().watch<Partial<SamplingSettings>>(SAMPLING_KEY, DEFAULT_SAMPLING);
    this.#persona.follow(map(persona, (p) => p ?? null));
    this.#sampling.follow(map(sampling, withDefaults));
  }

  dispose(): void {
    this.#persona.dispose();
    this.#sampling.dispose();
  }

  /**
   * Saves the default persona's name and description over `base`, the persona as the edit began
   * (none: a new one). Refuses (AppError 'persona-conflict', nothing written) when another tab saved,
   * deleted or created the default persona since, so this save does not silently undo that one.
   */
  async savePersona(name: string, description: string, base: Persona | null = this.persona): Promise<void> {
    const repo = this.#deps.personas();
    // Strictly newer than the base, so a second save within the same millisecond is still a change.
    const now = Math.max(Date.now(), (base?.updatedAt ?? 0) + 1);
    const persona: Persona = base
      ? { ...base, name, description, isDefault: true, updatedAt: now }
      : { id: crypto.randomUUID(), name, description, isDefault: true, createdAt: now, updatedAt: now };
    const outcome = base ? await repo.replace(persona, base.updatedAt) : await repo.addDefault(persona);
    if (outcome !== 'saved') {
      throw new AppError('persona-conflict', `Persona ${persona.id} was saved elsewhere while it was being edited.`);
    }
    this.#persona.set(persona);
  }

  /**
   * Stores the fields of `sampling` that differ from `base` (the settings as the form showed them)
   * over what is stored now. Per field the last save wins, with no refusal: another tab's change to
   * another field stays, and for the same field the newer deliberate choice is the one a person
   * expects to hold (every tab shows it at once, as the value is live).
   */
  async saveSampling(sampling: SamplingSettings, base: SamplingSettings = this.sampling): Promise<void> {
    const changes: Partial<SamplingSettings> = Object.fromEntries(
      Object.entries(sampling).filter(([key, value]) => base[key as keyof SamplingSettings] !== value),
    );
    const stored = await this.#deps.settings().patch<Partial<SamplingSettings>>(SAMPLING_KEY, DEFAULT_SAMPLING, changes);
    this.#sampling.set(withDefaults(stored));
  }
}

function map<A, B>(source: Watchable<A>, f: (value: A) => B): Watchable<B> {
  return { subscribe: (next, error) => source.subscribe((value) => next(f(value)), error) };
}
