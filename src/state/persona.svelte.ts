// Who the person is in chats (their personas, one of them the default), how replies are sampled and
// the person's own sampling presets: read, kept live from storage (another tab's change shows here too), and saved.

import { AppError } from '../core/errors';
import { clampOverride, resolveSampling } from '../core/sampling';
import { DEFAULT_SAMPLING, type Persona, type SamplingOverride, type SamplingPreset, type SamplingSettings } from '../core/types';
import type { PersonaRepository, SettingsRepository, Watchable } from '../storage';
import { LiveValue } from './live.svelte';

export const SAMPLING_KEY = 'sampling';
/** The person's own presets (the built-in ones are core/sampling.ts's, never stored). */
export const SAMPLING_PRESETS_KEY = 'sampling.presets';
/** Enough for every purpose a person names; a list, not a library. */
export const MAX_PRESETS = 50;
export const MAX_PRESET_NAME = 40;

export interface PersonaSettingsDeps {
  personas: () => PersonaRepository;
  settings: () => SettingsRepository;
  /** What the character calls the person without a persona ("User", "你"). */
  fallbackName: () => string;
}

/** Who the person is in a chat: the name and description the prompt uses, the picture their messages show. */
export interface ChatPersona {
  /** The stored persona; absent when there is none (the fallback name). */
  id?: string;
  name: string;
  description: string;
  avatar?: string;
}

/** What a persona form edits. */
export interface PersonaFields {
  name: string;
  description: string;
  /** data: URL; empty: no picture. */
  avatar: string;
}

/** Stored sampling over the defaults (so settings added later have a value), clamped to the limits. */
function withDefaults(stored: Partial<SamplingSettings>): SamplingSettings {
  return resolveSampling(stored);
}

/** Only well-formed presets: a value another version (or a hand-edited backup) wrote is not trusted. */
function readPresets(stored: unknown): SamplingPreset[] {
  if (!Array.isArray(stored)) return [];
  return stored.filter((p): p is SamplingPreset => typeof p?.id === 'string' && typeof p?.name === 'string' && typeof p?.values === 'object' && p.values !== null)
    .map((p) => ({ id: p.id, name: p.name, values: clampOverride(p.values) }));
}

export class PersonaSettings {
  readonly #persona = new LiveValue<Persona | null>(null);
  readonly #personas = new LiveValue<Persona[]>([]);
  readonly #sampling = new LiveValue<SamplingSettings>(DEFAULT_SAMPLING);
  readonly #presets = new LiveValue<SamplingPreset[]>([]);
  #deps: PersonaSettingsDeps;

  constructor(deps: PersonaSettingsDeps) {
    this.#deps = deps;
  }

  get persona(): Persona | null {
    return this.#persona.value;
  }

  /** Every persona, by name. */
  get personas(): Persona[] {
    return this.#personas.value;
  }

  get sampling(): SamplingSettings {
    return this.#sampling.value;
  }

  /** The person's own sampling presets, in the order they were saved. */
  get presets(): SamplingPreset[] {
    return this.#presets.value;
  }

  /** The name and description the character knows the person by (the default persona). */
  get forPrompt(): ChatPersona {
    return this.#asChatPersona(this.persona);
  }

  /**
   * The persona a chat is written as: its own choice, else the character's default persona, else the
   * default one (a chosen persona deleted since falls through to the next).
   */
  chatPersona(chosenId: string | undefined, characterDefaultId: string | undefined): ChatPersona {
    const byId = (id: string | undefined) => (id === undefined ? undefined : this.personas.find((p) => p.id === id));
    return this.#asChatPersona(byId(chosenId) ?? byId(characterDefaultId) ?? this.persona);
  }

