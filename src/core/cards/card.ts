// Character Card V1/V2/V3 JSON <-> Character: tolerant parsing, spec-complete export, and
// preservation of everything the app does not model so a round trip loses nothing.
//
// Preservation design. Known card fields map onto CharacterFields / Lorebook / CharacterAsset.
// What is left is kept verbatim in reserved, namespaced keys and spread back first on export,
// so the app's current values win and nothing else changes:
//   - Character.extensions           = card `data.extensions`, plus CARD_PRESERVED_KEY holding
//     PreservedCard (unknown top-level fields, unknown `data` fields incl. unmapped V3 ones such as
//     `group_only_greetings` and `source`, which flat V1 keys the file had, the avatar icon's asset
//     metadata, CHARX files no asset references).
//   - Lorebook.extensions / LorebookEntry.extensions = the book's / entry's `extensions`, plus
//     UNKNOWN_FIELDS_KEY holding fields of the book / entry that the app does not know.
//   - CharacterAsset.extra           = unknown fields of the asset object.
// The reserved keys are stripped on export. Hearth's own fields that cards lack (short description,
// catchphrases, language) travel in `data.extensions.hearth` and are read back from there.

import type {
  CharacterAsset,
  CharacterFields,
  Lang,
  Lorebook,
  LorebookEntry,
} from '../types';
import {
  extFromMime,
  fromDataUrl,
  guessMime,
  toDataUrl,
  type ImageBytes,
} from './media';
import { CardError } from './errors';
import { jsonTooDeep, MAX_JSON_DEPTH, tooDeepMessage } from './json-depth';
import { hasVisibleText } from './visible-text';
import { placeholderPng, readPngChunks, writePngCard } from './png';

export type CardSpec = 'v1' | 'v2' | 'v3';

/** What a card describes: the character minus the app's bookkeeping (id, origin, dates). */
export interface CardCharacter extends CharacterFields {
  extensions: Record<string, unknown>;
  lorebook?: Lorebook;
  assets?: CharacterAsset[];
}

export interface ParsedCard {
  /** The card's own format: V1 (flat), V2 or V3. */
  spec: CardSpec;
  /** `avatar` is '' here: the caller stores `avatar` bytes and sets the URL. */
  character: CardCharacter;
  /** The main icon's bytes, when the card or its container carried them. */
  avatar?: ImageBytes;
  /** Things a person may want to know; the import still succeeded. */
  warnings: string[];
}

/** Where a card's asset URIs find their bytes, depending on the file that carried it. */
export interface CardSources {
  /** `embeded://path` (CHARX). */
  embedded?: (path: string) => Uint8Array | undefined;
  /** `__asset:path` (RisuAI's legacy PNG asset chunks). */
  legacy?: (path: string) => Uint8Array | undefined;
  /** The image carrying the card (PNG): what `ccdefault:` and a card without assets mean. */
  containerImage?: ImageBytes;
}

/** Key in Character.extensions holding what the app does not model (see PreservedCard). */
export const CARD_PRESERVED_KEY = 'hearth/card';
/** Key in Lorebook / LorebookEntry extensions holding their unknown fields. */
export const UNKNOWN_FIELDS_KEY = 'hearth/unknown';
/** Key in the exported `data.extensions` carrying Hearth's own fields. */
export const HEARTH_EXTENSION_KEY = 'hearth';

