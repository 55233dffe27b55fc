// The backup file format: one zip holding a manifest and every table's rows as JSON, with strict checks on read.
//
// Layout (format "hearth-backup", version 3; version 1 had no memories table, version 2 no evalRuns,
// and both still restore):
//   manifest.json                   format, version, app and database version, time, per-table row counts and parts
//   tables/<table>/<0000>.json      a JSON array of rows; a table is split into parts of a few MB
// Rows are Dexie rows as stored. JSON cannot carry binary data, dates or non-finite numbers, so those
// are written as tagged objects ({"$t": "ArrayBuffer", "b64": ...}); a row's own object that happens
// to have a "$t" key is escaped ({"$t": "object", "v": {...}}), so card extensions round-trip untouched.
// Model weights are never in a backup, and neither is the `models` table: it describes what this
// browser's cache holds, which another device does not have.

import { zipSync, type Zippable } from 'fflate';
import { base64Decode, base64Encode, utf8Decode } from './bytes';
import { jsonTooDeep, MAX_JSON_DEPTH, tooDeepMessage } from './cards/json-depth';
import { cyrb53 } from './hash';
import { SAVED_KEYWORD_INDEX_PREFIX } from './retrieval/saved-index';
import { HearthError, registerErrorClass, type ErrorDetails } from './errors';
import { checkRows, describeRowProblem, ROW_KEYS, type RowProblem } from './row-schemas';
import { readZipFiles, ZipError } from './zip-reader';
import type { Character, Conversation, EvalRun, MemoryRecord, Message, Persona, Scene, Setting, StoredLorebook } from './types';

export const BACKUP_FORMAT = 'hearth-backup';
export const BACKUP_VERSION = 3;
/** Tables a format version added: an older backup has none of their rows (format 2: memories; 3: evaluation runs). */
const TABLE_SINCE: Partial<Record<BackupTable, number>> = { memories: 2, evalRuns: 3 };

/** Every table a backup carries, in restore order (owners before what hangs off them). */
export const BACKUP_TABLES = ['characters', 'scenes', 'conversations', 'messages', 'memories', 'evalRuns', 'personas', 'lorebooks', 'settings'] as const;
export type BackupTable = (typeof BACKUP_TABLES)[number];

/**
 * Settings that describe this browser rather than the person's data (which embedding models are
 * prepared in its cache, whether it already asked for persistent storage). Like the models table,
 * they are never written to a backup, never replaced by a restore and kept by "delete all data".
 */
export const DEVICE_SETTING_KEYS: ReadonlySet<string> = new Set(['embeddings.models', 'storage.persistAsked', 'modelServer.consent']);

/** Also the saved keyword indexes: derived from the scenes, rebuilt from them after a restore. */
export function isDeviceSetting(key: string): boolean {
  return DEVICE_SETTING_KEYS.has(key) || key.startsWith(SAVED_KEYWORD_INDEX_PREFIX);
}

/** The model server's API key: a credential, so a backup carries it only when the person asks for it. */
export const SECRET_SETTING_KEYS: ReadonlySet<string> = new Set(['modelServer.apiKey']);

/** Whether a settings row goes into a backup: never this device's own settings, secrets only on request. */
export function isBackedUpSetting(key: string, includeSecrets = false): boolean {
  return !isDeviceSetting(key) && (includeSecrets || !SECRET_SETTING_KEYS.has(key));
}

export interface BackupRows {
  characters: Character[];
  scenes: Scene[];
  conversations: Conversation[];
  messages: Message[];
  memories: MemoryRecord[];
  /** Evaluation runs, saved with their character. */
  evalRuns: EvalRun[];
  personas: Persona[];
  lorebooks: StoredLorebook[];
  settings: Setting[];
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  version: number;
  appVersion: string;
  /** The IndexedDB schema version the rows were read from. */
  databaseVersion: number;
  /** Epoch milliseconds. */
  createdAt: number;
  tables: Record<BackupTable, { rows: number; parts: string[] }>;
}

