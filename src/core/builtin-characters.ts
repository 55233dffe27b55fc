// Built-in character packs (characters/<slug>/character.json): their shape, checking, turning one
// into a Character, and merging a newer shipped version around the person's own edits.

import { formatExampleDialogue } from './example-dialogue';
import { CHARACTER_FIELD_NAMES } from './types';
import type { Character, CharacterFields, Exchange } from './types';

/**
 * The JSON shape of `characters/<slug>/character.json`: the character's fields, except that the
 * avatar is `avatar.svg` beside it and example dialogue is a list of exchanges.
 */
export interface BuiltinPack extends Omit<CharacterFields, 'avatar' | 'exampleDialogue'> {
  /** `builtin:<slug>`; stable across versions, so updates find the stored character. */
  id: string;
  /** Raised whenever the shipped text changes; drives mergeBuiltinUpdate. */
  version: number;
  examples: Exchange[];
}

export const MIN_PACK_EXAMPLES = 20;
export const MIN_PACK_GREETINGS = 2;
/** The gallery shows the tagline on one line. */
export const MAX_SHORT_DESCRIPTION = 60;

/** The CharacterFields a pack ships, with the avatar URL the caller resolved for it. */
export function fieldsFromPack(pack: BuiltinPack, avatar: string): CharacterFields {
  return {
    name: pack.name,
    nickname: pack.nickname,
    avatar,
    shortDescription: pack.shortDescription,
    description: pack.description,
    personality: pack.personality,
    scenario: pack.scenario,
    firstMessage: pack.firstMessage,
    alternateGreetings: [...pack.alternateGreetings],
    exampleDialogue: formatExampleDialogue(pack.examples),
    systemPrompt: pack.systemPrompt,
    postHistoryInstructions: pack.postHistoryInstructions,
    creatorNotes: pack.creatorNotes,
    tags: [...pack.tags],
    creator: pack.creator,
    characterVersion: pack.characterVersion,
    catchphrases: [...pack.catchphrases],
    language: pack.language,
  };
}

export function characterFromPack(pack: BuiltinPack, avatar: string, now: number): Character {
  const fields = fieldsFromPack(pack, avatar);
  return {
    ...fields,
    id: pack.id,
    origin: 'builtin',
    // A separate copy: the live fields get edited, the base must stay as shipped.
    builtin: { version: pack.version, base: cloneFields(fields) },
    extensions: {},
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * A newer pack for a stored built-in: each field the person left as shipped takes the new
 * shipped value; each field they edited keeps their edit. Null when there is nothing to do
 * (same or older version, a different id, or a character no longer tied to its pack).
 */
export function mergeBuiltinUpdate(
  existing: Character,
  pack: BuiltinPack,
  avatar: string,
  now: number,
): Character | null {
  const shipped = existing.builtin;
  if (!shipped || existing.id !== pack.id || pack.version <= shipped.version) return null;
  const next = fieldsFromPack(pack, avatar);
  const merged = { ...existing } as Character;
  const target = merged as unknown as Record<string, unknown>;
  // Keys from the fixed field list only.
  for (const key of CHARACTER_FIELD_NAMES) {
    const untouched = deepEqual(existing[key], shipped.base[key]);
    target[key] = untouched ? cloneValue(next[key]) : existing[key];
  }
  merged.builtin = { version: pack.version, base: cloneFields(next) };
  merged.updatedAt = now;
  return merged;
}

const STRING_FIELDS = [
  'name', 'nickname', 'shortDescription', 'description', 'personality', 'scenario',
  'firstMessage', 'creatorNotes', 'systemPrompt', 'postHistoryInstructions', 'creator',
  'characterVersion',
] as const satisfies readonly (keyof BuiltinPack)[];

/** These may be empty strings in a pack; every other string field must say something. */
const MAY_BE_EMPTY = new Set<string>(['nickname', 'systemPrompt', 'postHistoryInstructions']);

const STRING_LIST_FIELDS = ['alternateGreetings', 'catchphrases', 'tags'] as const satisfies readonly (keyof BuiltinPack)[];

/** Problems with a parsed character.json, one sentence each; empty when it is a valid pack. */
export function validatePack(pack: unknown): string[] {
  if (typeof pack !== 'object' || pack === null || Array.isArray(pack)) {
    return ['pack: expected a JSON object'];
  }
  const p = pack as Record<string, unknown>;
  const problems: string[] = [];

  if (typeof p.id !== 'string') problems.push('id: missing or not a string');
  else if (!/^builtin:[a-z0-9][a-z0-9-]*$/.test(p.id)) problems.push(`id: "${p.id}" is not of the form builtin:<slug>`);

  if (typeof p.version !== 'number') problems.push('version: missing or not a number');
  else if (!Number.isInteger(p.version) || p.version < 1) problems.push(`version: ${p.version} is not a positive integer`);

  if (p.language !== 'en' && p.language !== 'zh') problems.push('language: must be "en" or "zh"');

  for (const key of STRING_FIELDS) {
    const value = p[key];
    if (typeof value !== 'string') problems.push(`${key}: missing or not a string`);
    else if (!MAY_BE_EMPTY.has(key) && value.trim() === '') problems.push(`${key}: is empty`);
  }
  if (typeof p.shortDescription === 'string' && [...p.shortDescription].length > MAX_SHORT_DESCRIPTION) {
    problems.push(`shortDescription: longer than ${MAX_SHORT_DESCRIPTION} characters`);
  }
  if (typeof p.shortDescription === 'string' && /[\r\n]/.test(p.shortDescription)) {
    problems.push('shortDescription: must be a single line');
  }

  for (const key of STRING_LIST_FIELDS) {
    const value = p[key];
    if (!Array.isArray(value)) problems.push(`${key}: missing or not a list`);
    else if (value.some((v) => typeof v !== 'string' || v.trim() === '')) problems.push(`${key}: every entry must be a non-empty string`);
  }
  if (Array.isArray(p.alternateGreetings) && p.alternateGreetings.length < MIN_PACK_GREETINGS) {
    problems.push(`alternateGreetings: ${p.alternateGreetings.length} given, at least ${MIN_PACK_GREETINGS} needed`);
  }

  if (!Array.isArray(p.examples)) {
    problems.push('examples: missing or not a list');
  } else {
    if (p.examples.length < MIN_PACK_EXAMPLES) {
      problems.push(`examples: ${p.examples.length} given, at least ${MIN_PACK_EXAMPLES} needed`);
    }
    p.examples.forEach((e: unknown, i: number) => {
      const ex = e as Record<string, unknown> | null;
      if (typeof ex !== 'object' || ex === null || typeof ex.user !== 'string' || typeof ex.char !== 'string') {
        problems.push(`examples[${i}]: expected { "user": string, "char": string }`);
      } else if (ex.user.trim() === '' || ex.char.trim() === '') {
        problems.push(`examples[${i}]: user and char must both say something`);
      }
    });
  }
  return problems;
}

function cloneFields(fields: CharacterFields): CharacterFields {
  return cloneValue(fields);
}

/** Copy of plain JSON-like data (strings, numbers, arrays, plain objects). */
function cloneValue<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => cloneValue(v)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    // defineProperty, not assignment: a `__proto__` key stays data instead of setting the prototype.
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: cloneValue(v), enumerable: true, writable: true, configurable: true });
    return out as T;
  }
  return value;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && deepEqual(ra[k], rb[k]));
  }
  return false;
}
