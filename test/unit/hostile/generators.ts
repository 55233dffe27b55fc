// Byte builders for the hostile-input catalogue: zips (with the lies a hostile archive tells: sizes,
// CRCs, flags, ZIP64 records, split disks), PNG chunks, cards, packs and backups. Written with
// Node's zlib, not the code under test, and free of vitest so the e2e spec (Node) can import them too.

import { deflateRawSync, deflateSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { writeBackup, type BackupRows } from '../../../src/core/backup';
import type { Character, Conversation, Message, Persona, Scene, StoredLorebook } from '../../../src/core/types';
import { b64json, cardChunk, chunk, idat, iend, ihdr, le16, le32, png, SIG, text, u8, zipRecords, type ZipEntrySpec } from '../core/cards/helpers';

export { b64json, cardChunk, chunk, idat, iend, ihdr, png, SIG, text, u8 };

export const utf8 = (value: string): Uint8Array => new TextEncoder().encode(value);

/** Deterministic bytes (a linear congruential generator), so a failure can be replayed. */
export function garbage(length: number, seed = 7): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

// ---- zip ---------------------------------------------------------------------------------------

/** A zip entry: `declaredSize` and `crc` are what the directory declares (lies when they differ from the data). */
export type HostileZipEntry = ZipEntrySpec;

export interface HostileZipOptions {
  /** Entry count the end record declares (a ZIP64 record when over 0xfffe). */
  declaredEntries?: number;
  /** Always write a ZIP64 end record and locator (with `declaredEntries` or the real count). */
  zip64?: boolean;
  /** A ZIP64 locator whose record is missing: the end record says "look in ZIP64" and there is none. */
  zip64Damaged?: boolean;
  /** Disk number in the end record: non-zero means a split archive. */
  disk?: number;
  /** Added to the central directory's offset (a directory that points elsewhere). */
  directoryShift?: number;
}

function le64(n: number): number[] {
  return [...le32(n % 0x100000000), ...le32(Math.floor(n / 0x100000000))];
}

/** A zip archive built by hand: local headers, central directory, optional ZIP64 records, end record. */
export function hostileZip(entries: readonly HostileZipEntry[], options: HostileZipOptions = {}): Uint8Array {
  // Names given as bytes carry no UTF-8 flag unless asked.
  const { locals, centrals, offset } = zipRecords(entries, (e) => e.flags ?? (typeof e.name === 'string' ? 0x800 : 0));
  const cd = u8(...centrals);
  const count = options.declaredEntries ?? entries.length;
  const cdOffset = offset + (options.directoryShift ?? 0);
  const tail: Uint8Array[] = [];
  const useZip64 = options.zip64 || count > 0xfffe;
  if (useZip64 && !options.zip64Damaged) {
    const recordAt = offset + cd.length;
    tail.push(u8([0x50, 0x4b, 6, 6], le64(44), le16(45), le16(45), le32(0), le32(0), le64(count), le64(count), le64(cd.length), le64(cdOffset)));
    tail.push(u8([0x50, 0x4b, 6, 7], le32(0), le64(recordAt), le32(1)));
  } else if (options.zip64Damaged) {
    // The locator points at a record that is not there.
    tail.push(u8([0x50, 0x4b, 6, 7], le32(0), le64(offset + cd.length + 4096), le32(1)));
  }
  const marker = useZip64 || options.zip64Damaged;
  const disk = options.disk ?? 0;
  const eocd = u8(
    [0x50, 0x4b, 5, 6], le16(disk), le16(disk),
    le16(marker ? 0xffff : count), le16(marker ? 0xffff : count),
    le32(cd.length), le32(marker ? 0xffffffff : cdOffset), le16(0),
  );
  return u8(...locals, cd, ...tail, eocd);
}

/** Raw deflate of `bytes` zero bytes: a few KB that inflate to `bytes` (a zip bomb's payload). */
export function deflatedZeros(bytes: number): Uint8Array {
  return new Uint8Array(deflateRawSync(new Uint8Array(bytes), { level: 9 }));
}

/** Zip entries (all deflated, names as given) from a name -> text map. */
export function entriesOf(files: Record<string, string | Uint8Array>): HostileZipEntry[] {
  return Object.entries(files).map(([name, data]) => ({ name, data }));
}

// ---- cards -------------------------------------------------------------------------------------

/** A small valid V2 card; `data` fields override. */
export function cardV2(data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    spec: 'chara_card_v2',
    spec_version: '2.0',
    data: { name: 'Hostile Hal', description: 'A test character.', personality: '', scenario: '', first_mes: 'Hello.', mes_example: '', ...data },
  };
}

