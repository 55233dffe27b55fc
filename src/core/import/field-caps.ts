// Size caps on an imported character's text fields, with the full text kept for export.
//
// A card under the file size limit can hold a 10 MB description or a 1 MB single-line name; the
// character page, the editor (its dirty check and token counts run on every keystroke) and the
// prompt then work through all of it, and the tab froze. So at import each field longer than its
// cap is cut (at a break near the cap) with a warning, and the app uses only the cut text. Lists
// (greetings, tags, catchphrases) keep at most as many items as a backup may hold, or the backup
// of such a character could not be restored.
//
// The export must stay faithful, so the full text is kept in the character's extensions
// (UNCAPPED_EXTENSION_KEY) with the length that was shown. It is never rendered or sent to the
// model; export puts it back for each field still holding exactly that cut text (an edited field
// exports as edited), and leaves the key out of the file.

import { MAX_LONG_LIST, MAX_SHORT_LIST } from '../row-schemas';
import { nextCut } from '../text-chunks';
import type { CharacterFields, Lorebook } from '../types';

/** Key in Character.extensions holding the full text of capped fields. */
export const UNCAPPED_EXTENSION_KEY = 'hearth/uncapped';

/** Long text: real descriptions and greetings reach tens of KB; this is several times that. */
export const LONG_FIELD_CAP = 100_000;
/** One-line fields: names, versions, tags. */
export const SHORT_FIELD_CAP = 1_000;
/** Items of a list field: what the backup format accepts (row-schemas). */
export const LIST_ITEMS_CAP = MAX_SHORT_LIST;

type TextField =
  | 'name' | 'nickname' | 'shortDescription' | 'description' | 'personality' | 'scenario' | 'firstMessage'
  | 'exampleDialogue' | 'systemPrompt' | 'postHistoryInstructions' | 'creatorNotes' | 'creator' | 'characterVersion';
type ListField = 'alternateGreetings' | 'tags' | 'catchphrases';

/** Each capped field, its cap and how a warning names it. */
const TEXT_CAPS: ReadonlyArray<[TextField, number, string]> = [
  ['name', SHORT_FIELD_CAP, 'name'],
  ['nickname', SHORT_FIELD_CAP, 'nickname'],
  ['shortDescription', SHORT_FIELD_CAP, 'short description'],
  ['description', LONG_FIELD_CAP, 'description'],
  ['personality', LONG_FIELD_CAP, 'personality'],
  ['scenario', LONG_FIELD_CAP, 'scenario'],
  ['firstMessage', LONG_FIELD_CAP, 'first message'],
  ['exampleDialogue', LONG_FIELD_CAP, 'example dialogue'],
  ['systemPrompt', LONG_FIELD_CAP, 'system prompt'],
  ['postHistoryInstructions', LONG_FIELD_CAP, 'post-history instructions'],
  ['creatorNotes', LONG_FIELD_CAP, 'creator notes'],
  ['creator', SHORT_FIELD_CAP, 'creator'],
  ['characterVersion', SHORT_FIELD_CAP, 'character version'],
];
const LIST_CAPS: ReadonlyArray<[ListField, number, string]> = [
  ['alternateGreetings', LONG_FIELD_CAP, 'alternate greeting'],
  ['tags', SHORT_FIELD_CAP, 'tag'],
  ['catchphrases', SHORT_FIELD_CAP, 'catchphrase'],
];

/** The full text of a capped value and how much of it the app kept. */
export interface UncappedText {
  shown: number;
  full: string;
}

interface Uncapped {
  /** Full texts of cut values, by field. */
  texts?: Partial<Record<TextField | ListField, UncappedText[]>>;
  /** Whole items past LIST_ITEMS_CAP, by field: appended again on export. */
  rest?: Partial<Record<ListField, string[]>>;
}

type CappableCharacter = CharacterFields & { extensions: Record<string, unknown> };

function count(n: number): string {
  return n.toLocaleString('en');
}

/**
 * Cut every field over its cap; returns the character (a copy when something was cut, with the
 * full texts under UNCAPPED_EXTENSION_KEY) and one warning per cut field.
 */