export interface PreservedCard {
  /** Unknown top-level fields (e.g. SillyTavern's `avatar`, `chat`, `fav`, `create_date`). */
  top: Record<string, unknown>;
  /** Unknown `data` fields, including V3 fields the app does not model. */
  data: Record<string, unknown>;
  /** Flat V1 keys the file had at the top level; exported again with current values. */
  flatKeys: string[];
  /** Asset metadata of the icon that became the avatar. */
  avatarAsset?: { name: string; ext: string; uri: string; extra?: Record<string, unknown> };
  /** CHARX files that no asset references (RisuAI `module.risum`, `x_meta/*.json`), base64. */
  files?: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** Define an own property: safe for keys like `__proto__` that come from untrusted JSON. */
function put(target: Json, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Deep copy of JSON-like data (reads through proxies; copies Uint8Array). */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return value.slice() as T;
  if (Array.isArray(value)) return value.map((item) => cloneJson(item as unknown)) as T;
  const out: Json = {};
  for (const key of Object.keys(value)) put(out, key, cloneJson((value as Json)[key]));
  return out as T;
}

function has(obj: Json, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** Own keys of `obj` not in `known`, deep-copied. */
function unknownFields(obj: Json, known: ReadonlySet<string>): Json {
  const out: Json = {};
  for (const key of Object.keys(obj)) if (!known.has(key)) put(out, key, cloneJson(obj[key]));
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'text';
  return `a ${typeof value}`;
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function textList(value: unknown, splitCommas: boolean): string[] | undefined {
  if (Array.isArray(value)) {
    return value.map(asText).filter((v): v is string => v !== undefined);
  }
  if (typeof value === 'string') {
    if (!splitCommas) return value ? [value] : [];
    return value.split(',').map((s) => s.trim()).filter(Boolean);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Parsing

const DATA_KEYS = new Set([
  'name', 'description', 'personality', 'scenario', 'first_mes', 'mes_example', 'creator_notes',
  'system_prompt', 'post_history_instructions', 'alternate_greetings', 'character_book', 'tags',
  'creator', 'character_version', 'extensions', 'nickname', 'assets',
]);

type TextField =
  | 'name' | 'nickname' | 'description' | 'personality' | 'scenario' | 'firstMessage' | 'exampleDialogue'
  | 'systemPrompt' | 'postHistoryInstructions' | 'creatorNotes' | 'creator' | 'characterVersion';
type ListField = 'alternateGreetings' | 'tags';

/** The spec key in `data` for each field, then the flat/alias keys tried at the top level. */
const TEXT_FIELDS: ReadonlyArray<[TextField, string, readonly string[]]> = [
  ['name', 'name', ['name', 'char_name']],
  ['nickname', 'nickname', ['nickname']],
  ['description', 'description', ['description', 'char_persona']],
  ['personality', 'personality', ['personality']],
  ['scenario', 'scenario', ['scenario', 'world_scenario']],
  ['firstMessage', 'first_mes', ['first_mes', 'char_greeting', 'firstMes']],
  ['exampleDialogue', 'mes_example', ['mes_example', 'example_dialogue', 'mesExample']],
  ['systemPrompt', 'system_prompt', ['system_prompt']],
  ['postHistoryInstructions', 'post_history_instructions', ['post_history_instructions']],
  ['creatorNotes', 'creator_notes', ['creator_notes', 'creatorcomment']],
  ['creator', 'creator', ['creator']],
  ['characterVersion', 'character_version', ['character_version']],
];
const LIST_FIELDS: ReadonlyArray<[ListField, string, readonly string[]]> = [
  ['alternateGreetings', 'alternate_greetings', ['alternate_greetings']],
  ['tags', 'tags', ['tags']],
];
/** Signs that a flat object is a V1 card and not some other JSON with a `name`. */
const V1_MARKERS = [
  'description', 'personality', 'scenario', 'first_mes', 'mes_example', 'char_persona', 'char_greeting',
  'world_scenario', 'example_dialogue', 'firstMes', 'mesExample',
];

/**
 * Top-level keys read as flat copies of text/list fields: the spec names (SillyTavern writes V1
 * ones beside `data`; V1 cards have them all) plus `creatorcomment` and common aliases.
 */
const FLAT_KEY_FIELD: Record<string, TextField | ListField> = {}; // keys from the fixed lists above; read with has()
for (const [field, dataKey, flat] of [...TEXT_FIELDS, ...LIST_FIELDS]) {
  FLAT_KEY_FIELD[dataKey] = field;
  for (const key of flat) FLAT_KEY_FIELD[key] = field;
}

const SUPPORTED_VERSION: Record<'v2' | 'v3', number> = { v2: 2, v3: 3 };

/**
 * Read a card object: V1 (flat), V2 (`chara_card_v2`), V3 (`chara_card_v3`; a newer
 * spec_version is imported with a warning), or SillyTavern's flat+data mix (`data` first, the flat
 * fields as fallback). Throws CardError: 'not-a-card' for JSON that is not a card,
 * 'unsupported-version' for an unknown `spec`.
 */
export function parseCard(json: unknown, sources: CardSources = {}): ParsedCard {
  if (!isObject(json)) {
    throw new CardError('not-a-card', `The file holds JSON, but ${describe(json)} instead of a character card object.`, {
      found: describe(json),
    });
  }
  if (jsonTooDeep(json)) throw new CardError('too-deep', tooDeepMessage('The card'), { limit: MAX_JSON_DEPTH });
  const warnings: string[] = [];
  const rawSpec = json.spec;
  let spec: CardSpec;
  const data: Json | undefined = isObject(json.data) ? json.data : undefined;

  if (rawSpec === undefined || rawSpec === null || rawSpec === '') {
    if (data && (typeof data.name === 'string' || typeof json.name === 'string')) {
      spec = 'v2';
      warnings.push("The card has a 'data' object but no 'spec'; it was read as Character Card V2.");
    } else {
      spec = 'v1';
    }
  } else if (typeof rawSpec !== 'string') {
    throw new CardError('unsupported-version', `The card's spec is ${describe(rawSpec)}, not a known card format name.`, {
      spec: String(rawSpec),
    });
  } else {
    const s = rawSpec.trim().toLowerCase();
    if (s === 'chara_card_v2') spec = 'v2';
    else if (s === 'chara_card_v3') spec = 'v3';
    else if (s.startsWith('lorebook')) {
      throw new CardError('not-a-card', `This file is a lorebook ('${rawSpec}'), not a character card.`, { spec: rawSpec });
    } else {
      throw new CardError(
        'unsupported-version',
        `The card format '${rawSpec}' is not supported (this app reads chara_card_v2 and chara_card_v3).`,
        { spec: rawSpec },
      );
    }
  }

  if (spec !== 'v1') {
    const rawVersion = json.spec_version;
    const version = typeof rawVersion === 'number' ? rawVersion : parseFloat(String(rawVersion ?? ''));
    if (rawVersion !== undefined && !Number.isFinite(version)) {
      warnings.push(`The card's spec_version ${JSON.stringify(rawVersion)} is not a number; it was read as ${spec === 'v3' ? '3.0' : '2.0'}.`);
    } else if (version > SUPPORTED_VERSION[spec]) {
      warnings.push(`Unsupported spec_version ${String(rawVersion)} (this app knows ${SUPPORTED_VERSION[spec]}.0); imported anyway.`);
    }
    if (!data) {
      if (looksLikeV1(json)) {
        warnings.push(`The card says '${String(rawSpec)}' but has no 'data' object; its top-level fields were read instead.`);
        spec = 'v1';
      } else {
        throw new CardError('not-a-card', `The card says '${String(rawSpec)}' but has no 'data' object with the character.`, {
          spec: String(rawSpec),
        });
      }
    }
  } else if (!looksLikeV1(json)) {
    if (Array.isArray(json.entries) || isObject(json.entries)) {
      throw new CardError('not-a-card', 'This file looks like a lorebook (World Info), not a character card.');
    }
    if (typeof json.name !== 'string' && typeof json.char_name !== 'string') {
      if (V1_MARKERS.some((key) => has(json, key))) {
        throw new CardError('not-a-card', 'The card has no name, so it is not a usable character card.');
      }
      throw new CardError('not-a-card', 'The JSON has no character card fields (no name, description or first message).');
    }
    throw new CardError('not-a-card', 'The JSON has a name but none of the other character card fields (description, personality, first message…).');
  }

  // V1 cards keep everything at the top level; treat that object as `data` and the top as flat.
  const top = json;
  const isFlatOnly = !data;
  const body: Json = data ?? {};
  const known = new Set(['spec', 'spec_version']);
  if (data) known.add('data');
  const flatKeys: string[] = [];
  for (const key of Object.keys(top)) {
    if (has(FLAT_KEY_FIELD, key) || (isFlatOnly && DATA_KEYS.has(key))) {
      known.add(key);
      if (has(FLAT_KEY_FIELD, key)) flatKeys.push(key);
    }
  }
  const preserved: PreservedCard = {
    top: unknownFields(top, known),
    data: isFlatOnly ? {} : unknownFields(body, DATA_KEYS),
    flatKeys,
  };
  const source = isFlatOnly ? top : body;

  const flatCandidates = (flat: readonly string[]): Array<[string, unknown]> =>
    flat.filter((key) => has(top, key)).map((key) => [key, top[key]]);
  const readText = (dataKey: string, flat: readonly string[]): string => {
    const candidates: Array<[string, unknown]> = [];
    if (!isFlatOnly && has(body, dataKey)) candidates.push([`data.${dataKey}`, body[dataKey]]);
    candidates.push(...flatCandidates(flat));
    let fallback: string | undefined;
    for (const [where, value] of candidates) {
      const text = asText(value);
      if (text === undefined) {
        if (value !== null && value !== undefined) warnings.push(`The card's '${where}' is ${describe(value)}, not text; it was ignored.`);
        continue;
      }
      if (hasVisibleText(text)) return text;
      fallback ??= text;
    }
    return fallback ?? '';
  };
  const readList = (dataKey: string, flat: readonly string[]): string[] => {
    const candidates: Array<[string, unknown]> = [];
    if (!isFlatOnly && has(body, dataKey)) candidates.push([`data.${dataKey}`, body[dataKey]]);
    candidates.push(...flatCandidates(flat));
    let fallback: string[] | undefined;
    for (const [where, value] of candidates) {
      const list = textList(value, dataKey === 'tags');
      if (list === undefined) {
        if (value !== null && value !== undefined) warnings.push(`The card's '${where}' is ${describe(value)}, not a list; it was ignored.`);
        continue;
      }
      if (list.length) return list;
      fallback ??= list;
    }
    return fallback ?? [];
  };

  const text = {} as Record<TextField, string>;
  for (const [field, dataKey, flat] of TEXT_FIELDS) text[field] = readText(dataKey, flat);
  const lists = {} as Record<ListField, string[]>;
  for (const [field, dataKey, flat] of LIST_FIELDS) lists[field] = readList(dataKey, flat);

  if (!hasVisibleText(text.name)) {
    throw new CardError('not-a-card', 'The card has no name, so it is not a usable character card.');
  }

  // Extensions: verbatim, minus Hearth's own block (read into fields, written again on export).
  let extensions: Json = {};
  if (has(source, 'extensions')) {
    if (isObject(source.extensions)) extensions = cloneJson(source.extensions);
    else if (source.extensions !== null) warnings.push(`The card's 'extensions' is ${describe(source.extensions)}, not an object; it was ignored.`);
  }
  const hearth = isObject(extensions[HEARTH_EXTENSION_KEY]) ? (extensions[HEARTH_EXTENSION_KEY] as Json) : undefined;
  if (hearth) delete extensions[HEARTH_EXTENSION_KEY];
  delete extensions[CARD_PRESERVED_KEY];

  let lorebook: Lorebook | undefined;
  if (has(source, 'character_book') && source.character_book !== null && source.character_book !== undefined) {
    lorebook = parseLorebook(source.character_book, warnings);
  }

  const { assets, avatar, avatarAsset } = parseAssets(source, sources, warnings);
  if (avatarAsset) preserved.avatarAsset = avatarAsset;

  const language = hearthLanguage(hearth?.language)
    ?? guessLanguage([text.name, text.description, text.personality, text.scenario, text.firstMessage, text.exampleDialogue].join('\n'));

  put(extensions, CARD_PRESERVED_KEY, preserved);
  const character: CardCharacter = {
    name: text.name,
    nickname: text.nickname,
    avatar: '',
    shortDescription: typeof hearth?.shortDescription === 'string' ? hearth.shortDescription : '',
    description: text.description,
    personality: text.personality,
    scenario: text.scenario,
    firstMessage: text.firstMessage,
    alternateGreetings: lists.alternateGreetings,
    exampleDialogue: text.exampleDialogue,
    systemPrompt: text.systemPrompt,
    postHistoryInstructions: text.postHistoryInstructions,
    creatorNotes: text.creatorNotes,
    tags: lists.tags,
    creator: text.creator,
    characterVersion: text.characterVersion,
    catchphrases: textList(hearth?.catchphrases, false) ?? [],
    language,
    extensions,
  };
  if (lorebook) character.lorebook = lorebook;
  if (assets.length) character.assets = assets;
  return { spec, character, ...(avatar ? { avatar } : {}), warnings };
}

function looksLikeV1(obj: Json): boolean {
  const named = typeof obj.name === 'string' || typeof obj.char_name === 'string';
  return named && V1_MARKERS.some((key) => has(obj, key));
}

function hearthLanguage(value: unknown): Lang | undefined {
  return value === 'en' || value === 'zh' ? value : undefined;
}

/**
 * 'zh' when at least 30% of the letters are CJK ideographs or kana (macros such as {{user}}
 * ignored), else 'en'. Lang has only these two; the guess feeds tokenisation and UI defaults.
 */
export function guessLanguage(text: string): Lang {
  const clean = text.replace(/\{\{[^}]*\}\}/g, ' ').replace(/<\/?(?:START|USER|BOT)>/gi, ' ');
  let cjk = 0;
  let latin = 0;
  for (const ch of clean) {
    const c = ch.codePointAt(0) as number;
    if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x3040 && c <= 0x30ff)
      || (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x2ffff)) cjk++;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0xc0 && c <= 0x24f)) latin++;
  }
  return cjk > 0 && cjk / (cjk + latin) >= 0.3 ? 'zh' : 'en';
}