export interface Backup {
  manifest: BackupManifest;
  rows: BackupRows;
  /** Bytes of row data unpacked: roughly the space a restore needs. */
  dataBytes: number;
  /**
   * Lorebooks that were attached to a character missing from the backup (left behind by deletes
   * before deleting a character took its books along). They are restored as global books.
   */
  detachedLorebooks: number;
}

export type BackupErrorReason =
  | 'not-a-backup'
  | 'newer-version'
  | 'damaged'
  | 'invalid-row'
  | 'too-large'
  | 'part-too-large'
  | 'too-many-parts'
  /** A part nests lists and objects deeper than any backup Hearth writes (MAX_PART_DEPTH). */
  | 'too-deep'
  | 'unsupported-value';

/** Why a backup could not be written or read. `message` is an English sentence; `details` fill a localised one. */
export class BackupError extends HearthError<BackupErrorReason> {
  constructor(reason: BackupErrorReason, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(reason, message, details, options);
    this.name = 'BackupError';
  }

  get reason(): BackupErrorReason {
    return this.code;
  }
}
registerErrorClass('BackupError', BackupError);

export interface BackupLimits {
  /** Largest backup file accepted. */
  maxFileBytes: number;
  /** Most bytes its parts may unpack to together. */
  maxUnpackedBytes: number;
  /**
   * Most bytes one part may unpack to. The writer closes a part at a few MB (one huge row may make
   * it larger), so a part declaring far more is refused before anything is inflated.
   */
  maxPartBytes?: number;
  /** Most files the zip may hold (parts are a few MB: even a huge backup has some hundreds). */
  maxParts?: number;
}

export const DEFAULT_BACKUP_LIMITS: BackupLimits = {
  maxFileBytes: 1024 * 1024 * 1024,
  maxUnpackedBytes: 2 * 1024 * 1024 * 1024 - 1,
  maxPartBytes: 256 * 1024 * 1024,
  maxParts: 100_000,
};

/** A part is closed once its JSON passes this many characters, so no single string gets huge. */
const PART_CHARS = 4 * 1024 * 1024;
const MANIFEST = 'manifest.json';
/**
 * Most levels of lists and objects a part may nest. Rows are decoded and checked recursively, so a
 * part nested thousands of levels deep would overflow the call stack (a RangeError that reaches the
 * person as an unknown failure). Hearth never writes one that deep: imports refuse values nested
 * past MAX_JSON_DEPTH, escaping objects that hold a "$t" key at most doubles that, and the part's
 * list and a row's own fields add a few levels.
 */
export const MAX_PART_DEPTH = 2 * MAX_JSON_DEPTH + 16;
/** Deflate level: 1 is several times faster than 6 and the file is only slightly larger (base64 and JSON compress well either way). */
const LEVEL = 1;

// ---- values <-> JSON -------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const TYPED_ARRAYS = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A structured-clone value (as IndexedDB stores it) -> JSON that decodeValue turns back into an equal value. */
export function encodeValue(value: unknown, path = 'row'): Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : { $t: 'number', v: String(value) };
  }
  if (value === undefined) return { $t: 'undefined' };
  if (typeof value !== 'object') {
    throw new BackupError('unsupported-value', `${path} holds a ${typeof value}, which a backup cannot carry.`, { path });
  }
  if (Array.isArray(value)) return value.map((item, i) => encodeValue(item, `${path}[${i}]`));
  if (value instanceof ArrayBuffer) return { $t: 'ArrayBuffer', b64: base64Encode(new Uint8Array(value)) };
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    if (name in TYPED_ARRAYS || name === 'DataView') return { $t: name, b64: base64Encode(bytes) };
  }
  if (value instanceof Date) return { $t: 'Date', v: value.getTime() };
  if (!isPlainObject(value)) {
    const kind = (value as object).constructor?.name ?? 'object';
    throw new BackupError('unsupported-value', `${path} holds a ${kind}, which a backup cannot carry.`, { path, kind });
  }
  const out: { [key: string]: Json } = Object.create(null);
  for (const [key, item] of Object.entries(value)) {
    // An absent key and an undefined one read back the same through Dexie.
    if (item !== undefined) define(out, key, encodeValue(item, `${path}.${key}`));
  }
  return Object.hasOwn(out, '$t') ? { $t: 'object', v: out } : out;
}