  #asChatPersona(persona: Persona | null): ChatPersona {
    return {
      id: persona?.id,
      name: persona?.name.trim() || this.#deps.fallbackName(),
      description: persona?.description ?? '',
      avatar: persona?.avatar || undefined,
    };
  }

  async refresh(): Promise<void> {
    this.#persona.set((await this.#deps.personas().getDefault()) ?? null);
    this.#personas.set(await this.#deps.personas().list());
    this.#sampling.set(withDefaults(await this.#deps.settings().get(SAMPLING_KEY, DEFAULT_SAMPLING)));
    this.#presets.set(readPresets(await this.#deps.settings().get<unknown>(SAMPLING_PRESETS_KEY, [])));
  }

  watch(): void {
    const persona = this.#deps.personas().watchDefault();
    const sampling = this.#deps.settings().watch<Partial<SamplingSettings>>(SAMPLING_KEY, DEFAULT_SAMPLING);
    this.#persona.follow(map(persona, (p) => p ?? null));
    this.#personas.follow(this.#deps.personas().watchAll());
    this.#sampling.follow(map(sampling, withDefaults));
    this.#presets.follow(map(this.#deps.settings().watch<unknown>(SAMPLING_PRESETS_KEY, []), readPresets));
  }

  dispose(): void {
    this.#persona.dispose();
    this.#personas.dispose();
    this.#sampling.dispose();
    this.#presets.dispose();
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

  /** A new persona; the first one becomes the default. Returns it. */
  async addPersona(fields: PersonaFields): Promise<Persona> {
    const now = Date.now();
    const persona: Persona = {
      id: crypto.randomUUID(),
      ...cleaned(fields),
      isDefault: !(await this.#deps.personas().getDefault()),
      createdAt: now,
      updatedAt: now,
    };
    await this.#deps.personas().put(persona);
    await this.refresh();
    return persona;
  }

  /**
   * Saves a persona's fields over `base`, the persona as the edit began; refuses (AppError
   * 'persona-conflict', nothing written) when another tab saved or deleted it since.
   */
  async updatePersona(base: Persona, fields: PersonaFields): Promise<void> {
    const { avatar: _replaced, ...kept } = base; // an emptied picture is removed, not kept
    const persona: Persona = { ...kept, ...cleaned(fields), updatedAt: Math.max(Date.now(), base.updatedAt + 1) };
    if ((await this.#deps.personas().replace(persona, base.updatedAt)) !== 'saved') {
      throw new AppError('persona-conflict', `Persona ${persona.id} was saved elsewhere while it was being edited.`);
    }
    await this.refresh();
  }

  /** The persona chats use unless they or their character choose another. */
  async makeDefault(persona: Persona): Promise<void> {
    await this.#deps.personas().put({ ...persona, isDefault: true, updatedAt: Math.max(Date.now(), persona.updatedAt + 1) });
    await this.refresh();
  }

  /**
   * Deletes a persona; chats that used it are written as their character's or the default persona.
   * Deleting the default makes the first one left (by name) the default, so chats still have one.
   */
  async removePersona(id: string): Promise<void> {
    const repo = this.#deps.personas();
    await repo.remove(id);
    const [first] = await repo.list();
    if (first && !(await repo.getDefault())) await repo.put({ ...first, isDefault: true, updatedAt: Math.max(Date.now(), first.updatedAt + 1) });
    await this.refresh();
  }

  /**
   * Stores the fields of `sampling` that differ from `base` (the settings as the form showed them)
   * over what is stored now. Per field the last save wins, with no refusal: another tab's change to
   * another field stays, and for the same field the newer deliberate choice is the one a person
   * expects to hold (every tab shows it at once, as the value is live).
   */
  async saveSampling(sampling: SamplingSettings, base: SamplingSettings = this.sampling): Promise<void> {
    // Stop strings compare by content; a seed the form cleared is stored as none.
    const keys = new Set([...Object.keys(sampling), ...Object.keys(base)] as (keyof SamplingSettings)[]);
    const changes: Partial<SamplingSettings> = Object.fromEntries(
      [...keys].filter((key) => JSON.stringify(base[key]) !== JSON.stringify(sampling[key])).map((key) => [key, sampling[key]]),
    );
    const stored = await this.#deps.settings().patch<Partial<SamplingSettings>>(SAMPLING_KEY, DEFAULT_SAMPLING, changes);
    this.#sampling.set(withDefaults(stored));
  }

  /**
   * Saves `values` (clamped) as the person's preset `name`: a preset of that name is replaced, so
   * saving again under the same name updates it. Returns the stored preset.
   */
  async savePreset(name: string, values: SamplingOverride): Promise<SamplingPreset> {
    const label = [...name.trim()].slice(0, MAX_PRESET_NAME).join('');
    if (!label) throw new AppError('preset-invalid', 'A preset needs a name.', { max: MAX_PRESETS });
    const preset: SamplingPreset = { id: crypto.randomUUID(), name: label, values: clampOverride(values) };
    const stored = await this.#deps.settings().update<unknown>(SAMPLING_PRESETS_KEY, [], (value) => {
      const list = readPresets(value);
      const same = list.findIndex((p) => p.name === label);
      if (same >= 0) return list.map((p, i) => (i === same ? { ...preset, id: p.id } : p));
      if (list.length >= MAX_PRESETS) throw new AppError('preset-invalid', `At most ${MAX_PRESETS} presets.`, { max: MAX_PRESETS });
      return [...list, preset];
    });
    const presets = readPresets(stored);
    this.#presets.set(presets);
    return presets.find((p) => p.name === label)!;
  }

  async deletePreset(id: string): Promise<void> {
    const stored = await this.#deps.settings().update<unknown>(SAMPLING_PRESETS_KEY, [], (value) => readPresets(value).filter((p) => p.id !== id));
    this.#presets.set(readPresets(stored));
  }
}

function cleaned(fields: PersonaFields): Pick<Persona, 'name' | 'description' | 'avatar'> {
  return { name: fields.name.trim(), description: fields.description.trim(), ...(fields.avatar ? { avatar: fields.avatar } : {}) };
}

function map<A, B>(source: Watchable<A>, f: (value: A) => B): Watchable<B> {
  return { subscribe: (next, error) => source.subscribe((value) => next(f(value)), error) };
}