// ---- lorebook

const BOOK_KEYS = new Set(['name', 'description', 'scan_depth', 'token_budget', 'recursive_scanning', 'extensions', 'entries']);
const ENTRY_KEYS = new Set([
  'keys', 'secondary_keys', 'content', 'enabled', 'insertion_order', 'case_sensitive', 'name', 'priority',
  'id', 'comment', 'selective', 'constant', 'use_regex', 'position', 'extensions',
]);

/** SillyTavern's world_info_logic numbers, as it stores them in `entry.extensions.selectiveLogic`. */
export const SELECTIVE_LOGIC = ['and-any', 'not-all', 'not-any', 'and-all'] as const;
type SelectiveLogic = (typeof SELECTIVE_LOGIC)[number];

function readSelectiveLogic(value: unknown): SelectiveLogic | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return SELECTIVE_LOGIC[value];
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase().replace(/_/g, '-');
    if ((SELECTIVE_LOGIC as readonly string[]).includes(s)) return s as SelectiveLogic;
    const n = Number(value);
    if (value.trim() !== '' && Number.isInteger(n)) return SELECTIVE_LOGIC[n];
  }
  return undefined;
}

/** Map a card `character_book` (V2/V3) onto Lorebook; unknown fields go to UNKNOWN_FIELDS_KEY. */
export function parseLorebook(raw: unknown, warnings: string[] = []): Lorebook | undefined {
  if (!isObject(raw)) {
    warnings.push(`The card's 'character_book' is ${describe(raw)}, not a lorebook; it was ignored.`);
    return undefined;
  }
  const unknown = unknownFields(raw, BOOK_KEYS);
  const book: Lorebook = { extensions: isObject(raw.extensions) ? cloneJson(raw.extensions) : {}, entries: [] };
  const optional = <T>(key: string, value: T | undefined): T | undefined => {
    if (value === undefined && has(raw, key) && raw[key] !== null && raw[key] !== undefined) put(unknown, key, cloneJson(raw[key]));
    return value;
  };
  const name = optional('name', asText(raw.name));
  const description = optional('description', asText(raw.description));
  const scanDepth = optional('scan_depth', asNumber(raw.scan_depth));
  const tokenBudget = optional('token_budget', asNumber(raw.token_budget));
  const recursive = optional('recursive_scanning', typeof raw.recursive_scanning === 'boolean' ? raw.recursive_scanning : undefined);
  if (name !== undefined) book.name = name;
  if (description !== undefined) book.description = description;
  if (scanDepth !== undefined) book.scanDepth = scanDepth;
  if (tokenBudget !== undefined) book.tokenBudget = tokenBudget;
  if (recursive !== undefined) book.recursiveScanning = recursive;

  let entries: unknown[] = [];
  if (Array.isArray(raw.entries)) entries = raw.entries;
  else if (isObject(raw.entries)) {
    // SillyTavern World Info keeps entries in an object keyed by uid.
    entries = Object.keys(raw.entries).map((k) => (raw.entries as Json)[k]);
  } else if (raw.entries !== undefined) {
    warnings.push(`The lorebook's 'entries' is ${describe(raw.entries)}, not a list; it was ignored.`);
    put(unknown, 'entries', cloneJson(raw.entries));
  }
  entries.forEach((entry, i) => {
    if (!isObject(entry)) {
      warnings.push(`Lorebook entry #${i + 1} is ${describe(entry)}, not an entry; it was skipped.`);
      return;
    }
    book.entries.push(parseEntry(entry, i));
  });
  if (Object.keys(unknown).length) put(book.extensions, UNKNOWN_FIELDS_KEY, unknown);
  return book;
}