export const json = (value: unknown): Uint8Array => utf8(JSON.stringify(value));

/** `[[[…]]]` nested `levels` deep, as text (JSON.stringify would overflow the stack on it). */
export function deepArrayText(levels: number): string {
  return '['.repeat(levels) + ']'.repeat(levels);
}

/** A card whose `extensions` holds a list nested `levels` deep. */
export function deepCard(levels: number): Uint8Array {
  const head = JSON.stringify(cardV2({ extensions: { deep: 0 } }));
  return utf8(head.replace('"deep":0', `"deep":${deepArrayText(levels)}`));
}

/** UTF-16 text with its byte-order mark. */
export function utf16(value: string, order: 'le' | 'be'): Uint8Array {
  const out = new Uint8Array(2 + value.length * 2);
  out[0] = order === 'le' ? 0xff : 0xfe;
  out[1] = order === 'le' ? 0xfe : 0xff;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const [a, b] = order === 'le' ? [c & 255, c >>> 8] : [c >>> 8, c & 255];
    out[2 + i * 2] = a;
    out[3 + i * 2] = b;
  }
  return out;
}

/** A payload for every text field: what must show as text and never run. */
export const INJECTION = '<img src=x onerror="window.__hostile=1"><script>window.__hostile=2</script>';

/** A card with the injection in every text field, list item, lorebook entry and extension. */
export function injectionCard(): Record<string, unknown> {
  const p = (field: string) => `${field} ${INJECTION}`;
  return {
    spec: 'chara_card_v3',
    spec_version: '3.0',
    data: {
      name: p('name'), nickname: p('nickname'), description: p('description'), personality: p('personality'),
      scenario: p('scenario'), first_mes: p('first_mes'), mes_example: `<START>\n{{user}}: ${INJECTION}\n{{char}}: ${INJECTION}`,
      creator_notes: p('creator_notes'), system_prompt: p('system_prompt'), post_history_instructions: p('post_history_instructions'),
      alternate_greetings: [p('greeting')], tags: [p('tag')], creator: p('creator'), character_version: p('version'),
      extensions: { note: p('extension') },
      character_book: { name: p('book'), extensions: {}, entries: [{ id: 1, keys: [p('key')], content: p('entry'), enabled: true, insertion_order: 1, extensions: {} }] },
    },
  };
}

/** A zTXt (compressed) or iTXt text chunk, as other card writers store `chara`. */
export function compressedText(kind: 'zTXt' | 'iTXt', keyword: string, value: string, options: { brokenStream?: boolean } = {}): Uint8Array {
  const body = options.brokenStream ? garbage(64) : new Uint8Array(deflateSync(utf8(value)));
  if (kind === 'zTXt') return chunk('zTXt', u8(keyword, [0, 0], body));
  return chunk('iTXt', u8(keyword, [0, 1, 0, 0, 0], body));
}

// ---- packs -------------------------------------------------------------------------------------

export const HARUHI = {
  'system_prompt.txt': 'You are Hostile Haruhi.',
  'texts/001.txt': 'Haruhi:「Hello」\nKyon:「Hi」',
};

/** A Hearth pack (format "hearth-pack", version 1); `over` replaces top-level fields. */
export function hearthPack(over: Record<string, unknown> = {}, scene: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format: 'hearth-pack',
    version: 1,
    character: { name: 'Pack Pia', description: 'From a pack.' },
    scenes: [{ title: 'One', text: 'Pia:「Hi」', ...scene }],
    ...over,
  };
}

/** Base64 of little-endian float32 values. */
export function floats(values: number[]): string {
  const bytes = new Uint8Array(new Float32Array(values).buffer);
  return Buffer.from(bytes).toString('base64');
}

