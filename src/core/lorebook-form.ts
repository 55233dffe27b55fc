// The lorebook entry editor's model: the fields a person edits, read from a LorebookEntry and
// written back onto it, plus the checks a key gets as it is typed.
//
// Only what the person changed is written: a field whose form value is still what the entry
// showed keeps the entry's own value (absent stays absent, `null` stays `null`), and every field
// the form does not show (other apps' extensions, unknown card fields) is carried over untouched,
// so opening and saving an entry never changes its export.

import { cloneJson } from './cards/card';
import { compileKey, DEFAULT_ENTRY_DEPTH, isCaseSensitive, probabilityOf, type KeyRefusal } from './lorebook';
import type { LorebookEntry } from './types';
import { selectiveLogicNumber } from './world-info';

export type SelectiveLogic = NonNullable<LorebookEntry['selectiveLogic']>;
export const SELECTIVE_LOGICS: readonly SelectiveLogic[] = ['and-any', 'and-all', 'not-any', 'not-all'];

/** Every field the editor shows; each one is honoured by core/lorebook.ts matchLorebook. */
export interface EntryForm {
  /** The entry's title: the card's `comment` (SillyTavern's title) and `name`. */
  title: string;
  keys: string[];
  secondaryKeys: string[];
  selectiveLogic: SelectiveLogic;
  useRegex: boolean;
  caseSensitive: boolean;
  matchWholeWords: boolean;
  content: string;
  enabled: boolean;
  constant: boolean;
  /** 0-100: the chance the entry goes in when it triggers. */
  probability: number;
  /** Lower goes higher in the prompt. */
  insertionOrder: number;
  /** Over budget, the lowest priority is dropped first. */
  priority: number;
  /**
   * Where the entry goes (SillyTavern's `extensions.position`): before or after the character's
   * description, next to the author's note, or at a depth among the chat's messages; 'other' (its
   * example-message and outlet places, which Hearth lacks) is only shown for an entry that has one.
   */
  position: EntryPosition;
  /** With 'at_depth': messages above the new one (SillyTavern's `extensions.depth`). */
  depth: number;
  /** With 'at_depth': who says it (SillyTavern's `extensions.role`: 0 system, 1 user, 2 assistant). */
  role: 0 | 1 | 2;
  /** Messages scanned for this entry's keys; null: the book's. */
  scanDepth: number | null;
  /** Never triggered by another entry's text. */
  excludeRecursion: boolean;
  /** Its text never triggers other entries. */
  preventRecursion: boolean;
  /** Triggered only by another entry's text. */
  delayUntilRecursion: boolean;
}

export type EntryPosition = 'before_char' | 'after_char' | 'an_top' | 'an_bottom' | 'at_depth' | 'other';
/** SillyTavern's position numbers, in its order (5 to 7 are 'other'). */
const POSITION_NUMBERS: readonly EntryPosition[] = ['before_char', 'after_char', 'an_top', 'an_bottom', 'at_depth'];

function positionOf(entry: LorebookEntry): EntryPosition {
  const n = entry.extensions?.position;
  if (typeof n === 'number') return POSITION_NUMBERS[n] ?? 'other';
  return entry.position === 'before_char' ? 'before_char' : 'after_char';
}

export function entryToForm(entry: LorebookEntry): EntryForm {
  const ext = entry.extensions ?? {};
  const scanDepth = ext.scan_depth;
  const depth = ext.depth;
  return {
    title: entry.comment ?? entry.name ?? '',
    keys: [...entry.keys],
    secondaryKeys: [...entry.secondaryKeys],
    selectiveLogic: entry.selectiveLogic ?? 'and-any',
    useRegex: entry.useRegex === true,
    caseSensitive: isCaseSensitive(entry),
    matchWholeWords: ext.match_whole_words !== false,
    content: entry.content,
    enabled: entry.enabled,
    constant: entry.constant === true,
    probability: probabilityOf(entry),
    insertionOrder: entry.insertionOrder,
    priority: entry.priority ?? 0,
    position: positionOf(entry),
    depth: typeof depth === 'number' && Number.isFinite(depth) ? depth : DEFAULT_ENTRY_DEPTH,
    role: ext.role === 1 || ext.role === 2 ? ext.role : 0,
    scanDepth: typeof scanDepth === 'number' && Number.isFinite(scanDepth) ? scanDepth : null,
    excludeRecursion: ext.exclude_recursion === true,
    preventRecursion: ext.prevent_recursion === true,
    delayUntilRecursion: ext.delay_until_recursion === true,
  };
}

type Writer<K extends keyof EntryForm> = (entry: LorebookEntry, value: EntryForm[K]) => void;