export function capCharacterFields<C extends CappableCharacter>(character: C): { character: C; warnings: string[] } {
  const warnings: string[] = [];
  const uncapped: Uncapped = {};
  const out = { ...character };
  const cap = (text: string, limit: number, field: TextField | ListField, label: string): string => {
    if (text.length <= limit) return text;
    const shown = nextCut(text, 0, limit);
    ((uncapped.texts ??= {})[field] ??= []).push({ shown, full: text });
    warnings.push(`The ${label} is ${count(text.length)} characters long; the first ${count(shown)} are used and shown (the full text is kept for export).`);
    return text.slice(0, shown);
  };
  for (const [field, limit, label] of TEXT_CAPS) out[field] = cap(character[field], limit, field, label);
  for (const [field, limit, label] of LIST_CAPS) {
    const items = character[field];
    if (items.length > LIST_ITEMS_CAP) {
      (uncapped.rest ??= {})[field] = items.slice(LIST_ITEMS_CAP);
      warnings.push(`The character has ${count(items.length)} ${label}s; the first ${count(LIST_ITEMS_CAP)} are used and shown (the rest are kept for export).`);
    }
    out[field] = items.slice(0, LIST_ITEMS_CAP).map((text, i) => cap(text, limit, field, `${label} #${i + 1}`));
  }
  const foreign = Object.hasOwn(character.extensions, UNCAPPED_EXTENSION_KEY);
  if (warnings.length === 0 && !foreign) return { character, warnings };
  // Only this import's cuts are kept: a copy that came in the file would put its own text into exports.
  // Rest and spread, not assignment: own keys (a `__proto__` one too) are copied as data.
  const { [UNCAPPED_EXTENSION_KEY]: _fromFile, ...extensions } = character.extensions;
  out.extensions = warnings.length ? { ...extensions, [UNCAPPED_EXTENSION_KEY]: uncapped } : extensions;
  return { character: out, warnings };
}

function ownRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function isUncappedList(value: unknown): value is UncappedText[] {
  return Array.isArray(value) && value.every((item) => item !== null && typeof item === 'object'
    && typeof (item as UncappedText).full === 'string' && typeof (item as UncappedText).shown === 'number');
}

/**
 * The character as the file it came from had it, for export: each field that still holds exactly
 * the text kept at import gets its full text back; the kept texts are left out of the extensions.
 */
export function withUncappedFields<C extends CappableCharacter>(character: C): C {
  if (!Object.hasOwn(character.extensions, UNCAPPED_EXTENSION_KEY)) return character;
  const { [UNCAPPED_EXTENSION_KEY]: stored, ...extensions } = character.extensions;
  const out = { ...character, extensions };
  const texts = ownRecord(ownRecord(stored).texts);
  const rest = ownRecord(ownRecord(stored).rest);
  const restore = (field: TextField | ListField, value: string): string => {
    const list = Object.hasOwn(texts, field) ? texts[field] : undefined;
    if (!isUncappedList(list)) return value;
    const match = list.find((item) => item.shown === value.length && item.full.startsWith(value));
    return match ? match.full : value;
  };
  for (const [field] of TEXT_CAPS) out[field] = restore(field, character[field]);
  for (const [field] of LIST_CAPS) {
    const more = Object.hasOwn(rest, field) ? rest[field] : undefined;
    const tail = Array.isArray(more) ? more.filter((item): item is string => typeof item === 'string') : [];
    out[field] = [...character[field].map((text) => restore(field, text)), ...tail];
  }
  return out;
}

/**
 * A lorebook within what storage, and so a backup, holds: at most MAX_LONG_LIST entries and
 * MAX_SHORT_LIST keys and secondary keys each (what row-schemas accepts on restore). Without this
 * a book with 20,000 keys in one entry imported, and the backup of it could not be restored.
 * The cut keys and entries are not kept: no prompt can use 20,000 keys of one entry.
 */
export function capLorebook(book: Lorebook, label: string): { book: Lorebook; warnings: string[] } {
  const warnings: string[] = [];
  let entries = book.entries;
  if (entries.length > MAX_LONG_LIST) {
    warnings.push(`${label} has ${count(entries.length)} entries; the first ${count(MAX_LONG_LIST)} are kept.`);
    entries = entries.slice(0, MAX_LONG_LIST);
  }
  entries = entries.map((entry, i) => {
    const over = (['keys', 'secondaryKeys'] as const).filter((field) => entry[field].length > LIST_ITEMS_CAP);
    if (over.length === 0) return entry;
    const capped = { ...entry };
    for (const field of over) {
      warnings.push(`${label}, entry #${i + 1} has ${count(entry[field].length)} ${field === 'keys' ? 'keys' : 'secondary keys'}; the first ${count(LIST_ITEMS_CAP)} are kept.`);
      capped[field] = entry[field].slice(0, LIST_ITEMS_CAP);
    }
    return capped;
  });
  return entries === book.entries ? { book, warnings } : { book: { ...book, entries }, warnings };
}

/** A scene's dialogue lines within what storage holds (its text is kept whole). */
export function capSceneLines<S extends { title: string; lines: unknown[] }>(scenes: S[]): { scenes: S[]; warnings: string[] } {
  const warnings: string[] = [];
  const out = scenes.map((scene) => {
    if (scene.lines.length <= MAX_LONG_LIST) return scene;
    warnings.push(`The scene “${scene.title}” has ${count(scene.lines.length)} lines; the first ${count(MAX_LONG_LIST)} are kept as dialogue lines (its text is kept whole).`);
    return { ...scene, lines: scene.lines.slice(0, MAX_LONG_LIST) };
  });
  return { scenes: out, warnings };
}