function parseEntry(raw: Json, index: number): LorebookEntry {
  const unknown = unknownFields(raw, ENTRY_KEYS);
  const optional = <T>(key: string, value: T | undefined): T | undefined => {
    if (value === undefined && has(raw, key) && raw[key] !== null && raw[key] !== undefined) put(unknown, key, cloneJson(raw[key]));
    return value;
  };
  const extensions: Json = isObject(raw.extensions) ? cloneJson(raw.extensions) : {};
  // V2 makes `id` optional; an entry without one gets its position, which is stable on export.
  const id = typeof raw.id === 'number' || typeof raw.id === 'string' ? raw.id : index;
  const entry: LorebookEntry = {
    id,
    keys: optional('keys', textList(raw.keys, true)) ?? [],
    secondaryKeys: optional('secondary_keys', textList(raw.secondary_keys, true)) ?? [],
    content: optional('content', asText(raw.content)) ?? '',
    enabled: optional('enabled', typeof raw.enabled === 'boolean' ? raw.enabled : undefined) ?? true,
    insertionOrder: optional('insertion_order', asNumber(raw.insertion_order)) ?? 0,
    useRegex: raw.use_regex === true,
    extensions,
  };
  const caseSensitive = optional('case_sensitive', typeof raw.case_sensitive === 'boolean' ? raw.case_sensitive : undefined);
  const name = optional('name', asText(raw.name));
  const priority = optional('priority', asNumber(raw.priority));
  const comment = optional('comment', asText(raw.comment));
  const selective = optional('selective', typeof raw.selective === 'boolean' ? raw.selective : undefined);
  const constant = optional('constant', typeof raw.constant === 'boolean' ? raw.constant : undefined);
  const position = optional('position', raw.position === 'before_char' || raw.position === 'after_char' ? raw.position : undefined);
  const selectiveLogic = readSelectiveLogic(extensions.selectiveLogic);
  if (caseSensitive !== undefined) entry.caseSensitive = caseSensitive;
  if (name !== undefined) entry.name = name;
  if (priority !== undefined) entry.priority = priority;
  if (comment !== undefined) entry.comment = comment;
  if (selective !== undefined) entry.selective = selective;
  if (constant !== undefined) entry.constant = constant;
  if (position !== undefined) entry.position = position;
  if (selectiveLogic !== undefined) entry.selectiveLogic = selectiveLogic;
  if (Object.keys(unknown).length) put(entry.extensions, UNKNOWN_FIELDS_KEY, unknown);
  return entry;
}