/**
 * Sets an own, enumerable, writable property. Plain assignment would treat a `__proto__` key as
 * the object's prototype (dropping the data, or worse, adopting it): card extensions and other
 * kept-verbatim JSON may hold such keys as ordinary data.
 */
function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A fresh object with the same own keys, each value decoded. Keeps the ordinary prototype (rows look as Dexie returns them). */
function decodeEntries(source: object, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(source)) define(out, key, decodeValue(item, `${path}.${key}`));
  return out;
}

/** The inverse of encodeValue. Throws BackupError('damaged') on a tag it does not know or bad base64. */
export function decodeValue(json: unknown, path = 'row'): unknown {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) return json.map((item, i) => decodeValue(item, `${path}[${i}]`));
  const record = json as Record<string, unknown>;
  if (!Object.hasOwn(record, '$t')) return decodeEntries(record, path);
  const tag = record.$t;
  // base64Decode returns a fresh array whose buffer is exactly its bytes, so no copy is needed.
  const bytes = () => {
    if (typeof record.b64 !== 'string') throw damaged(`${path} is a ${String(tag)} without its bytes.`);
    try {
      return base64Decode(record.b64);
    } catch (error) {
      throw damaged(`${path} holds bytes that are not valid base64.`, error);
    }
  };
  switch (tag) {
    case 'object': {
      if (record.v === null || typeof record.v !== 'object' || Array.isArray(record.v)) throw damaged(`${path} is an escaped object without its value.`);
      return decodeEntries(record.v, path);
    }
    case 'undefined':
      return undefined;
    case 'number': {
      if (record.v === 'NaN') return NaN;
      if (record.v === 'Infinity') return Infinity;
      if (record.v === '-Infinity') return -Infinity;
      throw damaged(`${path} is a number written as ${JSON.stringify(record.v)}.`);
    }
    case 'Date':
      if (typeof record.v !== 'number') throw damaged(`${path} is a date without its time.`);
      return new Date(record.v);
    case 'ArrayBuffer':
      return bytes().buffer as ArrayBuffer;
    case 'DataView':
      return new DataView(bytes().buffer as ArrayBuffer);
    default: {
      if (typeof tag === 'string' && tag in TYPED_ARRAYS) {
        const Ctor = TYPED_ARRAYS[tag as TypedArrayName];
        const raw = bytes();
        if (raw.length % Ctor.BYTES_PER_ELEMENT !== 0) throw damaged(`${path} is a ${tag} with a partial element.`);
        return new Ctor(raw.buffer as ArrayBuffer);
      }
      throw damaged(`${path} has a value of unknown kind ${JSON.stringify(tag)}.`);
    }
  }
}

function damaged(message: string, cause?: unknown, details: Record<string, string | number> = {}): BackupError {
  return new BackupError('damaged', `The backup is damaged: ${message}`, { problem: message, ...details }, { cause });
}

// ---- writing ---------------------------------------------------------------------------------

export interface BackupMeta {
  appVersion: string;
  databaseVersion: number;
  createdAt: number;
}

/**
 * Collects rows table by table (a page at a time, so storage can read in chunks inside one
 * transaction), closing a part every few MB, then packs everything into one zip.
 */
export class BackupWriter {
  readonly #meta: BackupMeta;
  readonly #files = new Map<string, Uint8Array>();
  readonly #tables = Object.fromEntries(BACKUP_TABLES.map((t) => [t, { rows: 0, parts: [] as string[] }])) as BackupManifest['tables'];
  readonly #open = new Map<BackupTable, string[]>();
  readonly #openChars = new Map<BackupTable, number>();
  readonly #encoder = new TextEncoder();

  constructor(meta: BackupMeta) {
    this.#meta = meta;
  }