/** Base64 of big-endian float32 values, as ChatHaruhi JSONL embedding columns hold them. */
export function bigEndianFloats(values: number[]): string {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((v, i) => view.setFloat32(i * 4, v, false));
  return Buffer.from(view.buffer).toString('base64');
}

// ---- backups -----------------------------------------------------------------------------------

const BACKUP_META = { appVersion: '0.1.0', databaseVersion: 1, createdAt: 1_700_000_000_000 };

function character(id: string, name: string): Character {
  return {
    id, name, nickname: '', avatar: '', shortDescription: '', description: `${name} from a backup.`, personality: '', scenario: '',
    firstMessage: 'Hi.', alternateGreetings: [], exampleDialogue: '', systemPrompt: '', postHistoryInstructions: '', creatorNotes: '',
    tags: [], creator: '', characterVersion: '1', catchphrases: [], language: 'en', origin: 'user', extensions: {}, createdAt: 1, updatedAt: 1,
  };
}

/**
 * A small whole database: a character with a scene (a real vector), a conversation of two messages,
 * a persona, a lorebook and a setting. `prefix` keeps ids apart (the seed and a backup use different ones).
 */
export function sampleRows(prefix: string): BackupRows {
  const charId = `${prefix}-char`;
  const chatId = `${prefix}-chat`;
  const scene: Scene = {
    id: `${prefix}-scene`, characterId: charId, title: 'Scene', text: 'A:「Hi」', lines: [{ speaker: 'A', text: 'Hi' }], tokens: 4, source: 'pack',
    vectors: [{ model: 'bag', dim: 2, data: new Float32Array([0.5, -1]).buffer }],
  };
  const conversation: Conversation = { id: chatId, characterId: charId, title: 'Chat', leafId: `${prefix}-m2`, createdAt: 1, updatedAt: 1, messageCount: 2 };
  const message = (n: number, parentId: string | null, role: Message['role']): Message => ({
    id: `${prefix}-m${n}`, conversationId: chatId, parentId, role, content: `message ${n}`, revisions: [], status: 'done', createdAt: n, updatedAt: n,
  });
  const persona: Persona = { id: `${prefix}-me`, name: 'Me', description: '', isDefault: true, createdAt: 1, updatedAt: 1 };
  const book: StoredLorebook = {
    id: `${prefix}-book`, sourceName: 'world.json', enabled: true, createdAt: 1, updatedAt: 1,
    book: { name: 'World', extensions: {}, entries: [{ id: 1, keys: ['moon'], secondaryKeys: [], content: 'The moon.', enabled: true, insertionOrder: 1, extensions: {} }] },
  };
  return {
    characters: [character(charId, `${prefix} character`)],
    scenes: [scene],
    conversations: [conversation],
    messages: [message(1, null, 'user'), message(2, `${prefix}-m1`, 'assistant')],
    memories: [{ id: `${prefix}-pin`, conversationId: chatId, kind: 'pin', text: 'A fact.', createdAt: 1, updatedAt: 1, messageId: `${prefix}-m1` }],
    evalRuns: [],
    personas: [persona],
    lorebooks: [book],
    settings: [{ key: `${prefix}.setting`, value: { on: true } }],
  };
}

/** The files of a valid backup of `rows`, by name (manifest.json and tables/<table>/0000.json). */
export function backupFiles(rows: BackupRows = sampleRows('b')): Record<string, Uint8Array> {
  return unzipSync(writeBackup(rows, BACKUP_META).bytes);
}

/** A backup zip from its files, each entry adjustable (`tweak` returns the entry to write). */
export function backupZip(
  files: Record<string, Uint8Array | string>,
  tweak: (entry: HostileZipEntry) => HostileZipEntry = (e) => e,
  options: HostileZipOptions = {},
): Uint8Array {
  return hostileZip(entriesOf(files).map(tweak), options);
}

/** A backup whose JSON text of one file is changed by `edit` (the manifest's row counts are left alone). */
export function editedBackup(name: string, edit: (value: unknown) => unknown): Uint8Array {
  const files = backupFiles();
  files[name] = utf8(JSON.stringify(edit(JSON.parse(new TextDecoder().decode(files[name])))));
  return backupZip(files);
}