// ---- assets

const ASSET_KEYS = new Set(['type', 'uri', 'name', 'ext']);
const EMBEDDED_URI = /^embedd?ed:\/\//i;
const LEGACY_URI = /^__asset:/i;

/** The zip path an `embeded://` URI points to, or undefined. */
export function embeddedPath(uri: string): string | undefined {
  return EMBEDDED_URI.test(uri) ? uri.replace(EMBEDDED_URI, '') : undefined;
}

interface ParsedAssets {
  assets: CharacterAsset[];
  avatar?: ImageBytes;
  avatarAsset?: PreservedCard['avatarAsset'];
}

function resolveAsset(uri: string, sources: CardSources): ImageBytes | undefined {
  const path = embeddedPath(uri);
  if (path !== undefined) {
    const bytes = sources.embedded?.(path);
    return bytes ? { bytes, mime: '' } : undefined;
  }
  if (LEGACY_URI.test(uri)) {
    const bytes = sources.legacy?.(uri.replace(LEGACY_URI, ''));
    return bytes ? { bytes, mime: '' } : undefined;
  }
  if (/^data:/i.test(uri)) return fromDataUrl(uri);
  if (/^ccdefault:/i.test(uri)) return sources.containerImage;
  return undefined;
}

function parseAssets(source: Json, sources: CardSources, warnings: string[]): ParsedAssets {
  const assets: CharacterAsset[] = [];
  if (!has(source, 'assets') || source.assets === null || source.assets === undefined) {
    // V3: no `assets` means the default icon, i.e. the image that carries the card.
    return sources.containerImage ? { assets, avatar: sources.containerImage } : { assets };
  }
  if (!Array.isArray(source.assets)) {
    warnings.push(`The card's 'assets' is ${describe(source.assets)}, not a list; it was ignored.`);
    return sources.containerImage ? { assets, avatar: sources.containerImage } : { assets };
  }
  const raws = source.assets as unknown[];
  raws.forEach((raw, i) => {
    if (!isObject(raw) || typeof raw.uri !== 'string') {
      warnings.push(`Asset #${i + 1} has no URI; it was skipped.`);
      return;
    }
    const ext = (asText(raw.ext) ?? '').trim();
    const asset: CharacterAsset = {
      type: asText(raw.type) ?? '',
      name: asText(raw.name) ?? '',
      ext,
      uri: raw.uri,
    };
    const extra = unknownFields(raw, ASSET_KEYS);
    if (Object.keys(extra).length) asset.extra = extra;
    const resolved = resolveAsset(raw.uri, sources);
    if (resolved) {
      asset.data = resolved.bytes;
      asset.mime = resolved.mime || guessMime(resolved.bytes, ext);
    } else if (EMBEDDED_URI.test(raw.uri) || LEGACY_URI.test(raw.uri)) {
      warnings.push(`Asset '${asset.name || i + 1}' points to ${raw.uri}, which the file does not contain; it was kept without its data.`);
    } else if (/^data:/i.test(raw.uri)) {
      warnings.push(`Asset '${asset.name || i + 1}' has a broken data: URL; it was kept as it was.`);
    }
    // A data: URL's bytes are in `data`; keep only its header so the text is not stored twice.
    if (asset.data && /^data:/i.test(asset.uri)) asset.uri = asset.uri.slice(0, asset.uri.indexOf(',') + 1);
    assets.push(asset);
  });

  // The avatar: the icon named 'main', else the first icon; V3 says exactly one is 'main'.
  const icons = assets.filter((a) => a.type === 'icon');
  const main = icons.find((a) => a.name === 'main') ?? icons[0];
  // No icon at all: a PNG's own image is still the obvious avatar.
  if (!main) return sources.containerImage ? { assets, avatar: sources.containerImage } : { assets };
  const isDefault = /^ccdefault:/i.test(main.uri);
  if (!main.data && !isDefault) return { assets }; // e.g. an https: icon the app cannot fetch; kept as an asset
  const rest = assets.filter((a) => a !== main);
  const avatar = main.data ? { bytes: main.data, mime: main.mime ?? guessMime(main.data, main.ext) } : undefined;
  // The spec's default icon is what export writes anyway; remember only icons that differ from it.
  const isPlainDefault = isDefault && main.name === 'main' && main.ext === 'png' && !main.extra;
  if (isPlainDefault) return avatar ? { assets: rest, avatar } : { assets: rest };
  const avatarAsset: PreservedCard['avatarAsset'] = { name: main.name, ext: main.ext, uri: main.uri };
  if (main.extra) avatarAsset.extra = main.extra;
  return avatar ? { assets: rest, avatar, avatarAsset } : { assets: rest, avatarAsset };
}