  addRows(table: BackupTable, rows: readonly unknown[]): void {
    const open = this.#open.get(table) ?? [];
    let chars = this.#openChars.get(table) ?? 0;
    for (const row of rows) {
      const text = JSON.stringify(encodeValue(row, `${table}[${this.#tables[table].rows}]`));
      open.push(text);
      chars += text.length + 1;
      this.#tables[table].rows += 1;
      if (chars >= PART_CHARS) {
        this.#closePart(table, open);
        open.length = 0;
        chars = 0;
      }
    }
    this.#open.set(table, open);
    this.#openChars.set(table, chars);
  }

  #closePart(table: BackupTable, rows: string[]): void {
    const name = `tables/${table}/${String(this.#tables[table].parts.length).padStart(4, '0')}.json`;
    this.#files.set(name, this.#encoder.encode(`[${rows.join(',')}]`));
    this.#tables[table].parts.push(name);
  }

  /** The manifest and the zip bytes. The writer is spent afterwards. */
  finish(): { manifest: BackupManifest; bytes: Uint8Array } {
    for (const table of BACKUP_TABLES) {
      const open = this.#open.get(table) ?? [];
      if (open.length) this.#closePart(table, open);
      this.#open.delete(table);
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      appVersion: this.#meta.appVersion,
      databaseVersion: this.#meta.databaseVersion,
      createdAt: this.#meta.createdAt,
      tables: this.#tables,
    };
    const mtime = new Date(Math.max(this.#meta.createdAt, Date.UTC(1980, 0, 2)));
    const zippable: Zippable = { [MANIFEST]: [this.#encoder.encode(JSON.stringify(manifest, null, 2)), { level: LEVEL, mtime }] };
    for (const [name, data] of this.#files) zippable[name] = [data, { level: LEVEL, mtime }];
    this.#files.clear();
    return { manifest, bytes: zipSync(zippable) };
  }
}

/** Write a whole backup in one go (tests, small databases). */
export function writeBackup(rows: Partial<BackupRows>, meta: BackupMeta): { manifest: BackupManifest; bytes: Uint8Array } {
  const writer = new BackupWriter(meta);
  for (const table of BACKUP_TABLES) writer.addRows(table, rows[table] ?? []);
  return writer.finish();
}

// ---- reading ---------------------------------------------------------------------------------

/** A row that fails its table's schema (row-schemas.ts): the error names the table, the row and the field. */
export function invalidRow(problem: RowProblem): BackupError {
  return new BackupError('invalid-row', `The backup cannot be restored: ${describeRowProblem(problem)}.`, { ...problem, problem: describeRowProblem(problem) });
}

/**
 * Every row of every table against its schema, and no key twice in a table. Throws
 * BackupError('invalid-row') for the first bad row. readBackup runs it; storage runs it again
 * before writing, for a Backup that did not come from readBackup.
 */
export function checkBackupRows(rows: BackupRows): void {
  for (const table of BACKUP_TABLES) {
    const list = rows[table] as readonly unknown[];
    const problem = checkRows(table, list);
    if (problem) throw invalidRow(problem);
    const key = ROW_KEYS[table];
    const seen = new Set<string>();
    for (const row of list as Record<string, string>[]) {
      if (seen.has(row[key])) throw damaged(`${table} holds the ${key} ${row[key]} twice.`, undefined, { table });
      seen.add(row[key]);
    }
  }
}

function sizeText(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const ZIP_FACTS: Partial<Record<string, string>> = {
  'no-directory': 'the file is truncated (its zip directory is missing)',
  'truncated-entry': 'the file is truncated',
  'bad-crc': 'a part fails its checksum',
  'inflate-failed': 'a part cannot be unpacked',
  short: 'a part is shorter than it declares',
  overflow: 'a part is longer than it declares',
};

function unzip(bytes: Uint8Array, limits: BackupLimits): Map<string, Uint8Array> {
  let files;
  try {
    files = readZipFiles(bytes, {
      limits: {
        maxEntries: limits.maxParts ?? DEFAULT_BACKUP_LIMITS.maxParts!,
        maxTotalBytes: limits.maxUnpackedBytes,
        maxEntryBytes: Math.min(limits.maxUnpackedBytes, limits.maxPartBytes ?? DEFAULT_BACKUP_LIMITS.maxPartBytes!),
      },
      backslash: 'unsafe',
    });
  } catch (error) {
    // Each limit says its own reason: a count of files is not a size, and a part is not the whole.
    const fact = error instanceof ZipError ? error.fact : '';
    const details = error instanceof ZipError ? error.details : {};
    if (fact === 'too-many-entries') {
      throw new BackupError('too-many-parts', `The zip holds ${details.entries} files; a backup has at most ${details.limit}.`, { count: details.entries ?? 0, limit: details.limit ?? 0 }, { cause: error });
    }
    if (fact === 'entry-too-large') {
      const size = sizeText(Number(details.bytes)), limit = sizeText(Number(details.limit));
      throw new BackupError('part-too-large', `The part ${details.name} declares ${size}; a part may unpack to at most ${limit}.`, { part: details.name ?? '', size, limit }, { cause: error });
    }
    if (fact === 'total-too-large') {
      throw new BackupError('too-large', `The backup unpacks to more than this app reads at once (${sizeText(limits.maxUnpackedBytes)}).`, { limit: limits.maxUnpackedBytes }, { cause: error });
    }
    throw damaged(`${ZIP_FACTS[fact] ?? `the zip cannot be read (${fact || String(error)})`}.`, error);
  }
  const map = new Map<string, Uint8Array>();
  for (const file of files) {
    if (map.has(file.name)) throw damaged(`it holds ${file.name} twice.`);
    map.set(file.name, file.bytes);
  }
  return map;
}

function parseManifest(files: Map<string, Uint8Array>): BackupManifest {
  const raw = files.get(MANIFEST);
  if (!raw) throw new BackupError('not-a-backup', 'This zip is not a Hearth backup: it has no manifest.json.');
  let manifest: Partial<BackupManifest>;
  try {
    manifest = JSON.parse(utf8Decode(raw, { fatal: true }));
  } catch (error) {
    throw damaged('manifest.json is not valid JSON.', error);
  }
  if (manifest === null || typeof manifest !== 'object' || manifest.format !== BACKUP_FORMAT) {
    throw new BackupError('not-a-backup', 'This zip is not a Hearth backup: its manifest names another format.');
  }
  const { version } = manifest;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw damaged('its manifest has no valid format version.');
  if (version > BACKUP_VERSION) {
    const appVersion = typeof manifest.appVersion === 'string' ? manifest.appVersion : '?';
    throw new BackupError(
      'newer-version',
      `This backup was made by a newer Hearth (${appVersion}, format ${version}); this one reads format ${BACKUP_VERSION}. Update the app, then restore.`,
      { version, supported: BACKUP_VERSION, appVersion },
    );
  }
  const tables = manifest.tables as Partial<BackupManifest['tables']> | undefined;
  for (const table of BACKUP_TABLES) {
    if (tables && !tables[table] && version < (TABLE_SINCE[table] ?? 1)) tables[table] = { rows: 0, parts: [] };
    const entry = tables?.[table];
    if (!entry || typeof entry.rows !== 'number' || !Array.isArray(entry.parts) || !entry.parts.every((p) => typeof p === 'string')) {
      throw damaged(`its manifest does not describe the ${table} table.`, undefined, { table });
    }
  }
  return manifest as BackupManifest;
}

function readTable(files: Map<string, Uint8Array>, table: BackupTable, entry: { rows: number; parts: string[] }): { rows: unknown[]; bytes: number } {
  const rows: unknown[] = [];
  let bytes = 0;
  for (const part of entry.parts) {
    const raw = files.get(part);
    if (!raw) throw damaged(`the part ${part} is missing.`, undefined, { part });
    bytes += raw.length;
    let parsed: unknown;
    try {
      parsed = JSON.parse(utf8Decode(raw, { fatal: true }));
    } catch (error) {
      throw damaged(`the part ${part} is not valid JSON.`, error, { part });
    }
    if (!Array.isArray(parsed)) throw damaged(`the part ${part} is not a list of rows.`, undefined, { part });
    if (jsonTooDeep(parsed, MAX_PART_DEPTH)) {
      const limit = MAX_PART_DEPTH.toLocaleString('en-US');
      throw new BackupError('too-deep', `The backup cannot be restored: ${tooDeepMessage(part, MAX_PART_DEPTH)}`, { part, limit });
    }
    for (const item of parsed) rows.push(decodeValue(item, `${table}[${rows.length}]`));
  }
  if (rows.length !== entry.rows) {
    throw damaged(`the ${table} table holds ${rows.length} rows, but the manifest says ${entry.rows}.`, undefined, { table });
  }
  return { rows, bytes };
}

/**
 * Every row must belong to something in the same backup, or it would be invisible after restore.
 * The one exception is a lorebook whose character is gone: older versions left such books behind
 * when a character was deleted, so it becomes a global book (its characterId is dropped) rather
 * than making the whole backup unrestorable. Returns how many books were detached that way.
 */
function checkReferences(rows: BackupRows): number {
  const characters = new Set(rows.characters.map((c) => c.id));
  const conversations = new Set(rows.conversations.map((c) => c.id));
  const orphan = (table: string, id: string, owner: string) => damaged(`${table} row ${id} belongs to a ${owner} that is not in the backup.`, undefined, { table });
  for (const s of rows.scenes) if (!characters.has(s.characterId)) throw orphan('scenes', s.id, 'character');
  for (const c of rows.conversations) if (!characters.has(c.characterId)) throw orphan('conversations', c.id, 'character');
  for (const m of rows.messages) if (!conversations.has(m.conversationId)) throw orphan('messages', m.id, 'conversation');
  for (const m of rows.memories) if (!conversations.has(m.conversationId)) throw orphan('memories', m.id, 'conversation');
  for (const r of rows.evalRuns) if (!characters.has(r.characterId)) throw orphan('evalRuns', r.id, 'character');
  let detached = 0;
  rows.lorebooks = rows.lorebooks.map((book) => {
    if (book.characterId === undefined || characters.has(book.characterId)) return book;
    detached += 1;
    const { characterId: _gone, ...global } = book;
    return global;
  });
  return detached;
}

/**
 * Read and check a whole backup before anything is written: format, version, every part present
 * and intact (zip CRCs), row counts, keys, and references. Throws BackupError with its reason.
 */
export function readBackup(bytes: Uint8Array, limits: BackupLimits = DEFAULT_BACKUP_LIMITS): Backup {
  if (bytes.length > limits.maxFileBytes) {
    throw new BackupError('too-large', `The file is ${sizeText(bytes.length)}; a backup may be at most ${sizeText(limits.maxFileBytes)}.`, { bytes: bytes.length, limit: limits.maxFileBytes });
  }
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4;
  if (!isZip) throw new BackupError('not-a-backup', 'This file is not a Hearth backup (it is not a zip archive).');
  const files = unzip(bytes, limits);
  const manifest = parseManifest(files);
  const rows = {} as Record<BackupTable, unknown[]>;
  let dataBytes = 0;
  for (const table of BACKUP_TABLES) {
    const read = readTable(files, table, manifest.tables[table]);
    rows[table] = read.rows;
    dataBytes += read.bytes;
  }
  const typed = rows as unknown as BackupRows;
  checkBackupRows(typed);
  const detachedLorebooks = checkReferences(typed);
  return { manifest, rows: typed, dataBytes, detachedLorebooks };
}

/**
 * The id a merge gives a backup row whose id is taken here by a row of another owner (a message of
 * another conversation, a scene of another character...). It depends only on the table, the old
 * id, the row's owner and the attempt, so merging the same backup twice finds the copy made the
 * first time (and lets the newer one win) instead of adding it again.
 */
export function mergedId(table: BackupTable, id: string, owner: string | undefined, attempt: number): string {
  const text = JSON.stringify([table, id, owner ?? null, attempt]);
  const hex = (seed: number): string => cyrb53(text, seed).toString(16).padStart(14, '0');
  return `m-${hex(1)}${hex(2)}`;
}

/** `hearth-backup-2026-11-22-1048.zip`, in local time. */
export function backupFileName(time: number): string {
  const d = new Date(time);
  const two = (n: number) => String(n).padStart(2, '0');
  return `hearth-backup-${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}.zip`;
}
