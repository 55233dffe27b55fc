// The character editor's draft: the fields being written, their validation and token counts, and save.

import { BUILTIN_PRESETS, clampOverride, presetOf } from '../core/sampling';
import { estimateTokens } from '../core/tokens';
import type { Character, CharacterFields, CharacterVoice, Lang, SamplingPreset } from '../core/types';
import type { DeviceVoice } from '../platform/speech';
import type { AppState } from './app.svelte';

/** Text fields the editor shows, in the order a person fills them in. */
export const EDITOR_TEXT_FIELDS = [
  'name', 'nickname', 'shortDescription', 'description', 'personality', 'scenario', 'firstMessage',
  'exampleDialogue', 'systemPrompt', 'postHistoryInstructions', 'creatorNotes', 'creator', 'characterVersion',
] as const satisfies readonly (keyof CharacterFields)[];
export type EditorTextField = (typeof EDITOR_TEXT_FIELDS)[number];

/** Fields whose size matters to the prompt, so the editor counts their tokens. */
export const COUNTED_FIELDS = [
  'description', 'personality', 'scenario', 'firstMessage', 'exampleDialogue', 'systemPrompt',
  'postHistoryInstructions', 'creatorNotes', 'shortDescription',
] as const satisfies readonly EditorTextField[];
export type CountedField = (typeof COUNTED_FIELDS)[number];

export type EditorError = 'name-required';

/** The sampling choice for a character whose stored override matches no preset now: keep it as it is. */
export const KEEP_SAMPLING = 'keep';

/**
 * Alternate greetings shown at once. A card can carry thousands, and each is a textarea with its
 * buttons: rendering 20,000 of them froze the editor, so they are shown a page at a time.
 */
export const GREETINGS_PAGE_SIZE = 50;

export function emptyFields(language: Lang): CharacterFields {
  return {
    name: '', nickname: '', avatar: '', shortDescription: '', description: '', personality: '', scenario: '',
    firstMessage: '', alternateGreetings: [], exampleDialogue: '', systemPrompt: '', postHistoryInstructions: '',
    creatorNotes: '', tags: [], creator: '', characterVersion: '', catchphrases: [], language,
  };
}