// ---------------------------------------------------------------------------------------------
// Export

export interface CardExportOptions {
  /** The avatar as the main icon: JSON embeds it as a data: URL. Without it, `ccdefault:`. */
  avatar?: ImageBytes;
}

/** How the main icon and each asset are referenced in the exported card. */
interface AssetPlan {
  mainIcon?: { uri: string; ext: string };
  assetUri: (asset: CharacterAsset, index: number) => string;
  /** Leave out assets whose bytes would be embedded (V2 backfill in a PNG). */
  skipEmbedded?: boolean;
  /** Always write an `assets` list (V3); V2 writes it only when there is something in it. */
  alwaysAssets: boolean;
}

/** Preserved card bits, or empty ones for a character that never came from a card. */
export function preservedOf(character: { extensions: Record<string, unknown> }): PreservedCard {
  const raw = character.extensions[CARD_PRESERVED_KEY];
  const p = isObject(raw) ? raw : {};
  return {
    top: isObject(p.top) ? p.top : {},
    data: isObject(p.data) ? p.data : {},
    flatKeys: Array.isArray(p.flatKeys) ? p.flatKeys.filter((k): k is string => typeof k === 'string') : [],
    ...(isObject(p.avatarAsset) ? { avatarAsset: p.avatarAsset as PreservedCard['avatarAsset'] } : {}),
    ...(isObject(p.files) ? { files: p.files as Record<string, string> } : {}),
  };
}

