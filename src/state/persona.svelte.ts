// Who the person is in chats (the default persona) and how replies are sampled: read, kept live
// from storage (another tab's change shows here too), and saved.

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

  async savePersona(name: string, description: string): Promise<void> {
    const now = Date.now();
    const persona: Persona = this.persona
      ? { ...this.persona, name, description, updatedAt: now }
      : { id: crypto.randomUUID(), name, description, isDefault: true, createdAt: now, updatedAt: now };
    const repo = this.#deps.personas();
    await repo.put(persona);
    await repo.setDefault(persona.id);
    this.#persona.set(persona);
  }

  async saveSampling(sampling: SamplingSettings): Promise<void> {
    await this.#deps.settings().set(SAMPLING_KEY, sampling);
    this.#sampling.set(sampling);
  }
}

function map<A, B>(source: Watchable<A>, f: (value: A) => B): Watchable<B> {
  return { subscribe: (next, error) => source.subscribe((value) => next(f(value)), error) };
}
