// The hostile-input catalogue: every kind of bad file the app must refuse with a specific reason
// (and nothing stored changed), or accept with a specific warning, or accept as plain data (and
// nothing that was there changed). Each kind builds its bytes in code; the unit suite runs them all
// (hostile.test.ts), the e2e spec runs a representative few through the real UI (test/e2e/hostile.spec.ts).

import {
  b64json, backupFiles, bigEndianFloats, backupZip, cardChunk, cardV2, chunk, compressedText, deepArrayText, deepCard, deflatedZeros, editedBackup,
  entriesOf, floats, garbage, HARUHI, hearthPack, hostileZip, idat, iend, ihdr, injectionCard, INJECTION, json, png, sampleRows, SIG, text, u8,
  utf16, utf8, type HostileZipEntry,
} from './generators';

export type HostileFormat = 'card' | 'png' | 'charx' | 'zip' | 'pack' | 'lorebook' | 'backup';

/**
 * Where the file goes: the Characters page import (cards, packs, lorebooks), or Settings → Restore
 * in replace mode (everything here is deleted first when the backup is good) or merge mode.
 */
export type HostileRoute = 'import' | 'restore-replace' | 'restore-merge';

export type HostileExpectation =
  /** Refused with this reason (ImportFailure.reason or BackupError.reason); nothing stored changes. */
  | { reason: string; message?: RegExp }
  /** Accepted, with a warning matching this (an import warning, or a lorebook warning when the book is used). */
  | { warning: RegExp }
  /** Accepted as data: `check` inspects what was added (returns a problem, or null). */
  | { accepted: true; check?: (added: AddedRows) => string | null };

/** Rows the accepted file added, by table. */
export type AddedRows = Record<string, Record<string, unknown>[]>;

export interface HostileKind {
  /** One line saying what is hostile about it; unique. */
  kind: string;
  format: HostileFormat;
  route: HostileRoute;
  /** The file name as picked. */
  name: string;
  make: () => Uint8Array;
  expect: HostileExpectation;
}

const zipOf = (files: Record<string, string | Uint8Array>, tweak: (e: HostileZipEntry) => HostileZipEntry = (e) => e) =>
  hostileZip(entriesOf(files).map(tweak));
const only = (target: string, change: Partial<HostileZipEntry>) => (e: HostileZipEntry) => (e.name === target ? { ...e, ...change } : e);
const cardJson = JSON.stringify(cardV2());
const charx = (files: Record<string, string | Uint8Array> = {}) => ({ 'card.json': cardJson, ...files });
const pngCard = (card: unknown = cardV2()) => png(cardChunk('chara', card));
/** Cut `bytes` to `fraction` of its length. */
const cut = (bytes: Uint8Array, fraction: number) => bytes.slice(0, Math.floor(bytes.length * fraction));
const invisible = '\u200b\u2060\ufeff\u200d';
/** Markup a file name can carry (no `/`, which no file name holds). */
/** A pack whose own text names no one (an unnamed prompt, narration only), so its file name names the character. */
const NAMELESS = { 'system_prompt.txt': 'Stay in character.', 'texts/001.txt': '旁白:夜深了。' };
export const NAME_INJECTION = '<img src=x onerror="window.__hostile=4">';

/** How many strings in `value` (any JSON-like tree) hold `needle`, exactly as written. */
function holds(value: unknown, needle: string): number {
  if (typeof value === 'string') return value.includes(needle) ? 1 : 0;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + holds(v, needle), 0);
  if (value && typeof value === 'object') return Object.values(value).reduce((n: number, v) => n + holds(v, needle), 0);
  return 0;
}

/** The stored field -> the card field whose text (its name, a space, the payload) it holds. */
const INJECTED_FIELDS: Record<string, string> = {
  name: 'name', nickname: 'nickname', description: 'description', personality: 'personality', scenario: 'scenario',
  firstMessage: 'first_mes', creatorNotes: 'creator_notes', systemPrompt: 'system_prompt',
  postHistoryInstructions: 'post_history_instructions', creator: 'creator', characterVersion: 'version',
};

/** Every text field of the injection card came through as the same text (no escaping, no stripping). */
function keptVerbatim(added: AddedRows): string | null {
  const [c] = added.characters ?? [];
  if (!c) return 'no character was added';
  for (const [field, cardField] of Object.entries(INJECTED_FIELDS)) {
    if (c[field] !== `${cardField} ${INJECTION}`) return `${field} is ${JSON.stringify(c[field])}`;
  }
  const found = holds(c, INJECTION);
  // The 11 fields above, the example dialogue, a greeting, a tag, an extension, the book's name, key and entry.
  return found >= 18 ? null : `the payload survives in only ${found} places`;
}

/** The prototype was not touched, and the `__proto__` key was kept as plain data. */
function protoKeptAsData(added: AddedRows): string | null {
  if (({} as Record<string, unknown>).polluted !== undefined) return 'Object.prototype was polluted';
  const rows = [...(added.characters ?? []), ...(added.lorebooks ?? [])];
  if (rows.length === 0) return 'nothing was added';
  return rows.some((row) => Object.getPrototypeOf(row) === Object.prototype) ? null : 'a row has a foreign prototype';
}

/** An added character's avatar cannot make a request leave the device. */
function noRemoteAvatar(added: AddedRows): string | null {
  const [c] = added.characters ?? [];
  if (!c) return 'no character was added';
  return c.avatar === '' || String(c.avatar).startsWith('data:image/') ? null : `the avatar is ${JSON.stringify(c.avatar)}`;
}

/** The added lorebook shows a name a person can see: its file's, as the book's own shows nothing. */
const namedAfterFile = (stem: string) => (added: AddedRows): string | null => {
  const name = (added.lorebooks?.[0]?.book as { name?: string } | undefined)?.name;
  return name === stem ? null : `the book is named ${JSON.stringify(name)}`;
};

/** A ChatHaruhi JSONL pack of two stories, the first with `vector` in its bge-small-en column. */
const haruhiJsonl = (vector: string) =>
  utf8(`${JSON.stringify({ text: 'A:「x」', bge_en_s15: vector })}\n${JSON.stringify({ text: 'B:「y」' })}\n`);

/** A lorebook_v3 file with one regex entry per key. */
const loreBook = (keys: string[]) =>
  json({ spec: 'lorebook_v3', data: { entries: keys.map((key, i) => ({ id: i, keys: [key], content: 'x', enabled: true, insertion_order: 1, use_regex: true, extensions: {} })) } });

const deepObjectText = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

/** A backup whose character row holds `deep` (JSON text) in its extensions. */
function deepBackup(deep: string): Uint8Array {
  const files = backupFiles();
  const part = 'tables/characters/0000.json';
  return backupZip({ ...files, [part]: new TextDecoder().decode(files[part]).replace('"extensions":{}', `"extensions":{"deep":${deep}}`) });
}