function fieldValue(character: CardCharacter, field: TextField | ListField): string | string[] {
  const value = character[field];
  return Array.isArray(value) ? [...value] : value;
}

/** Strip V3 decorator lines (`@@name value`) from the top of lorebook content, for V2 readers. */
export function stripDecorators(content: string): string {
  const lines = content.split('\n');
  let i = 0;
  while (i < lines.length && lines[i].trimStart().startsWith('@@')) i++;
  return lines.slice(i).join('\n');
}

/** A Lorebook as a card `character_book` (V3, decorators kept; `backfillV2` strips them for V2 readers). */
export function exportLorebook(book: Lorebook, backfillV2 = false): Json {
  const out: Json = {};
  const unknown = book.extensions[UNKNOWN_FIELDS_KEY];
  if (isObject(unknown)) for (const key of Object.keys(unknown)) put(out, key, cloneJson(unknown[key]));
  if (book.name !== undefined) out.name = book.name;
  if (book.description !== undefined) out.description = book.description;
  if (book.scanDepth !== undefined) out.scan_depth = book.scanDepth;
  if (book.tokenBudget !== undefined) out.token_budget = book.tokenBudget;
  if (book.recursiveScanning !== undefined) out.recursive_scanning = book.recursiveScanning;
  out.extensions = withoutKey(book.extensions, UNKNOWN_FIELDS_KEY);
  out.entries = book.entries.map((entry) => exportEntry(entry, backfillV2));
  return out;
}

function exportEntry(entry: LorebookEntry, backfillV2: boolean): Json {
  const out: Json = {};
  const unknown = entry.extensions[UNKNOWN_FIELDS_KEY];
  if (isObject(unknown)) for (const key of Object.keys(unknown)) put(out, key, cloneJson(unknown[key]));
  out.id = entry.id;
  out.keys = [...entry.keys];
  out.secondary_keys = [...entry.secondaryKeys];
  out.content = backfillV2 ? stripDecorators(entry.content) : entry.content;
  out.enabled = entry.enabled;
  out.insertion_order = entry.insertionOrder;
  if (entry.caseSensitive !== undefined) out.case_sensitive = entry.caseSensitive;
  if (entry.name !== undefined) out.name = entry.name;
  if (entry.priority !== undefined) out.priority = entry.priority;
  if (entry.comment !== undefined) out.comment = entry.comment;
  if (entry.selective !== undefined) out.selective = entry.selective;
  if (entry.constant !== undefined) out.constant = entry.constant;
  out.use_regex = entry.useRegex ?? false;
  if (entry.position !== undefined) out.position = entry.position;
  const extensions = withoutKey(entry.extensions, UNKNOWN_FIELDS_KEY);
  if (entry.selectiveLogic !== undefined) extensions.selectiveLogic = SELECTIVE_LOGIC.indexOf(entry.selectiveLogic);
  out.extensions = extensions;
  return out;
}

function withoutKey(obj: Record<string, unknown>, key: string): Json {
  const out: Json = {};
  for (const k of Object.keys(obj)) if (k !== key) put(out, k, cloneJson(obj[k]));
  return out;
}

function exportAsset(asset: CharacterAsset, uri: string): Json {
  const out: Json = {};
  if (asset.extra) for (const key of Object.keys(asset.extra)) put(out, key, cloneJson(asset.extra[key]));
  out.type = asset.type;
  out.uri = uri;
  out.name = asset.name;
  out.ext = asset.ext;
  return out;
}

/** The MIME type an asset's bytes should be labelled with. */
export function assetMime(asset: CharacterAsset): string {
  return asset.mime || guessMime(asset.data, asset.ext);
}

/** JSON/PNG: bytes become a data: URL; otherwise the URI the card had. */
function inlineAssetUri(asset: CharacterAsset): string {
  return asset.data ? toDataUrl(asset.data, assetMime(asset)) : asset.uri;
}

