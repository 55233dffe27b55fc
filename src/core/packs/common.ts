// What every corpus parser shares: the input file list, the scene shape it returns, its typed error.

import { decodeText, utf8Decode } from '../bytes';
import { HearthError, registerErrorClass, type ErrorDetails } from '../errors';
import type { Scene } from '../types';

export { utf16Bom } from '../bytes';

/**
 * One file of an imported folder or archive. `path` is relative and uses `/` (a directory
 * picker's `webkitRelativePath`, or a zip entry name); the parsers normalise `\` and a leading `./`.
 */
export interface PackFile {
  path: string;
  bytes: Uint8Array;
}

/** A scene as a parser returns it; the importer gives it an id and its character's id. */
export type ParsedScene = Omit<Scene, 'id' | 'characterId'>;

export type PackErrorReason =
  /** Nothing in the input looks like the expected format. */
  | 'not-a-pack'
  /** Broken JSON, a JSONL line that is not an object, or text that is not UTF-8. */
  | 'invalid-json'
  /** Base64 with characters outside the alphabet, or of an impossible length. */
  | 'bad-base64'
  /** Valid JSON of the wrong shape (a missing field, a field of the wrong type). */
  | 'wrong-shape'
  /** A `hearth-pack` whose version this build does not read. */
  | 'unsupported-version'
  /** More bytes than the limits allow (input, one entry, or everything unpacked). */
  | 'too-large'
  /** A zip with more entries than the limit. */
  | 'too-many-entries'
  /** A zip entry named with `..`, an absolute path or a drive letter. */
  | 'unsafe-path'
  /** JSON nested more levels deep than the readers walk (MAX_JSON_DEPTH). */
  | 'too-deep'
  /** A zip that cannot be read: truncated, encrypted, an unknown compression, a CRC mismatch. */
  | 'bad-zip';

/**
 * Why an import was rejected. `details` carries the facts for the sentence the UI shows
 * (file name, line number, limit); nothing has been written anywhere when this is thrown.
 */
export class PackError extends HearthError<PackErrorReason> {
  constructor(reason: PackErrorReason, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(reason, message, details, options);
    this.name = 'PackError';
  }

  get reason(): PackErrorReason {
    return this.code;
  }
}
registerErrorClass('PackError', PackError);

/** `a\b/./c` -> `a/b/c`, without a leading `./` or `/`. Does not resolve `..` (callers reject it). */
export function normalizePath(path: string): string {
  return path
    .replace(/\\/g, '/')
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}

/** The last path segment. */
export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/** The text `decode` gives, or null when it throws (not text in that encoding) or holds NUL bytes (a binary file with a `.txt` name). */
function textOrNull(decode: () => string): string | null {
  let text: string;
  try {
    text = decode();
  } catch {
    return null;
  }
  return text.includes('\u0000') ? null : text;
}

/** Bytes -> text when they are UTF-8 (a BOM is dropped); null when they are not, or hold NUL bytes. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  return textOrNull(() => utf8Decode(bytes, { fatal: true }));
}

/**
 * A text file someone imports -> its text: UTF-16 with a byte-order mark, else UTF-8 (see
 * decodeText). Null when the bytes are not text in that encoding, or hold NUL bytes.
 */
export function decodeTextFile(bytes: Uint8Array): string | null {
  return textOrNull(() => decodeText(bytes, { fatal: true }));
}