export const HOSTILE_KINDS: readonly HostileKind[] = [
  // ---- card JSON ------------------------------------------------------------------------------
  { kind: 'empty file', format: 'card', route: 'import', name: 'empty.json', make: () => new Uint8Array(0), expect: { reason: 'not-a-card', message: /empty/ } },
  { kind: 'only whitespace', format: 'card', route: 'import', name: 'blank.txt', make: () => utf8(' \n\t \r\n'), expect: { reason: 'not-a-card' } },
  { kind: 'binary garbage', format: 'card', route: 'import', name: 'noise.bin', make: () => garbage(4096), expect: { reason: 'not-a-card' } },
  { kind: 'binary garbage named .json', format: 'card', route: 'import', name: 'noise.json', make: () => garbage(4096, 11), expect: { reason: 'invalid-json' } },
  { kind: 'truncated JSON card', format: 'card', route: 'import', name: 'cut.json', make: () => cut(json(cardV2()), 0.6), expect: { reason: 'invalid-json' } },
  { kind: 'JSON null', format: 'card', route: 'import', name: 'null.json', make: () => utf8('null'), expect: { reason: 'not-a-card' } },
  { kind: 'JSON list of numbers', format: 'card', route: 'import', name: 'list.json', make: () => utf8('[1,2,3]'), expect: { reason: 'not-a-card' } },
  { kind: 'JSON string', format: 'card', route: 'import', name: 'string.json', make: () => utf8('"a card"'), expect: { reason: 'not-a-card' } },
  { kind: 'lists nested 10,000 levels deep', format: 'card', route: 'import', name: 'deep.json', make: () => utf8(deepArrayText(10_000)), expect: { reason: 'too-deep' } },
  { kind: 'objects nested 10,000 levels deep', format: 'card', route: 'import', name: 'deep-object.json', make: () => utf8(deepObjectText(10_000)), expect: { reason: 'too-deep' } },
  { kind: 'card extensions nested 10,000 levels deep', format: 'card', route: 'import', name: 'deep-card.json', make: () => deepCard(10_000), expect: { reason: 'too-deep' } },
  { kind: 'unknown card spec', format: 'card', route: 'import', name: 'v9.json', make: () => json({ ...cardV2(), spec: 'chara_card_v9' }), expect: { reason: 'unsupported-version' } },
  { kind: 'card spec that is a number', format: 'card', route: 'import', name: 'spec-number.json', make: () => json({ ...cardV2(), spec: 2 }), expect: { reason: 'unsupported-version' } },
  { kind: 'card without a name', format: 'card', route: 'import', name: 'nameless.json', make: () => json(cardV2({ name: undefined })), expect: { reason: 'not-a-card' } },
  { kind: 'name made only of invisible characters', format: 'card', route: 'import', name: 'invisible.json', make: () => json(cardV2({ name: invisible })), expect: { reason: 'not-a-card', message: /no name/ } },
  { kind: 'name made only of spaces and bidi marks', format: 'card', route: 'import', name: 'bidi.json', make: () => json(cardV2({ name: ' \u200e\u200f\u202a\u202c\u3000 ' })), expect: { reason: 'not-a-card', message: /no name/ } },
  { kind: 'spec says V2 but no data object', format: 'card', route: 'import', name: 'no-data.json', make: () => json({ spec: 'chara_card_v2', spec_version: '2.0' }), expect: { reason: 'not-a-card' } },
  { kind: 'invalid UTF-8 inside JSON', format: 'card', route: 'import', name: 'latin1.json', make: () => u8('{"spec":"chara_card_v2","data":{"name":"', [0xff, 0xfe, 0xc3], '"}}'), expect: { reason: 'invalid-json' } },
  { kind: 'NUL bytes inside JSON', format: 'card', route: 'import', name: 'nul.json', make: () => u8('{"name":"a', [0], '"}'), expect: { reason: 'invalid-json' } },
  { kind: 'UTF-16 with an odd byte count', format: 'card', route: 'import', name: 'odd16.json', make: () => u8(utf16(cardJson, 'le'), [0x20]), expect: { reason: 'invalid-json' } },
  { kind: 'UTF-8 BOM before a card', format: 'card', route: 'import', name: 'bom.json', make: () => u8([0xef, 0xbb, 0xbf], json(cardV2())), expect: { accepted: true } },
  { kind: 'UTF-16 LE card with BOM', format: 'card', route: 'import', name: 'utf16le.json', make: () => utf16(cardJson, 'le'), expect: { accepted: true } },
  { kind: 'UTF-16 BE card with BOM', format: 'card', route: 'import', name: 'utf16be.json', make: () => utf16(cardJson, 'be'), expect: { accepted: true } },
  { kind: 'card avatar URL on another host', format: 'card', route: 'import', name: 'remote-avatar.json', make: () => json({ ...cardV2(), avatar: 'https://tracker.example/pixel.png' }), expect: { accepted: true, check: noRemoteAvatar } },
  { kind: 'a 51 MB description', format: 'card', route: 'import', name: 'huge.json', make: () => json(cardV2({ description: 'x'.repeat(51 * 1024 * 1024) })), expect: { reason: 'too-large' } },
  { kind: 'script injection in every text field', format: 'card', route: 'import', name: 'inject.json', make: () => json(injectionCard()), expect: { accepted: true, check: keptVerbatim } },
  { kind: '__proto__ key at the top of a card', format: 'card', route: 'import', name: 'proto.json', make: () => utf8(`{"__proto__":{"polluted":1},${cardJson.slice(1)}`), expect: { accepted: true, check: protoKeptAsData } },
  { kind: '__proto__ key in card extensions', format: 'card', route: 'import', name: 'proto-ext.json', make: () => utf8(JSON.stringify(cardV2({ extensions: { x: 1 } })).replace('"x":1', '"__proto__":{"polluted":1}')), expect: { accepted: true, check: protoKeptAsData } },
  { kind: 'constructor.prototype keys in a card', format: 'card', route: 'import', name: 'ctor.json', make: () => json(cardV2({ extensions: { constructor: { prototype: { polluted: 1 } } } })), expect: { accepted: true, check: protoKeptAsData } },
  { kind: 'description that is an object', format: 'card', route: 'import', name: 'object-field.json', make: () => json(cardV2({ description: { html: '<b>' } })), expect: { warning: /'data.description' is an object, not text; it was ignored/ } },
  { kind: 'alternate greetings that are not a list', format: 'card', route: 'import', name: 'greetings.json', make: () => json(cardV2({ alternate_greetings: { first: 'hi' } })), expect: { warning: /not a list/ } },
  { kind: 'character book that is a string', format: 'card', route: 'import', name: 'book-string.json', make: () => json(cardV2({ character_book: 'lore' })), expect: { warning: /not a lorebook/ } },
  { kind: 'catastrophic regex key in a card book', format: 'card', route: 'import', name: 'regex-card.json', make: () => json(cardV2({ character_book: { extensions: {}, entries: [{ id: 1, keys: ['/(a|a)*b/'], content: 'x', enabled: true, insertion_order: 1, use_regex: true, extensions: {} }] } })), expect: { warning: /unsafe-regex/ } },

  // ---- PNG ------------------------------------------------------------------------------------
  { kind: 'PNG signature only', format: 'png', route: 'import', name: 'sig.png', make: () => SIG.slice(), expect: { reason: 'bad-png' } },
  { kind: 'wrong magic in a .png file', format: 'png', route: 'import', name: 'fake.png', make: () => utf8('GIF89a not really'), expect: { reason: 'not-a-card' } },
  { kind: 'text named .png without a signature', format: 'png', route: 'import', name: 'text.png', make: () => utf8('just words in a file'), expect: { reason: 'bad-png', message: /signature/ } },
  { kind: 'truncated PNG card', format: 'png', route: 'import', name: 'cut.png', make: () => cut(pngCard(), 0.7), expect: { reason: 'bad-png' } },
  { kind: 'wrong CRC on the card chunk', format: 'png', route: 'import', name: 'crc.png', make: () => png(chunk('tEXt', u8('chara', [0], b64json(cardV2())), { badCrc: true })), expect: { reason: 'bad-png', message: /CRC|checksum/i } },
  { kind: 'wrong CRC on IHDR', format: 'png', route: 'import', name: 'crc-ihdr.png', make: () => { const b = pngCard(); b[29] ^= 0xff; return b; }, expect: { reason: 'bad-png' } },
  { kind: 'first chunk is not IHDR', format: 'png', route: 'import', name: 'order.png', make: () => u8(SIG, idat(), ihdr(), cardChunk('chara', cardV2()), iend()), expect: { reason: 'bad-png', message: /IHDR/ } },
  { kind: 'chunk length past the end of the file', format: 'png', route: 'import', name: 'length.png', make: () => png(chunk('tEXt', u8('chara', [0], b64json(cardV2())), { length: 0x7ffffff0 })), expect: { reason: 'bad-png' } },
  { kind: 'chunk type of non-letters', format: 'png', route: 'import', name: 'type.png', make: () => { const b = pngCard(); b[37] = 0x31; return b; }, expect: { reason: 'bad-png' } },
  { kind: 'PNG without card data', format: 'png', route: 'import', name: 'plain.png', make: () => png(), expect: { reason: 'not-a-card' } },
  { kind: 'card chunk of broken base64', format: 'png', route: 'import', name: 'b64.png', make: () => png(text('chara', 'ey!!!not base64***')), expect: { reason: 'bad-base64' } },
  { kind: 'empty card chunk', format: 'png', route: 'import', name: 'empty-chunk.png', make: () => png(text('chara', '')), expect: { reason: 'bad-base64' } },
  { kind: 'card chunk holding base64 of non-JSON', format: 'png', route: 'import', name: 'not-json.png', make: () => png(text('chara', Buffer.from('hello there').toString('base64'))), expect: { reason: 'invalid-json' } },
  { kind: 'card chunk nested 10,000 levels deep', format: 'png', route: 'import', name: 'deep.png', make: () => png(text('chara', Buffer.from(deepCard(10_000)).toString('base64'))), expect: { reason: 'too-deep' } },
  { kind: 'card in a zTXt chunk', format: 'png', route: 'import', name: 'ztxt.png', make: () => png(compressedText('zTXt', 'chara', b64json(cardV2()))), expect: { accepted: true } },
  { kind: 'card in a compressed iTXt chunk', format: 'png', route: 'import', name: 'itxt.png', make: () => png(compressedText('iTXt', 'ccv3', b64json({ ...cardV2(), spec: 'chara_card_v3', spec_version: '3.0' }))), expect: { accepted: true } },
  { kind: 'zTXt card chunk that does not inflate', format: 'png', route: 'import', name: 'ztxt-bad.png', make: () => png(compressedText('zTXt', 'chara', '', { brokenStream: true })), expect: { reason: 'bad-png' } },
  { kind: 'two chara chunks', format: 'png', route: 'import', name: 'twice.png', make: () => png(cardChunk('chara', cardV2()), cardChunk('chara', cardV2({ name: 'Other' }))), expect: { warning: /more than one 'chara'/ } },
  { kind: 'broken ccv3 beside a good chara', format: 'png', route: 'import', name: 'fallback.png', make: () => png(text('ccv3', '%%%'), cardChunk('chara', cardV2())), expect: { warning: /'chara' chunk was used instead/ } },
  { kind: 'card chunk holding a JSON list', format: 'png', route: 'import', name: 'list.png', make: () => png(cardChunk('chara', [1, 2])), expect: { reason: 'not-a-card' } },
  { kind: 'JPEG without card data', format: 'png', route: 'import', name: 'photo.jpg', make: () => u8([0xff, 0xd8, 0xff, 0xe0], garbage(200)), expect: { reason: 'not-a-card', message: /JPEG/ } },
  { kind: 'embedded asset chunk of broken base64', format: 'png', route: 'import', name: 'asset.png', make: () => png(cardChunk('chara', cardV2()), text('chara-ext-asset_:0', '***')), expect: { warning: /not valid base64 and was skipped/ } },

  // ---- CHARX ----------------------------------------------------------------------------------
  { kind: 'CHARX without card.json', format: 'charx', route: 'import', name: 'empty.charx', make: () => zipOf({ 'readme.txt': 'hi' }), expect: { reason: 'not-a-card' } },
  { kind: 'CHARX card.json that is not JSON', format: 'charx', route: 'import', name: 'broken.charx', make: () => zipOf({ 'card.json': '{"spec":' }), expect: { reason: 'invalid-json' } },
  { kind: 'CHARX entry climbing out with ../', format: 'charx', route: 'import', name: 'climb.charx', make: () => zipOf(charx({ '../../evil.txt': 'x' })), expect: { reason: 'unsafe-path' } },
  { kind: 'CHARX entry with an absolute path', format: 'charx', route: 'import', name: 'abs.charx', make: () => zipOf(charx({ '/etc/passwd': 'x' })), expect: { reason: 'unsafe-path' } },
  { kind: 'CHARX entry with backslashes', format: 'charx', route: 'import', name: 'backslash.charx', make: () => zipOf(charx({ '..\\..\\evil.txt': 'x' })), expect: { reason: 'unsafe-path' } },
  { kind: 'CHARX entry with a drive letter', format: 'charx', route: 'import', name: 'drive.charx', make: () => zipOf(charx({ 'C:/Windows/evil.txt': 'x' })), expect: { reason: 'unsafe-path' } },
  { kind: 'CHARX entry with control characters', format: 'charx', route: 'import', name: 'control.charx', make: () => zipOf(charx({ 'assets/a\u0007b.png': 'x' })), expect: { reason: 'unsafe-path' } },
  { kind: 'CHARX with card.json twice', format: 'charx', route: 'import', name: 'dup.charx', make: () => hostileZip([{ name: 'card.json', data: cardJson }, { name: 'card.json', data: JSON.stringify(cardV2({ name: 'Second' })) }]), expect: { warning: /'card.json' more than once/ } },
  { kind: 'CHARX with an encrypted entry', format: 'charx', route: 'import', name: 'locked.charx', make: () => zipOf(charx(), only('card.json', { flags: 0x801 })), expect: { reason: 'bad-zip', message: /encrypted/ } },
  { kind: 'CHARX with a wrong CRC', format: 'charx', route: 'import', name: 'crc.charx', make: () => zipOf(charx(), only('card.json', { crc: 0x12345678 })), expect: { reason: 'bad-zip' } },
  { kind: 'truncated CHARX', format: 'charx', route: 'import', name: 'cut.charx', make: () => cut(zipOf(charx({ 'assets/a.txt': 'a'.repeat(500) })), 0.5), expect: { reason: 'bad-zip' } },
  { kind: 'CHARX zip bomb (inflates past its declared size)', format: 'charx', route: 'import', name: 'bomb.charx', make: () => zipOf(charx({ 'assets/bomb.bin': '' }), only('assets/bomb.bin', { raw: deflatedZeros(20 * 1024 * 1024), declaredSize: 1000, crc: 0 })), expect: { reason: 'zip-too-large', message: /more than the 1000 bytes it declares/ } },
  { kind: 'CHARX entry declaring 3 GB', format: 'charx', route: 'import', name: 'huge.charx', make: () => zipOf(charx({ 'assets/big.bin': 'x' }), only('assets/big.bin', { declaredSize: 3_000_000_000 })), expect: { reason: 'zip-too-large' } },
  { kind: 'CHARX declaring 100,000 entries', format: 'charx', route: 'import', name: 'many.charx', make: () => hostileZip(entriesOf(charx()), { declaredEntries: 100_000 }), expect: { reason: 'zip-too-many-entries' } },
  { kind: 'CHARX with an unknown compression method', format: 'charx', route: 'import', name: 'method.charx', make: () => zipOf(charx(), only('card.json', { method: 99 })), expect: { reason: 'bad-zip', message: /method 99/ } },
  { kind: 'CHARX with a damaged ZIP64 end record', format: 'charx', route: 'import', name: 'z64.charx', make: () => hostileZip(entriesOf(charx()), { zip64Damaged: true }), expect: { reason: 'bad-zip', message: /ZIP64/ } },
  { kind: 'CHARX with card.json in a folder', format: 'charx', route: 'import', name: 'nested.charx', make: () => zipOf({ 'inner/card.json': cardJson }), expect: { warning: /instead of the archive root/ } },
  { kind: 'CHARX asset pointing at a missing file', format: 'charx', route: 'import', name: 'asset.charx', make: () => zipOf({ 'card.json': JSON.stringify({ ...cardV2({ assets: [{ type: 'icon', uri: 'embeded://assets/none.png', name: 'main', ext: 'png' }] }), spec: 'chara_card_v3', spec_version: '3.0' }) }), expect: { warning: /does not contain/ } },
  { kind: 'CHARX icon asset on another host', format: 'charx', route: 'import', name: 'remote.charx', make: () => zipOf({ 'card.json': JSON.stringify({ ...cardV2({ assets: [{ type: 'icon', uri: 'https://tracker.example/a.png', name: 'main', ext: 'png' }] }), spec: 'chara_card_v3', spec_version: '3.0' }) }), expect: { accepted: true, check: noRemoteAvatar } },
  { kind: '.charx name on bytes that are not a zip', format: 'charx', route: 'import', name: 'text.charx', make: () => utf8('plain words'), expect: { reason: 'bad-zip', message: /signature/ } },

  // ---- zip packs ------------------------------------------------------------------------------
  { kind: 'pack zip climbing out with ../', format: 'zip', route: 'import', name: 'climb.zip', make: () => zipOf({ ...HARUHI, '../evil.txt': 'x' }), expect: { reason: 'unsafe-path' } },
  { kind: 'pack zip with an absolute path', format: 'zip', route: 'import', name: 'abs.zip', make: () => zipOf({ ...HARUHI, '/tmp/evil.txt': 'x' }), expect: { reason: 'unsafe-path' } },
  { kind: 'pack zip climbing out with backslashes', format: 'zip', route: 'import', name: 'backslash.zip', make: () => zipOf({ ...HARUHI, '..\\..\\evil.txt': 'x' }), expect: { reason: 'unsafe-path' } },
  { kind: 'pack zip with a drive letter', format: 'zip', route: 'import', name: 'drive.zip', make: () => zipOf({ ...HARUHI, 'D:\\evil.txt': 'x' }), expect: { reason: 'unsafe-path' } },
  { kind: 'pack zip bomb (inflates past its declared size)', format: 'zip', route: 'import', name: 'bomb.zip', make: () => zipOf({ ...HARUHI, 'texts/002.txt': '' }, only('texts/002.txt', { raw: deflatedZeros(20 * 1024 * 1024), declaredSize: 1000, crc: 0 })), expect: { reason: 'zip-too-large' } },
  { kind: 'pack zip entry declaring 3 GB', format: 'zip', route: 'import', name: 'declared.zip', make: () => zipOf(HARUHI, only('texts/001.txt', { declaredSize: 3_000_000_000 })), expect: { reason: 'zip-too-large' } },
  { kind: 'pack zip declaring 600 MB in all', format: 'zip', route: 'import', name: 'total.zip', make: () => zipOf(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`texts/${i}.txt`, 'x'])), (e) => ({ ...e, declaredSize: 60 * 1024 * 1024 })), expect: { reason: 'zip-too-large' } },
  { kind: 'pack zip declaring 100,000 entries (ZIP64)', format: 'zip', route: 'import', name: 'many.zip', make: () => hostileZip(entriesOf(HARUHI), { declaredEntries: 100_000 }), expect: { reason: 'zip-too-many-entries' } },
  { kind: 'pack zip with an encrypted entry', format: 'zip', route: 'import', name: 'locked.zip', make: () => zipOf(HARUHI, only('texts/001.txt', { flags: 0x801 })), expect: { reason: 'bad-zip', message: /encrypted/ } },
  { kind: 'pack zip with a wrong CRC', format: 'zip', route: 'import', name: 'crc.zip', make: () => zipOf(HARUHI, only('texts/001.txt', { crc: 1 })), expect: { reason: 'bad-zip', message: /CRC/ } },
  { kind: 'truncated pack zip', format: 'zip', route: 'import', name: 'cut.zip', make: () => cut(zipOf(HARUHI), 0.5), expect: { reason: 'bad-zip' } },
  { kind: 'zip of only an end record', format: 'zip', route: 'import', name: 'hollow.zip', make: () => hostileZip([]), expect: { reason: 'not-a-pack' } },
  { kind: 'zip of unrelated files', format: 'zip', route: 'import', name: 'photos.zip', make: () => zipOf({ 'a.jpg': garbage(50), 'notes.md': '# hi' }), expect: { reason: 'not-a-pack' } },
  { kind: 'split zip (disk number set)', format: 'zip', route: 'import', name: 'split.zip', make: () => hostileZip(entriesOf(HARUHI), { disk: 1 }), expect: { reason: 'bad-zip', message: /split/ } },
  { kind: 'pack zip with a damaged ZIP64 end record', format: 'zip', route: 'import', name: 'z64.zip', make: () => hostileZip(entriesOf(HARUHI), { zip64Damaged: true }), expect: { reason: 'bad-zip', message: /ZIP64/ } },
  { kind: 'pack zip with a valid ZIP64 end record', format: 'zip', route: 'import', name: 'zip64.zip', make: () => hostileZip(entriesOf(HARUHI), { zip64: true }), expect: { accepted: true } },
  { kind: 'pack zip with an unknown compression method', format: 'zip', route: 'import', name: 'method.zip', make: () => zipOf(HARUHI, only('texts/001.txt', { method: 12 })), expect: { reason: 'bad-zip', message: /method 12/ } },
  { kind: 'pack zip whose stored entry lies about its size', format: 'zip', route: 'import', name: 'stored.zip', make: () => zipOf(HARUHI, only('texts/001.txt', { method: 0, declaredSize: 3 })), expect: { reason: 'bad-zip' } },
  { kind: 'pack zip whose directory points past its start', format: 'zip', route: 'import', name: 'shift.zip', make: () => hostileZip(entriesOf(HARUHI), { directoryShift: 1_000_000 }), expect: { reason: 'bad-zip' } },
  { kind: 'pack zip with a story file twice', format: 'zip', route: 'import', name: 'dup.zip', make: () => hostileZip([...entriesOf(HARUHI), { name: 'texts/001.txt', data: 'Kyon:「Again」' }]), expect: { warning: /a second file with the same name/ } },
  { kind: 'pack zip with a binary story file', format: 'zip', route: 'import', name: 'binary.zip', make: () => zipOf({ ...HARUHI, 'texts/002.txt': u8([0, 1, 2, 0xff, 0]) }), expect: { warning: /texts\/002.txt: skipped/ } },
  { kind: 'zip holding two packs', format: 'zip', route: 'import', name: 'two.zip', make: () => zipOf({ 'a/system_prompt.txt': 'A', 'a/texts/1.txt': 'A:「x」', 'b/system_prompt.txt': 'B', 'b/texts/1.txt': 'B:「y」' }), expect: { reason: 'not-a-pack', message: /several ChatHaruhi packs/ } },
  { kind: 'pack zip whose file name is markup', format: 'zip', route: 'import', name: `${NAME_INJECTION}.zip`, make: () => zipOf(NAMELESS), expect: { accepted: true, check: (added) => (added.characters?.[0]?.name === NAME_INJECTION ? null : `named ${JSON.stringify(added.characters?.[0]?.name)}`) } },
  { kind: 'pack named only with invisible characters', format: 'zip', route: 'import', name: `${invisible}.zip`, make: () => zipOf(NAMELESS), expect: { accepted: true, check: (added) => (added.characters?.[0]?.name === 'ChatHaruhi character' ? null : `named ${JSON.stringify(added.characters?.[0]?.name)}`) } },

  // ---- packs: Hearth pack JSON and JSONL ------------------------------------------------------
  { kind: 'Hearth pack of a newer version', format: 'pack', route: 'import', name: 'newer.hearth.json', make: () => json(hearthPack({ version: 99 })), expect: { reason: 'unsupported-version' } },
  { kind: 'Hearth pack version as text', format: 'pack', route: 'import', name: 'version.hearth.json', make: () => json(hearthPack({ version: '1' })), expect: { reason: 'wrong-shape' } },
  { kind: 'Hearth pack vector with NaN', format: 'pack', route: 'import', name: 'nan.hearth.json', make: () => json(hearthPack({}, { vectors: [{ model: 'bag', dim: 2, base64: floats([NaN, 1]) }] })), expect: { warning: /vector dropped/ } },
  { kind: 'Hearth pack vector with Infinity', format: 'pack', route: 'import', name: 'inf.hearth.json', make: () => json(hearthPack({}, { vectors: [{ model: 'bag', dim: 2, base64: floats([1, -Infinity]) }] })), expect: { warning: /vector dropped/ } },
  { kind: 'Hearth pack vector of the wrong length', format: 'pack', route: 'import', name: 'dim.hearth.json', make: () => json(hearthPack({}, { vectors: [{ model: 'bag', dim: 3, base64: floats([1, 2]) }] })), expect: { reason: 'wrong-shape', message: /dimension 3/ } },
  { kind: 'Hearth pack vector of broken base64', format: 'pack', route: 'import', name: 'b64.hearth.json', make: () => json(hearthPack({}, { vectors: [{ model: 'bag', dim: 2, base64: '!!!!' }] })), expect: { reason: 'bad-base64' } },
  { kind: 'Hearth pack without a character', format: 'pack', route: 'import', name: 'nochar.hearth.json', make: () => json(hearthPack({ character: undefined })), expect: { reason: 'wrong-shape' } },
  { kind: 'Hearth pack with an invisible name', format: 'pack', route: 'import', name: 'invisible.hearth.json', make: () => json(hearthPack({ character: { name: invisible } })), expect: { reason: 'wrong-shape', message: /character.name/ } },
  { kind: 'Hearth pack avatar of type text/html', format: 'pack', route: 'import', name: 'html.hearth.json', make: () => json(hearthPack({ avatar: { mime: 'text/html', base64: 'PHNjcmlwdD4=' } })), expect: { reason: 'wrong-shape', message: /avatar.mime/ } },
  { kind: 'Hearth pack scenes that are not a list', format: 'pack', route: 'import', name: 'scenes.hearth.json', make: () => json(hearthPack({ scenes: { a: 1 } })), expect: { reason: 'wrong-shape' } },
  { kind: 'Hearth pack with negative tokens', format: 'pack', route: 'import', name: 'tokens.hearth.json', make: () => json(hearthPack({}, { tokens: -5 })), expect: { reason: 'wrong-shape' } },
  { kind: 'Hearth pack nested 10,000 levels deep', format: 'pack', route: 'import', name: 'deep.hearth.json', make: () => utf8(JSON.stringify(hearthPack({ character: { name: 'D', extensions: { d: 0 } } })).replace('"d":0', `"d":${deepArrayText(10_000)}`)), expect: { reason: 'too-deep' } },
  { kind: 'Hearth pack avatar URL on another host', format: 'pack', route: 'import', name: 'remote.hearth.json', make: () => json(hearthPack({ character: { name: 'P', avatar: 'https://tracker.example/a.png' } })), expect: { accepted: true, check: noRemoteAvatar } },
  { kind: 'Hearth pack javascript: avatar', format: 'pack', route: 'import', name: 'js.hearth.json', make: () => json(hearthPack({ character: { name: 'P', avatar: 'javascript:window.__hostile=3' } })), expect: { accepted: true, check: noRemoteAvatar } },
  { kind: 'JSONL line nested 10,000 levels deep', format: 'pack', route: 'import', name: 'deep.jsonl', make: () => utf8(`{"text":"A:「x」","d":${deepArrayText(10_000)}}\n{"text":"B:「y」"}\n`), expect: { accepted: true, check: (added) => (added.scenes?.length === 2 ? null : 'the stories were not kept') } },
  { kind: 'truncated Hearth pack', format: 'pack', route: 'import', name: 'cut.hearth.json', make: () => cut(json(hearthPack()), 0.5), expect: { reason: 'invalid-json' } },
  { kind: 'JSONL of which no line is an object', format: 'pack', route: 'import', name: 'lines.jsonl', make: () => utf8('1\n"two"\n[3]\n'), expect: { reason: 'invalid-json' } },
  { kind: 'JSONL with some broken lines', format: 'pack', route: 'import', name: 'mixed.jsonl', make: () => utf8('{"text":"A:「x」"}\n{broken\n{"text":"B:「y」"}\n'), expect: { warning: /not a JSON object/ } },
  { kind: 'ChatHaruhi JSONL vector with NaN', format: 'pack', route: 'import', name: 'nan.jsonl', make: () => haruhiJsonl(bigEndianFloats(Array.from({ length: 384 }, (_, i) => (i === 7 ? NaN : 0.1)))), expect: { warning: /column "bge_en_s15": 1 vectors dropped as unreadable/ } },
  { kind: 'ChatHaruhi JSONL vector of the wrong length', format: 'pack', route: 'import', name: 'short.jsonl', make: () => haruhiJsonl(bigEndianFloats([0.1, 0.2, 0.3])), expect: { warning: /3 numbers where Xenova\/bge-small-en-v1.5 gives 384/ } },
  { kind: 'JSONL of rows no pack uses', format: 'pack', route: 'import', name: 'rows.jsonl', make: () => utf8('{"a":1}\n{"b":2}\n'), expect: { reason: 'not-a-pack' } },
  { kind: 'RoleBench rows missing their answers', format: 'pack', route: 'import', name: 'bench.jsonl', make: () => utf8('{"role":"R","question":"q","generated":["a"]}\n{"role":"R","question":"q2"}\n'), expect: { warning: /lacks role, question or a generated answer/ } },

  // ---- lorebooks ------------------------------------------------------------------------------
  { kind: 'World Info key /(a|a)*b/', format: 'lorebook', route: 'import', name: 'world.json', make: () => json({ entries: { 0: { uid: 0, key: ['/(a|a)*b/'], content: 'x', useRegex: true } } }), expect: { warning: /unsafe-regex/ } },
  { kind: 'lorebook key /(a+)+$/', format: 'lorebook', route: 'import', name: 'nested.json', make: () => json({ spec: 'lorebook_v3', data: { entries: [{ id: 1, keys: ['/(a+)+$/'], content: 'x', enabled: true, insertion_order: 1, use_regex: true, extensions: {} }] } }), expect: { warning: /unsafe-regex/ } },
  { kind: 'lorebook key with a backreference', format: 'lorebook', route: 'import', name: 'backref.json', make: () => json({ spec: 'lorebook_v3', data: { entries: [{ id: 1, keys: ['/(a)\\1/'], content: 'x', enabled: true, insertion_order: 1, use_regex: true, extensions: {} }] } }), expect: { warning: /unsupported-regex/ } },
  { kind: 'lorebook key that does not compile', format: 'lorebook', route: 'import', name: 'invalid.json', make: () => loreBook(['/(unclosed/']), expect: { warning: /invalid-regex/ } },
  { kind: 'lorebook regex with unknown flags', format: 'lorebook', route: 'import', name: 'flags.json', make: () => loreBook(['/a/xyz']), expect: { warning: /invalid-regex: unknown flags/ } },
  { kind: 'lorebook regex 100,000 characters long', format: 'lorebook', route: 'import', name: 'long.json', make: () => loreBook([`/${'a'.repeat(100_000)}/`]), expect: { warning: /unsafe-regex: longer than/ } },
  // Lists longer than a backup holds (10,000 keys, 200,000 entries or lines): cut with a warning, so their backup restores.
  { kind: 'World Info entry with 20,000 keys', format: 'lorebook', route: 'import', name: 'many-keys.json', make: () => json({ entries: { 0: { uid: 0, key: Array.from({ length: 20_000 }, (_, i) => `k${i}`), content: 'x' } } }), expect: { warning: /entry #1 has 20,000 keys; the first 10,000 are kept/ } },
  { kind: 'lorebook with 210,000 entries', format: 'lorebook', route: 'import', name: 'many-entries.json', make: () => json({ spec: 'lorebook_v3', data: { entries: Array.from({ length: 210_000 }, (_, i) => ({ id: i, keys: ['k'], content: 'x', enabled: true, insertion_order: 1, extensions: {} })) } }), expect: { warning: /210,000 entries; the first 200,000 are kept/ } },
  { kind: 'card book entry with 20,000 secondary keys', format: 'card', route: 'import', name: 'book-keys.json', make: () => json(cardV2({ character_book: { entries: [{ id: 1, keys: ['k'], secondary_keys: Array.from({ length: 20_000 }, (_, i) => `s${i}`), content: 'x', enabled: true, insertion_order: 1, extensions: {} }] } })), expect: { warning: /lorebook, entry #1 has 20,000 secondary keys/ } },
  { kind: 'ChatHaruhi story of 210,000 lines', format: 'zip', route: 'import', name: 'long-story.zip', make: () => zipOf({ ...HARUHI, 'texts/002.txt': 'Haruhi:「a」\n'.repeat(210_000) }), expect: { warning: /210,000 lines; the first 200,000 are kept/ } },
  { kind: 'lorebook in UTF-16 with BOM', format: 'lorebook', route: 'import', name: 'utf16-world.json', make: () => utf16(JSON.stringify({ name: 'Wide world', entries: { 0: { key: ['k'], content: '宽' } } }), 'le'), expect: { accepted: true, check: (added) => (holds(added.lorebooks, '宽') === 1 ? null : 'the entry text was not read') } },
  { kind: 'truncated lorebook', format: 'lorebook', route: 'import', name: 'cut-world.json', make: () => cut(json({ entries: { 0: { key: ['k'], content: 'c'.repeat(200) } } }), 0.5), expect: { reason: 'invalid-json' } },
  { kind: 'lorebook entry that is not an object', format: 'lorebook', route: 'import', name: 'entry.json', make: () => json({ spec: 'lorebook_v3', data: { entries: ['just text', { id: 2, keys: ['k'], content: 'c', enabled: true, insertion_order: 1, extensions: {} }] } }), expect: { warning: /entry #1 .* skipped/ } },
  { kind: '__proto__ uid in World Info entries', format: 'lorebook', route: 'import', name: 'proto-world.json', make: () => utf8('{"entries":{"__proto__":{"key":["k"],"content":"c","polluted":1},"1":{"key":["m"],"content":"d"}}}'), expect: { accepted: true, check: protoKeptAsData } },
  { kind: 'lorebook named only with invisible characters', format: 'lorebook', route: 'import', name: 'Old Harbour.json', make: () => json({ name: invisible, entries: { 0: { key: ['k'], content: 'c' } } }), expect: { accepted: true, check: namedAfterFile('Old Harbour') } },
  { kind: 'lorebook named only with bidi marks', format: 'lorebook', route: 'import', name: 'Salt Roads.json', make: () => json({ spec: 'lorebook_v3', data: { name: '\u200e\u202a\u202c', entries: [] } }), expect: { accepted: true, check: namedAfterFile('Salt Roads') } },
  { kind: 'lorebook nested 10,000 levels deep', format: 'lorebook', route: 'import', name: 'deep-world.json', make: () => utf8(`{"entries":{"0":{"key":["k"],"content":"c","extensions":${deepArrayText(10_000)}}}}`), expect: { reason: 'too-deep' } },
  { kind: 'script injection in lorebook content', format: 'lorebook', route: 'import', name: 'inject-world.json', make: () => json({ name: INJECTION, entries: { 0: { uid: 0, key: [INJECTION], content: INJECTION, comment: INJECTION } } }), expect: { accepted: true, check: (added) => (holds(added.lorebooks, INJECTION) >= 4 ? null : 'the payload was changed') } },

  // ---- backups (Settings → Restore) -----------------------------------------------------------
  { kind: 'backup that is not a zip', format: 'backup', route: 'restore-replace', name: 'notes.zip', make: () => utf8('{"hello":1}'), expect: { reason: 'not-a-backup' } },
  { kind: 'PNG image renamed to a backup', format: 'backup', route: 'restore-replace', name: 'image.zip', make: () => png(), expect: { reason: 'not-a-backup' } },
  { kind: 'empty backup file', format: 'backup', route: 'restore-replace', name: 'empty.zip', make: () => new Uint8Array(0), expect: { reason: 'not-a-backup' } },
  { kind: 'backup without manifest.json', format: 'backup', route: 'restore-replace', name: 'nomanifest.zip', make: () => { const f = backupFiles(); delete f['manifest.json']; return backupZip(f); }, expect: { reason: 'not-a-backup' } },
  { kind: 'backup manifest of another format', format: 'backup', route: 'restore-replace', name: 'format.zip', make: () => editedBackup('manifest.json', (m) => ({ ...(m as object), format: 'other' })), expect: { reason: 'not-a-backup' } },
  { kind: 'backup manifest that is not JSON', format: 'backup', route: 'restore-replace', name: 'manifest.zip', make: () => backupZip({ ...backupFiles(), 'manifest.json': '{"format":' }), expect: { reason: 'damaged' } },
  { kind: 'backup of a newer format version', format: 'backup', route: 'restore-replace', name: 'newer.zip', make: () => editedBackup('manifest.json', (m) => ({ ...(m as object), version: 9 })), expect: { reason: 'newer-version' } },
  { kind: 'backup format version as text', format: 'backup', route: 'restore-replace', name: 'version.zip', make: () => editedBackup('manifest.json', (m) => ({ ...(m as object), version: '1' })), expect: { reason: 'damaged' } },
  { kind: 'backup manifest without a table', format: 'backup', route: 'restore-replace', name: 'tables.zip', make: () => editedBackup('manifest.json', (m) => ({ ...(m as object), tables: {} })), expect: { reason: 'damaged' } },
  { kind: 'backup missing a part', format: 'backup', route: 'restore-replace', name: 'part.zip', make: () => { const f = backupFiles(); delete f['tables/messages/0000.json']; return backupZip(f); }, expect: { reason: 'damaged', message: /missing/ } },
  { kind: 'backup part that is not JSON', format: 'backup', route: 'restore-replace', name: 'partjson.zip', make: () => backupZip({ ...backupFiles(), 'tables/scenes/0000.json': '[{"id":' }), expect: { reason: 'damaged' } },
  { kind: 'backup part that is not a list', format: 'backup', route: 'restore-replace', name: 'partlist.zip', make: () => editedBackup('tables/settings/0000.json', () => ({ rows: [] })), expect: { reason: 'damaged' } },
  { kind: 'backup manifest listing a part twice', format: 'backup', route: 'restore-replace', name: 'parts-twice.zip', make: () => editedBackup('manifest.json', (m) => { const manifest = m as { tables: Record<string, { parts: string[] }> }; manifest.tables.personas.parts.push(...manifest.tables.personas.parts); return manifest; }), expect: { reason: 'damaged' } },
  { kind: 'backup with fewer rows than its manifest says', format: 'backup', route: 'restore-replace', name: 'count.zip', make: () => editedBackup('tables/messages/0000.json', (rows) => (rows as unknown[]).slice(1)), expect: { reason: 'damaged' } },
  { kind: 'backup row of the wrong shape', format: 'backup', route: 'restore-replace', name: 'row.zip', make: () => editedBackup('tables/characters/0000.json', (rows) => (rows as Record<string, unknown>[]).map((r) => ({ ...r, name: 42 }))), expect: { reason: 'invalid-row' } },
  { kind: 'backup message of an unknown role', format: 'backup', route: 'restore-replace', name: 'role.zip', make: () => editedBackup('tables/messages/0000.json', (rows) => (rows as Record<string, unknown>[]).map((r) => ({ ...r, role: 'root' }))), expect: { reason: 'invalid-row' } },
  { kind: 'backup scene vectors that are text', format: 'backup', route: 'restore-replace', name: 'vectors.zip', make: () => editedBackup('tables/scenes/0000.json', (rows) => (rows as Record<string, unknown>[]).map((r) => ({ ...r, vectors: 'many' }))), expect: { reason: 'invalid-row' } },
  { kind: 'backup setting without a key', format: 'backup', route: 'restore-replace', name: 'setting.zip', make: () => editedBackup('tables/settings/0000.json', (rows) => (rows as Record<string, unknown>[]).map(({ value }) => ({ value }))), expect: { reason: 'invalid-row' } },
  { kind: 'backup language setting of an unknown language', format: 'backup', route: 'restore-replace', name: 'lang.zip', make: () => { const r = sampleRows('b'); return backupZip(backupFiles({ ...r, settings: [{ key: 'ui.lang', value: 'xx<script>' }] })); }, expect: { reason: 'invalid-row' } },
  { kind: 'backup with one id twice in a table', format: 'backup', route: 'restore-replace', name: 'twice.zip', make: () => { const r = sampleRows('b'); return backupZip(backupFiles({ ...r, personas: [r.personas[0], { ...r.personas[0], isDefault: false }] })); }, expect: { reason: 'damaged', message: /twice/ } },
  { kind: 'backup scene of a character not in it', format: 'backup', route: 'restore-replace', name: 'orphan.zip', make: () => { const r = sampleRows('b'); return backupZip(backupFiles({ ...r, scenes: [{ ...r.scenes[0], characterId: 'nobody' }] })); }, expect: { reason: 'damaged', message: /belongs to a character/ } },
  { kind: 'backup value of an unknown $t tag', format: 'backup', route: 'restore-replace', name: 'tag.zip', make: () => editedBackup('tables/characters/0000.json', (rows) => (rows as Record<string, unknown>[]).map((r) => ({ ...r, extensions: { $t: 'Function', v: 'alert(1)' } }))), expect: { reason: 'damaged', message: /unknown kind/ } },
  { kind: 'backup vector bytes of broken base64', format: 'backup', route: 'restore-replace', name: 'b64.zip', make: () => editedBackup('tables/scenes/0000.json', (rows) => (rows as Record<string, unknown>[]).map((r) => ({ ...r, vectors: [{ model: 'bag', dim: 2, data: { $t: 'ArrayBuffer', b64: '!!' } }] }))), expect: { reason: 'damaged', message: /base64/ } },
  { kind: 'backup typed array with a partial element', format: 'backup', route: 'restore-replace', name: 'partial.zip', make: () => editedBackup('tables/characters/0000.json', (rows) => (rows as Record<string, unknown>[]).map((r) => ({ ...r, extensions: { f: { $t: 'Float32Array', b64: 'AAAAAAA=' } } }))), expect: { reason: 'damaged', message: /partial element/ } },
  { kind: 'backup row nested 10,000 levels deep (lists)', format: 'backup', route: 'restore-replace', name: 'deep.zip', make: () => deepBackup(deepArrayText(10_000)), expect: { reason: 'too-deep', message: /tables\/characters\/0000.json is nested too deeply/ } },
  { kind: 'backup row nested 3,000 levels deep (objects)', format: 'backup', route: 'restore-replace', name: 'deep-objects.zip', make: () => deepBackup(deepObjectText(3_000)), expect: { reason: 'too-deep' } },
  { kind: 'backup part declaring 1.9 GB', format: 'backup', route: 'restore-replace', name: 'declared.zip', make: () => backupZip(backupFiles(), (e) => (e.name === 'tables/characters/0000.json' ? { ...e, declaredSize: 1_900_000_000 } : e)), expect: { reason: 'part-too-large' } },
  { kind: 'backup declaring 100,000 entries (ZIP64)', format: 'backup', route: 'restore-replace', name: 'parts.zip', make: () => backupZip(backupFiles(), undefined, { declaredEntries: 100_001 }), expect: { reason: 'too-many-parts' } },
  { kind: 'backup zip bomb (a part inflates past its declared size)', format: 'backup', route: 'restore-replace', name: 'bomb.zip', make: () => backupZip(backupFiles(), (e) => (e.name === 'tables/scenes/0000.json' ? { ...e, raw: deflatedZeros(20 * 1024 * 1024), declaredSize: 2000, crc: 0 } : e)), expect: { reason: 'damaged', message: /longer than it declares/ } },
  { kind: 'backup part with a wrong CRC', format: 'backup', route: 'restore-replace', name: 'crc.zip', make: () => backupZip(backupFiles(), (e) => (e.name === 'tables/messages/0000.json' ? { ...e, crc: 7 } : e)), expect: { reason: 'damaged', message: /checksum/ } },
  { kind: 'truncated backup', format: 'backup', route: 'restore-replace', name: 'cut.zip', make: () => cut(backupZip(backupFiles()), 0.5), expect: { reason: 'damaged', message: /truncated/ } },
  { kind: 'backup part named with ../', format: 'backup', route: 'restore-replace', name: 'climb.zip', make: () => backupZip({ ...backupFiles(), '../escape.json': '[]' }), expect: { reason: 'damaged', message: /unsafe-path/ } },
  { kind: 'backup part named with backslashes', format: 'backup', route: 'restore-replace', name: 'backslash.zip', make: () => backupZip({ ...backupFiles(), 'tables\\characters\\0001.json': '[]' }), expect: { reason: 'damaged', message: /unsafe-path/ } },
  { kind: 'backup holding manifest.json twice', format: 'backup', route: 'restore-replace', name: 'dup.zip', make: () => { const f = backupFiles(); return hostileZip([...entriesOf(f), { name: 'manifest.json', data: f['manifest.json'] }]); }, expect: { reason: 'damaged', message: /twice/ } },
  { kind: 'backup with an encrypted part', format: 'backup', route: 'restore-replace', name: 'locked.zip', make: () => backupZip(backupFiles(), (e) => (e.name === 'tables/characters/0000.json' ? { ...e, flags: 0x801 } : e)), expect: { reason: 'damaged', message: /encrypted/ } },
  { kind: 'backup row with a __proto__ key, merged', format: 'backup', route: 'restore-merge', name: 'proto.zip', make: () => backupZip({ ...backupFiles(), 'tables/characters/0000.json': new TextDecoder().decode(backupFiles()['tables/characters/0000.json']).replace('"extensions":{}', '"extensions":{"__proto__":{"polluted":1}}') }), expect: { accepted: true, check: protoKeptAsData } },
  {
    kind: 'backup ids colliding with this device’s rows of another owner, merged',
    format: 'backup',
    route: 'restore-merge',
    name: 'collide.zip',
    // The seed's conversation, message and scene ids, owned here by the seed's character; in the backup, by another.
    make: () => {
      const r = sampleRows('b');
      return backupZip(backupFiles({
        ...r,
        scenes: r.scenes.map((s) => ({ ...s, id: 'seed-scene' })),
        conversations: r.conversations.map((c) => ({ ...c, id: 'seed-chat', leafId: 'seed-m2' })),
        messages: r.messages.map((m) => ({ ...m, conversationId: 'seed-chat', id: m.id === 'b-m1' ? 'seed-m1' : 'seed-m2', parentId: m.parentId ? 'seed-m1' : null })),
        memories: r.memories.map((m) => ({ ...m, conversationId: 'seed-chat', messageId: 'seed-m1' })),
      }));
    },
    expect: {
      accepted: true,
      check: (added) =>
        added.messages?.length === 2 && added.conversations?.length === 1 && added.scenes?.length === 1 && added.memories?.length === 1 ? null : 'the colliding rows were not added under fresh ids',
    },
  },
];

/** The kinds by name, for the e2e spec's subset. */
export function hostileKind(kind: string): HostileKind {
  const found = HOSTILE_KINDS.find((k) => k.kind === kind);
  if (!found) throw new Error(`No hostile kind "${kind}"`);
  return found;
}
