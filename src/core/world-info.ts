// SillyTavern World Info <-> Character Card `character_book`, both ways at the JSON level, as
// SillyTavern itself converts them (public/scripts/world-info.js convertCharacterBook, and
// src/endpoints/characters.js convertWorldInfoToCharacterBook): `disable` inverts to `enabled`,
// `order` is the insertion order, position 0/1 is before/after the character, and each ST-only
// field lives in the card entry's `extensions` under ST's snake_case name (the names the matcher
// reads). Fields neither side knows travel verbatim (World Info top level <-> `extensions`), so a
// book read from one format and written to it again keeps them.

import { exportLorebook, SELECTIVE_LOGIC } from './cards/card';
import type { Lorebook } from './types';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function put(target: Json, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** World Info entry fields that map onto Character Card entry fields. */
const WI_MAPPED = new Set([
  'uid', 'key', 'keysecondary', 'content', 'disable', 'order', 'caseSensitive', 'comment', 'selective', 'constant',
  'position', 'selectiveLogic', 'useRegex', 'priority',
]);

/** World Info field -> its name in a card entry's `extensions` (SillyTavern's card export). */
const WI_TO_EXTENSION: Readonly<Record<string, string>> = {
  excludeRecursion: 'exclude_recursion',
  preventRecursion: 'prevent_recursion',
  delayUntilRecursion: 'delay_until_recursion',
  displayIndex: 'display_index',
  outletName: 'outlet_name',
  groupOverride: 'group_override',
  groupWeight: 'group_weight',
  scanDepth: 'scan_depth',
  matchWholeWords: 'match_whole_words',
  useGroupScoring: 'use_group_scoring',
  automationId: 'automation_id',
  matchPersonaDescription: 'match_persona_description',
  matchCharacterDescription: 'match_character_description',
  matchCharacterPersonality: 'match_character_personality',
  matchCharacterDepthPrompt: 'match_character_depth_prompt',
  matchScenario: 'match_scenario',
  matchCreatorNotes: 'match_creator_notes',
  ignoreBudget: 'ignore_budget',
};
const EXTENSION_TO_WI: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(WI_TO_EXTENSION).map(([wi, ext]) => [ext, wi])),
  case_sensitive: 'caseSensitive',
};

/** One World Info entry -> a card `character_book` entry (JSON, for parseLorebook). */
export function worldInfoEntryToCardEntry(raw: Json, uid: string): Json {
  const extensions: Json = isObject(raw.extensions) ? { ...raw.extensions } : {};
  for (const key of Object.keys(raw)) {
    if (WI_MAPPED.has(key) || key === 'extensions') continue;
    put(extensions, Object.hasOwn(WI_TO_EXTENSION, key) ? WI_TO_EXTENSION[key] : key, raw[key]);
  }
  if (raw.selectiveLogic !== undefined) extensions.selectiveLogic = raw.selectiveLogic;
  if (typeof raw.position === 'number') extensions.position = raw.position;
  const entry: Json = {
    id: typeof raw.uid === 'number' || typeof raw.uid === 'string' ? raw.uid : uid,
    keys: raw.key ?? [],
    secondary_keys: raw.keysecondary ?? [],
    content: raw.content ?? '',
    enabled: raw.disable !== true,
    insertion_order: raw.order ?? 100,
    extensions,
  };
  if (typeof raw.caseSensitive === 'boolean') entry.case_sensitive = raw.caseSensitive;
  // null: "as the global setting" in SillyTavern; kept where its card export puts it.
  else if (raw.caseSensitive !== undefined) extensions.case_sensitive = raw.caseSensitive;
  if (typeof raw.comment === 'string' && raw.comment) {
    entry.name = raw.comment;
    entry.comment = raw.comment;
  }
  if (typeof raw.selective === 'boolean') entry.selective = raw.selective;
  if (typeof raw.constant === 'boolean') entry.constant = raw.constant;
  if (typeof raw.useRegex === 'boolean') entry.use_regex = raw.useRegex;
  if (typeof raw.priority === 'number') entry.priority = raw.priority;
  if (raw.position === 0 || raw.position === 'before_char') entry.position = 'before_char';
  else if (raw.position === 1 || raw.position === 'after_char') entry.position = 'after_char';
  return entry;
}

/** Card entry fields written as World Info's own fields (the rest of the card entry's fields go out as they are). */
const CARD_MAPPED = new Set([
  'id', 'keys', 'secondary_keys', 'content', 'enabled', 'insertion_order', 'case_sensitive', 'name', 'comment',
  'selective', 'constant', 'use_regex', 'priority', 'position', 'extensions',
]);

/** One card `character_book` entry (JSON) -> a World Info entry, the inverse of worldInfoEntryToCardEntry. */
export function cardEntryToWorldInfoEntry(card: Json, uid: number | string): Json {
  const out: Json = {};
  const ext = isObject(card.extensions) ? card.extensions : {};
  for (const key of Object.keys(ext)) {
    if (key === 'position' || key === 'selectiveLogic') continue;
    put(out, Object.hasOwn(EXTENSION_TO_WI, key) ? EXTENSION_TO_WI[key] : key, ext[key]);
  }
  for (const key of Object.keys(card)) if (!CARD_MAPPED.has(key)) put(out, key, card[key]);
  out.uid = uid;
  out.key = card.keys ?? [];
  out.keysecondary = card.secondary_keys ?? [];
  out.comment = typeof card.comment === 'string' ? card.comment : typeof card.name === 'string' ? card.name : '';
  out.content = card.content ?? '';
  if (typeof card.constant === 'boolean') out.constant = card.constant;
  if (typeof card.selective === 'boolean') out.selective = card.selective;
  if (ext.selectiveLogic !== undefined) out.selectiveLogic = ext.selectiveLogic;
  out.order = card.insertion_order ?? 100;
  out.position = typeof ext.position === 'number' ? ext.position : card.position === 'before_char' ? 0 : 1;
  out.disable = card.enabled === false;
  if (typeof card.case_sensitive === 'boolean') out.caseSensitive = card.case_sensitive;
  if (card.use_regex === true) out.useRegex = true;
  if (typeof card.priority === 'number') out.priority = card.priority;
  return out;
}

/**
 * A book as a SillyTavern World Info file: entries in an object keyed by uid. The book's own
 * fields (name, scan depth, budget, recursion, extensions) ride along at the top level, where
 * SillyTavern ignores them and our import reads them back.
 */
export function exportWorldInfo(book: Lorebook): Json {
  const card = exportLorebook(book);
  const entries: Json = {};
  const used = new Set<string>();
  let next = 0;
  for (const entry of card.entries as Json[]) {
    let uid: number | string = typeof entry.id === 'number' || typeof entry.id === 'string' ? entry.id : next;
    if (used.has(String(uid))) {
      while (used.has(String(next))) next++;
      uid = next;
    }
    used.add(String(uid));
    put(entries, String(uid), cardEntryToWorldInfoEntry(entry, uid));
  }
  const { entries: _cardEntries, ...rest } = card;
  return { ...rest, entries };
}

/** A book as a Character Card V3 `lorebook_v3` file. */
export function exportLorebookV3(book: Lorebook): Json {
  return { spec: 'lorebook_v3', data: exportLorebook(book) };
}

/** SillyTavern's number for a selective logic, as card entries keep it in `extensions.selectiveLogic`. */
export function selectiveLogicNumber(logic: (typeof SELECTIVE_LOGIC)[number]): number {
  return SELECTIVE_LOGIC.indexOf(logic);
}
