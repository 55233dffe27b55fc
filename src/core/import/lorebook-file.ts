// Standalone lorebook files: Character Card `lorebook_v3` JSON and SillyTavern World Info JSON
// (entries in an object keyed by uid, ST field names), both read into the app's Lorebook.

import { parseLorebook } from '../cards/card';
import { hasVisibleText } from '../cards/visible-text';
import type { Lorebook } from '../types';
import { worldInfoEntryToCardEntry } from '../world-info';

export type LorebookFileFormat = 'lorebook_v3' | 'world-info' | 'character_book';

export interface ParsedLorebookFile {
  format: LorebookFileFormat;
  book: Lorebook;
  warnings: string[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True when `json` is shaped like a standalone lorebook rather than a card or a pack. */
export function looksLikeLorebook(json: unknown): boolean {
  if (!isObject(json)) return false;
  if (typeof json.spec === 'string') return json.spec.toLowerCase().startsWith('lorebook');
  if (json.data !== undefined || json.format !== undefined) return false;
  return Array.isArray(json.entries) || isObject(json.entries);
}

/**
 * A lorebook file's JSON -> Lorebook, or null when it is not a lorebook. `lorebook_v3` wraps a
 * card book in `data`; World Info keeps entries keyed by uid with SillyTavern field names; a bare
 * `character_book` object (entries as a list) is read as it is.
 */
export function parseLorebookFile(json: unknown, fileName = ''): ParsedLorebookFile | null {
  if (!looksLikeLorebook(json)) return null;
  const doc = json as Json;
  const warnings: string[] = [];
  if (typeof doc.spec === 'string') {
    const body = isObject(doc.data) ? doc.data : doc;
    const book = parseLorebook(body, warnings);
    return book ? { format: 'lorebook_v3', book: named(book, fileName), warnings } : null;
  }
  if (isObject(doc.entries)) {
    const entries = Object.keys(doc.entries).map((uid) => {
      const raw = (doc.entries as Json)[uid];
      return isObject(raw) ? worldInfoEntryToCardEntry(raw, uid) : raw;
    });
    const { entries: _entries, originalData: _original, ...rest } = doc;
    const book = parseLorebook({ ...rest, entries }, warnings);
    return book ? { format: 'world-info', book: named(book, fileName), warnings } : null;
  }
  const book = parseLorebook(doc, warnings);
  return book ? { format: 'character_book', book: named(book, fileName), warnings } : null;
}

/** A book without a name (or one of only invisible characters) is called after its file, so the person can tell books apart. */
function named(book: Lorebook, fileName: string): Lorebook {
  if (hasVisibleText(book.name ?? '') || !fileName) return book;
  return { ...book, name: fileName.replace(/\.json$/i, '') };
}