const WRITERS: { [K in keyof EntryForm]: Writer<K> } = {
  title: (e, v) => {
    // The two fields say the same thing for a person; an entry that kept a distinct name keeps it.
    if (e.name === undefined || e.name === e.comment) e.name = v;
    e.comment = v;
  },
  keys: (e, v) => (e.keys = cleanList(v)),
  secondaryKeys: (e, v) => {
    e.secondaryKeys = cleanList(v);
    // Secondary keys only count on a selective entry (the spec), so writing them turns it on.
    if (e.secondaryKeys.length > 0) e.selective = true;
  },
  selectiveLogic: (e, v) => {
    e.selectiveLogic = v;
    // Where the card format keeps it (SillyTavern's number), as an import would have stored it.
    e.extensions.selectiveLogic = selectiveLogicNumber(v);
    e.selective = true;
  },
  useRegex: (e, v) => (e.useRegex = v),
  caseSensitive: (e, v) => (e.caseSensitive = v),
  matchWholeWords: (e, v) => (e.extensions.match_whole_words = v),
  content: (e, v) => (e.content = v),
  enabled: (e, v) => (e.enabled = v),
  constant: (e, v) => (e.constant = v),
  probability: (e, v) => {
    e.extensions.probability = clamp(v, 0, 100);
    e.extensions.useProbability = true;
  },
  insertionOrder: (e, v) => (e.insertionOrder = finite(v, 0)),
  priority: (e, v) => (e.priority = finite(v, 0)),
  position: (e, v) => {
    // 'other' cannot be chosen, only kept (the form shows it for an entry that has it).
    if (v === 'other') return;
    if (v === 'before_char' || v === 'after_char') e.position = v;
    // SillyTavern's number for the same place, which its import reads before `position`.
    e.extensions.position = POSITION_NUMBERS.indexOf(v);
  },
  depth: (e, v) => (e.extensions.depth = Math.max(0, Math.floor(finite(v, DEFAULT_ENTRY_DEPTH)))),
  role: (e, v) => (e.extensions.role = v),
  scanDepth: (e, v) => (e.extensions.scan_depth = v === null ? null : Math.max(0, Math.floor(finite(v, 0)))),
  excludeRecursion: (e, v) => (e.extensions.exclude_recursion = v),
  preventRecursion: (e, v) => (e.extensions.prevent_recursion = v),
  delayUntilRecursion: (e, v) => (e.extensions.delay_until_recursion = v),
};

/** The entry with the form's changes: fields left as shown keep their stored value exactly. */
export function formToEntry(original: LorebookEntry, form: EntryForm): LorebookEntry {
  const entry = cloneJson(original);
  entry.extensions = entry.extensions ?? {};
  const shown = entryToForm(original);
  for (const field of Object.keys(WRITERS) as (keyof EntryForm)[]) {
    if (JSON.stringify(form[field]) === JSON.stringify(shown[field])) continue;
    (WRITERS[field] as Writer<typeof field>)(entry, form[field]);
  }
  return entry;
}

/** A new entry as the editor adds it: enabled, after the character, ordered after `entries`. */
export function newEntry(entries: readonly LorebookEntry[]): LorebookEntry {
  const order = entries.reduce((max, e) => Math.max(max, Number.isFinite(e.insertionOrder) ? e.insertionOrder : 0), 0);
  return {
    id: nextEntryId(entries),
    keys: [],
    secondaryKeys: [],
    content: '',
    enabled: true,
    insertionOrder: entries.length === 0 ? 100 : order + 10,
    useRegex: false,
    position: 'after_char',
    extensions: { position: 1 },
  };
}

/** One past the highest numeric id (SillyTavern's uids are numbers), so a copy or a new entry never shares an id. */
export function nextEntryId(entries: readonly LorebookEntry[]): number {
  return entries.reduce((max, e) => {
    const n = typeof e.id === 'number' ? e.id : Number(e.id);
    return Number.isInteger(n) && n > max ? n : max;
  }, -1) + 1;
}

/** Why a key cannot be used, checked as the matcher will run it; undefined when it is fine. */
export function checkKey(key: string, form: Pick<EntryForm, 'useRegex' | 'caseSensitive' | 'matchWholeWords'>): KeyRefusal | undefined {
  const trimmed = key.trim();
  if (!trimmed) return undefined;
  const compiled = compileKey(trimmed, form.caseSensitive, form.useRegex, form.matchWholeWords);
  return typeof compiled === 'function' ? undefined : compiled;
}

/** Keys as typed in one box, one per comma (SillyTavern's convention); a regex key keeps its commas. */
export function splitKeys(text: string): string[] {
  const keys: string[] = [];
  let current = '';
  let inRegex = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && inRegex) {
      current += ch + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '/' && (current.trim() === '' || inRegex)) inRegex = !inRegex;
    if (ch === ',' && !inRegex) {
      keys.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  keys.push(current);
  return cleanList(keys);
}

function cleanList(values: readonly string[]): string[] {
  return values.map((v) => v.trim()).filter((v) => v !== '');
}

function finite(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, finite(value, max)));
}