/** "a, b，c" -> ['a', 'b', 'c']: commas of either width, blanks and repeats dropped. */
export function parseTags(text: string): string[] {
  const seen = new Set<string>();
  for (const raw of text.split(/[,，、]/)) {
    const tag = raw.trim().replace(/^#/, '');
    if (tag) seen.add(tag);
  }
  return [...seen];
}

function pickFields(source: CharacterFields): CharacterFields {
  const fields = emptyFields(source.language);
  for (const key of Object.keys(fields) as (keyof CharacterFields)[]) {
    const value = source[key];
    (fields as unknown as Record<string, unknown>)[key] = Array.isArray(value) ? [...value] : value;
  }
  return fields;
}

export class CharacterEditor {
  fields = $state<CharacterFields>(emptyFields('en'));
  /** Tags as the person types them; parsed on save. */
  tagsText = $state('');
  /** The persona new chats with this character start with; '' for the default persona. */
  personaId = $state('');
  /** The voice replies are read in; null for the device's voice for the character's language. */
  voice = $state<CharacterVoice | null>(null);
  saving = $state(false);
  /** Set by a save attempt, so errors show only once the person has tried. */
  attempted = $state(false);
  error = $state.raw<unknown>(null);
  /**
   * Sampling for this character's chats: '' as in Settings, a preset's id (its figures are stored
   * on the character), or KEEP_SAMPLING for a stored override no preset matches.
   */
  sampling = $state('');
  /** The stored character being edited; null for a new one until its first save. */
  original = $state.raw<Character | null>(null);

  /** The fields as last stored, serialised; `dirty` compares against it. */
  #baseline = $state('');

  readonly tokens = $derived.by(() => {
    const counts = {} as Record<CountedField, number>;
    for (const key of COUNTED_FIELDS) counts[key] = estimateTokens(this.fields[key]);
    return counts;
  });
  /** The page of alternate greetings shown (see GREETINGS_PAGE_SIZE). */
  greetingPage = $state(0);
  readonly greetingPages = $derived(Math.max(1, Math.ceil(this.fields.alternateGreetings.length / GREETINGS_PAGE_SIZE)));
  /** Indexes [start, end) of the greetings on the shown page. */
  readonly shownGreetings = $derived.by(() => {
    const start = Math.min(this.greetingPage, this.greetingPages - 1) * GREETINGS_PAGE_SIZE;
    return { start, end: Math.min(this.fields.alternateGreetings.length, start + GREETINGS_PAGE_SIZE) };
  });
  /** Token counts of the greetings on the shown page, in order (only those are on screen). */
  readonly greetingTokens = $derived(
    this.fields.alternateGreetings.slice(this.shownGreetings.start, this.shownGreetings.end).map((text) => estimateTokens(text)),
  );
  readonly errors = $derived.by(() => {
    const errors: Partial<Record<'name', EditorError>> = {};
    if (!this.fields.name.trim()) errors.name = 'name-required';
    return errors;
  });
  readonly valid = $derived(Object.keys(this.errors).length === 0);
  readonly dirty = $derived(this.#serialise() !== this.#baseline);

  #app: AppState;

  constructor(app: AppState, original: Character | null) {
    this.#app = app;
    this.original = original;
    this.fields = original ? pickFields(original) : emptyFields(app.locale.lang);
    this.tagsText = this.fields.tags.join(', ');
    this.#fillExtras(original);
    this.#baseline = this.#serialise();
  }

  #fillExtras(character: Character | null): void {
    this.personaId = character?.personaId ?? '';
    this.voice = character?.voice ? { ...character.voice } : null;
    this.sampling = this.#samplingChoice(character);
  }

  /** The presets a character's sampling can be set to: the built-in ones, then the person's. */
  get presets(): SamplingPreset[] {
    return [...BUILTIN_PRESETS, ...this.#app.profile.presets];
  }

  #samplingChoice(character: Character | null): string {
    if (!character?.sampling) return '';
    return presetOf(character.sampling, this.presets)?.id ?? KEEP_SAMPLING;
  }

  #serialise(): string {
    return JSON.stringify({
      ...$state.snapshot(this.fields),
      tags: parseTags(this.tagsText),
      personaId: this.personaId,
      voice: $state.snapshot(this.voice),
      sampling: this.sampling,
    });
  }

  /** Replies are read in `voice` (null: the device's voice for the character's language); speed and pitch stay. */
  chooseVoice(voice: DeviceVoice | null): void {
    this.voice = voice
      ? { voiceURI: voice.voiceURI, name: voice.name, lang: voice.lang, rate: this.voice?.rate ?? 1, pitch: this.voice?.pitch ?? 1 }
      : null;
  }

  showGreetingPage(page: number): void {
    this.greetingPage = Math.max(0, Math.min(this.greetingPages - 1, Math.floor(page)));
  }

  /** A new, empty greeting at the end; its page is shown so it can be written. */
  addGreeting(): void {
    this.fields.alternateGreetings.push('');
    this.showGreetingPage(this.greetingPages - 1);
  }

  removeGreeting(index: number): void {
    this.fields.alternateGreetings.splice(index, 1);
    this.showGreetingPage(this.greetingPage); // the last page may have emptied
  }

  /** Move greeting `index` by `delta` places (clamped), keeping the rest in order. */
  moveGreeting(index: number, delta: number): void {
    const list = this.fields.alternateGreetings;
    const target = Math.max(0, Math.min(list.length - 1, index + delta));
    if (target === index) return;
    const [item] = list.splice(index, 1);
    list.splice(target, 0, item);
    // A greeting moved past the page's edge stays in view.
    this.showGreetingPage(Math.floor(target / GREETINGS_PAGE_SIZE));
  }

  /**
   * Validate and store. A new character gets a fresh id and origin 'user'; an edit keeps its id,
   * origin, createdAt, extensions, lorebook, assets and built-in base (so pack updates merge around
   * the edit) and bumps updatedAt. Returns the stored character, or null when invalid or failed.
   */
  async save(): Promise<Character | null> {
    this.attempted = true;
    if (!this.valid || this.saving) return null;
    this.saving = true;
    this.error = null;
    try {
      const now = Date.now();
      const fields: CharacterFields = {
        ...$state.snapshot(this.fields),
        name: this.fields.name.trim(),
        tags: parseTags(this.tagsText),
        // An empty extra greeting would show up as a blank swipe.
        alternateGreetings: this.fields.alternateGreetings.filter((text) => text.trim() !== ''),
      };
      const base = this.original;
      const built: Character = base
        ? { ...base, ...fields, updatedAt: Math.max(now, base.updatedAt + 1) }
        : { ...fields, id: crypto.randomUUID(), origin: 'user', extensions: {}, createdAt: now, updatedAt: now };
      const { personaId: _persona, voice: _voice, ...rest } = built;
      const character: Character = {
        ...rest,
        ...(this.personaId ? { personaId: this.personaId } : {}),
        ...(this.voice ? { voice: $state.snapshot(this.voice) } : {}),
      };
      const preset = this.presets.find((p) => p.id === this.sampling);
      if (preset) character.sampling = clampOverride(preset.values);
      else if (this.sampling !== KEEP_SAMPLING) delete character.sampling;
      if (!base) await this.#app.characterShelf.create(character);
      else await this.#app.characterShelf.update(character, base);
      // An open chat holds the character as it was; let the next visit open it with the edit.
      this.#app.closeChat({ characterId: character.id, unlessBusy: true });
      this.original = character;
      this.fields = pickFields(character);
      this.showGreetingPage(this.greetingPage); // blank greetings were dropped
      this.tagsText = character.tags.join(', ');
      this.#fillExtras(character);
      this.#baseline = this.#serialise();
      return character;
    } catch (caught) {
      this.error = caught;
      return null;
    } finally {
      this.saving = false;
    }
  }
}