function buildCard(character: CardCharacter, spec: 'v2' | 'v3', plan: AssetPlan, backfillV2 = false): Json {
  const preserved = preservedOf(character);
  const out: Json = {};
  out.spec = spec === 'v3' ? 'chara_card_v3' : 'chara_card_v2';
  out.spec_version = spec === 'v3' ? '3.0' : '2.0';
  for (const key of preserved.flatKeys) {
    const field = FLAT_KEY_FIELD[key];
    if (field) put(out, key, fieldValue(character, field));
  }
  for (const key of Object.keys(preserved.top)) {
    if (key !== 'spec' && key !== 'spec_version' && key !== 'data' && !has(out, key)) put(out, key, cloneJson(preserved.top[key]));
  }

  const data: Json = {};
  for (const key of Object.keys(preserved.data)) if (!DATA_KEYS.has(key)) put(data, key, cloneJson(preserved.data[key]));
  data.name = character.name;
  data.description = character.description;
  data.personality = character.personality;
  data.scenario = character.scenario;
  data.first_mes = character.firstMessage;
  data.mes_example = character.exampleDialogue;
  data.creator_notes = character.creatorNotes;
  data.system_prompt = character.systemPrompt;
  data.post_history_instructions = character.postHistoryInstructions;
  data.alternate_greetings = [...character.alternateGreetings];
  if (character.lorebook) data.character_book = exportLorebook(character.lorebook, backfillV2);
  data.tags = [...character.tags];
  data.creator = character.creator;
  data.character_version = character.characterVersion;
  const extensions = withoutKey(character.extensions, CARD_PRESERVED_KEY);
  put(extensions, HEARTH_EXTENSION_KEY, {
    shortDescription: character.shortDescription,
    catchphrases: [...character.catchphrases],
    language: character.language,
  });
  data.extensions = extensions;
  if (character.nickname) data.nickname = character.nickname;
  if (spec === 'v3' && !has(data, 'group_only_greetings')) data.group_only_greetings = [];

  const assets: Json[] = [];
  const existing = character.assets ?? [];
  const hasMain = existing.some((a) => a.type === 'icon' && a.name === 'main');
  if (plan.mainIcon && !hasMain) {
    const meta = preserved.avatarAsset;
    const icon: CharacterAsset = { type: 'icon', name: meta?.name || 'main', ext: plan.mainIcon.ext, uri: plan.mainIcon.uri };
    if (meta?.extra) icon.extra = meta.extra;
    assets.push(exportAsset(icon, plan.mainIcon.uri));
  }
  existing.forEach((asset, i) => {
    if (plan.skipEmbedded && asset.data) return;
    assets.push(exportAsset(asset, plan.assetUri(asset, i)));
  });
  if (plan.alwaysAssets || existing.length || plan.mainIcon?.uri.startsWith('data:')) data.assets = assets;

  out.data = data;
  return out;
}

function jsonPlan(options: CardExportOptions, alwaysAssets: boolean): AssetPlan {
  const avatar = options.avatar;
  const mainIcon = avatar
    ? { uri: toDataUrl(avatar.bytes, avatar.mime), ext: extFromMime(avatar.mime) ?? 'png' }
    : { uri: 'ccdefault:', ext: 'png' };
  return { mainIcon, assetUri: inlineAssetUri, alwaysAssets };
}

/**
 * Character Card V2 object. Every V2 `data` field is present (SillyTavern's validator wants them);
 * V3-only fields the card had ride along, as SillyTavern writes them.
 */
export function exportCardV2(character: CardCharacter, options: CardExportOptions = {}): Record<string, unknown> {
  return buildCard(character, 'v2', jsonPlan(options, false));
}

/** Character Card V3 object (`group_only_greetings` and `assets` always present). */
export function exportCardV3(character: CardCharacter, options: CardExportOptions = {}): Record<string, unknown> {
  return buildCard(character, 'v3', jsonPlan(options, true));
}

/** Internal to the CHARX writer: a V3 card whose assets point at files in the archive. */
export function exportCardV3WithPlan(
  character: CardCharacter,
  mainIcon: { uri: string; ext: string } | undefined,
  assetUri: (asset: CharacterAsset, index: number) => string,
): Record<string, unknown> {
  return buildCard(character, 'v3', { mainIcon, assetUri, alwaysAssets: true });
}

/** Pretty JSON bytes for a `.json` card file. */
export function cardJsonBytes(card: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(card, null, 2)}\n`);
}

/**
 * A PNG card: the avatar (a PNG; a placeholder when there is none) with a `ccv3` chunk (the V3
 * card, assets as data: URLs) and a `chara` chunk (V2 backfill for older readers: decorators
 * stripped from lorebook content, embedded assets left out to halve the size).
 * Throws CardError('bad-png') when `avatarPng` is not a valid PNG.
 */
export function exportPngCard(character: CardCharacter, avatarPng?: Uint8Array): Uint8Array {
  const image = avatarPng ?? placeholderPng(character.name);
  readPngChunks(image); // validate before building anything
  const mainIcon = { uri: 'ccdefault:', ext: 'png' };
  const v3 = buildCard(character, 'v3', { mainIcon, assetUri: inlineAssetUri, alwaysAssets: true });
  const v2 = buildCard(character, 'v2', { mainIcon, assetUri: inlineAssetUri, alwaysAssets: false, skipEmbedded: true }, true);
  return writePngCard(image, { chara: v2, ccv3: v3 });
}
