// One dropped or picked file (or folder) -> what it holds: characters with their scenes, or
// standalone lorebooks. Sniffs the format by content, dispatches to the card and pack codecs, and
// turns every failure into an ImportFailure. Pure: nothing is saved here.

import { toDataUrl } from '../cards/media';
import { guessLanguage, type CardCharacter } from '../cards/card';
import { importCardFile } from '../cards/detect';
import { parseChatHaruhiFolder, parseChatHaruhiJsonl } from '../packs/chatharuhi';
import { baseName, decodeTextFile, normalizePath, PackError, utf16Bom, type PackFile, type ParsedScene } from '../packs/common';
import { decodeHearthPack } from '../packs/hearth-pack';
import { parseRoleBench, parseRoleLlmProfile } from '../packs/rolellm';
import { readZip } from '../packs/pack-archive';
import { isPng } from '../cards/png';
import { jsonTooDeep, MAX_JSON_DEPTH, tooDeepMessage } from '../cards/json-depth';
import { hasVisibleText } from '../cards/visible-text';
import { localImageUrl } from '../image-url';
import type { CharacterFields, Lorebook } from '../types';
import { isZipSignature } from '../zip-reader';
import { ImportFailure, toImportFailure } from './failure';
import { capCharacterFields, capLorebook, capSceneLines } from './field-caps';
import { looksLikeLorebook, parseLorebookFile } from './lorebook-file';

export type ImportKind = 'card' | 'chatharuhi' | 'rolellm' | 'rolebench' | 'hearth-pack' | 'lorebook';

export interface SourceFile {
  /** The file name, or its path inside a picked folder. */
  name: string;
  bytes: Uint8Array;
}

export interface CharacterDraft {
  kind: ImportKind;
  /** `avatar` is a data: URL (or '' when the file had no image). */
  character: CardCharacter;
  scenes: ParsedScene[];
  warnings: string[];
}

export interface LorebookDraft {
  book: Lorebook;
  sourceName: string;
  warnings: string[];
}

export interface ReadResult {
  characters: CharacterDraft[];
  lorebooks: LorebookDraft[];
}

/**
 * Roughly how many bytes saving this takes in IndexedDB (text as UTF-16 JSON, vectors as bytes):
 * the "space needed" a full disk's message quotes. An estimate, on the generous side.
 */
export function storedBytes(read: ReadResult): number {
  let bytes = 0;
  const text = (value: unknown) => 2 * JSON.stringify(value).length;
  for (const draft of read.characters) {
    bytes += text(draft.character);
    for (const { vectors, ...scene } of draft.scenes) bytes += text(scene) + vectors.reduce((n, v) => n + v.data.byteLength, 0);
  }
  for (const book of read.lorebooks) bytes += text(book.book);
  return bytes;
}

/** Largest single file read (a Hearth pack with vectors can be tens of MB). */
export const MAX_IMPORT_FILE_BYTES = 512 * 1024 * 1024;

export function emptyFields(): CharacterFields {
  return {
    name: '', nickname: '', avatar: '', shortDescription: '', description: '', personality: '', scenario: '',
    firstMessage: '', alternateGreetings: [], exampleDialogue: '', systemPrompt: '', postHistoryInstructions: '',
    creatorNotes: '', tags: [], creator: '', characterVersion: '', catchphrases: [], language: 'en',
  };
}

/** `haruhi.zip` -> `haruhi`, `packs/Sheldon.jsonl` -> `Sheldon`. */
export function stem(name: string): string {
  return baseName(normalizePath(name)).replace(/\.(hearth\.json|json|jsonl|zip|charx|png|apng|txt)$/i, '');
}

function firstLine(text: string, max = 120): string {
  const line = text.trim().split('\n')[0]?.trim() ?? '';
  const chars = [...line];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : line;
}

function corpusCharacter(name: string, description: string, systemPrompt: string, scenes: ParsedScene[], tag: string): CardCharacter {
  const sample = [description, systemPrompt, ...scenes.slice(0, 8).map((s) => s.text)].join('\n');
  return {
    ...emptyFields(),
    // A pack or file named only with spaces or zero-width characters would show no name at all.
    name: hasVisibleText(name) ? name : `${tag} character`,
    description,
    systemPrompt,
    shortDescription: firstLine(description || systemPrompt),
    tags: [tag],
    language: guessLanguage(sample),
    extensions: {},
  };
}

function firstNonSpace(bytes: Uint8Array): number | undefined {
  if (utf16Bom(bytes)) {
    // UTF-16: look at the first non-space character.
    const head = decodeTextFile(bytes.subarray(0, 256))?.trimStart();
    return head ? head.charCodeAt(0) : undefined;
  }
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (; i < Math.min(bytes.length, 4096); i++) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return c;
  }
  return undefined;
}

/** The keys of the first JSON object line, or null when the text is not line-delimited JSON. */
function firstJsonlKeys(text: string): string[] | null {
  const lines = text.replace(/^\ufeff/, '').split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.length < 2 && !lines[0]?.startsWith('{')) return null;
  for (const line of lines.slice(0, 20)) {
    try {
      const row: unknown = JSON.parse(line);
      if (row && typeof row === 'object' && !Array.isArray(row)) return Object.keys(row);
    } catch {
      // a bad line; the parser reports it
    }
  }
  return null;
}

function readCard(file: SourceFile): ReadResult {
  const parsed = importCardFile(baseName(file.name), file.bytes);
  const avatar = parsed.avatar ? toDataUrl(parsed.avatar.bytes, parsed.avatar.mime || 'image/png') : '';
  return { characters: [{ kind: 'card', character: { ...parsed.character, avatar }, scenes: [], warnings: parsed.warnings }], lorebooks: [] };
}

function readJsonl(file: SourceFile, text: string, keys: string[]): ReadResult {
  const name = stem(file.name);
  if (keys.includes('text') || keys.includes('enc_text')) {
    const pack = parseChatHaruhiJsonl(text, { name });
    const character = corpusCharacter(pack.characterName || pack.name || name, '', pack.systemPrompt, pack.scenes, 'ChatHaruhi');
    return { characters: [{ kind: 'chatharuhi', character, scenes: pack.scenes, warnings: pack.warnings }], lorebooks: [] };
  }
  if (keys.includes('question') && keys.includes('generated')) {
    const all = parseRoleBench(text);
    const characters = all.roles.map(({ role }) => {
      const scenes = all.byRole.get(role) ?? [];
      return { kind: 'rolebench' as const, character: corpusCharacter(role, '', '', scenes, 'RoleBench'), scenes, warnings: [] as string[] };
    });
    if (characters[0]) characters[0].warnings.push(...all.warnings);
    return { characters, lorebooks: [] };
  }
  if (keys.includes('role') && keys.includes('content')) {
    return readRoleLlm([{ path: file.name, bytes: file.bytes }]);
  }
  throw new PackError('not-a-pack', 'The JSONL rows are neither ChatHaruhi stories (text), RoleLLM dialogues (role, content) nor RoleBench rows (question, generated).');
}

/** RoleLLM profiles: `desc.json` (role -> description) and one dialogue JSONL per role. */
function readRoleLlm(files: readonly PackFile[]): ReadResult {
  const desc = files.find((f) => baseName(normalizePath(f.path)).toLowerCase() === 'desc.json');
  const descriptions = desc ? decodeTextFile(desc.bytes) ?? undefined : undefined;
  const roles = descriptions ? Object.keys(safeJsonObject(descriptions)) : [];
  const characters: CharacterDraft[] = [];
  for (const file of files) {
    if (!/\.jsonl?$/i.test(file.path) || file === desc) continue;
    const dialogues = decodeTextFile(file.bytes);
    if (dialogues === null) throw new PackError('invalid-json', `${file.path} is not UTF-8 text.`, { file: file.path });
    // RoleBench names files `profiles-eng_<Role>.jsonl`; the longest desc.json role in the name wins.
    const fileRole = stem(file.path).replace(/^profiles?-[a-z]+_/i, '');
    const role = roles.filter((r) => stem(file.path).includes(r)).sort((a, b) => b.length - a.length)[0] ?? fileRole;
    const profile = parseRoleLlmProfile({ role, dialogues, ...(descriptions ? { descriptions } : {}) });
    const warnings = [...profile.warnings];
    if (!descriptions) warnings.push('No desc.json beside the dialogues: the description is left empty.');
    characters.push({ kind: 'rolellm', character: corpusCharacter(profile.name, profile.description, '', profile.scenes, 'RoleLLM'), scenes: profile.scenes, warnings });
  }
  if (characters.length === 0) throw new PackError('not-a-pack', 'A RoleLLM profile needs a dialogue .jsonl file beside desc.json.');
  return { characters, lorebooks: [] };
}

function safeJsonObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text.replace(/^\ufeff/, ''));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function readJson(file: SourceFile, text: string): ReadResult {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (error) {
    const keys = firstJsonlKeys(text);
    if (keys) return readJsonl(file, text, keys);
    throw new ImportFailure('invalid-json', `The file is not valid JSON (${error instanceof Error ? error.message : String(error)}).`, {}, { cause: error });
  }
  // Before any reader walks it: lorebooks, cards and packs are walked and cloned recursively.
  if (jsonTooDeep(json)) throw new ImportFailure('too-deep', tooDeepMessage('The file'), { limit: MAX_JSON_DEPTH });
  if (json && typeof json === 'object' && (json as { format?: unknown }).format === 'hearth-pack') {
    const pack = decodeHearthPack(utf16Bom(file.bytes) ? text : file.bytes);
    // A pack may name its avatar by URL; a remote one would be fetched each time it is shown.
    const character: CardCharacter = { ...pack.character, avatar: localImageUrl(pack.character.avatar) };
    if (pack.assets.length) character.assets = pack.assets.map((a) => ({ ...a }));
    return { characters: [{ kind: 'hearth-pack', character, scenes: pack.scenes, warnings: pack.warnings }], lorebooks: [] };
  }
  // RoleLLM dialogues and RoleBench rows also come as one JSON list instead of JSONL.
  const head = Array.isArray(json) && json[0] && typeof json[0] === 'object' ? Object.keys(json[0] as object) : null;
  if (head && ((head.includes('role') && head.includes('content')) || (head.includes('question') && head.includes('generated')))) {
    return readJsonl(file, text, head);
  }
  if (looksLikeLorebook(json)) {
    const parsed = parseLorebookFile(json, baseName(normalizePath(file.name)));
    if (parsed) return { characters: [], lorebooks: [{ book: parsed.book, sourceName: baseName(normalizePath(file.name)), warnings: parsed.warnings }] };
  }
  return readCard(file);
}

/**
 * Every character's fields, lorebooks and scene lines within their caps (what storage and a backup
 * hold), each cut named in its draft's warnings.
 */
function withFieldCaps(read: ReadResult): ReadResult {
  const characters = read.characters.map((draft) => {
    const capped = capCharacterFields(draft.character);
    let character = capped.character;
    const warnings = [...draft.warnings, ...capped.warnings];
    if (character.lorebook) {
      const book = capLorebook(character.lorebook, 'The character’s lorebook');
      if (book.book !== character.lorebook) character = { ...character, lorebook: book.book };
      warnings.push(...book.warnings);
    }
    const lines = capSceneLines(draft.scenes);
    warnings.push(...lines.warnings);
    return character === draft.character && warnings.length === draft.warnings.length ? draft : { ...draft, character, scenes: lines.scenes, warnings };
  });
  const lorebooks = read.lorebooks.map((draft) => {
    const capped = capLorebook(draft.book, 'The lorebook');
    return capped.book === draft.book ? draft : { ...draft, book: capped.book, warnings: [...draft.warnings, ...capped.warnings] };
  });
  return { characters, lorebooks };
}

/** Read one file. Throws ImportFailure with the reason it cannot be imported. */
export function readImportFile(file: SourceFile): ReadResult {
  return withFieldCaps(readFile(file));
}

function readFile(file: SourceFile): ReadResult {
  let fromZip = false;
  try {
    const { bytes } = file;
    if (bytes.length === 0) throw new ImportFailure('not-a-card', 'The file is empty.');
    if (bytes.length > MAX_IMPORT_FILE_BYTES) {
      throw new ImportFailure('too-large', `The file is ${bytes.length} bytes; the most a file may be is ${MAX_IMPORT_FILE_BYTES}.`, { bytes: bytes.length, limit: MAX_IMPORT_FILE_BYTES });
    }
    if (isPng(bytes)) return readCard(file);
    if (isZipSignature(bytes)) {
      fromZip = true;
      const files = readZip(bytes);
      const paths = files.map((f) => f.path);
      if (paths.some((p) => p === 'card.json' || /^[^/]+\/card\.json$/.test(p)) || /\.charx$/i.test(file.name)) return readCard(file);
      return readFolder(stem(file.name), files);
    }
    const first = firstNonSpace(bytes);
    if (first === 0x7b /* { */ || first === 0x5b /* [ */ || /\.jsonl?$/i.test(file.name)) {
      const text = decodeTextFile(bytes);
      if (text === null) throw new ImportFailure('invalid-json', 'The file is not UTF-8 (nor UTF-16 with a byte-order mark) text, so it cannot be JSON.');
      if (/\.jsonl$/i.test(file.name)) {
        const keys = firstJsonlKeys(text);
        if (!keys) throw new ImportFailure('invalid-json', 'No line of the JSONL file is a JSON object.');
        return readJsonl(file, text, keys);
      }
      return readJson(file, text);
    }
    // Cards also come as CHARX appended to a JPEG, and the card reader words every other failure.
    return readCard(file);
  } catch (error) {
    throw toImportFailure(error, fromZip);
  }
}

/** A folder (directory picker, dropped folder or the files of a zip): a ChatHaruhi or RoleLLM pack. */
export function readImportFolder(name: string, files: readonly PackFile[]): ReadResult {
  return withFieldCaps(readFolder(name, files));
}

function readFolder(name: string, files: readonly PackFile[]): ReadResult {
  try {
    const paths = files.map((f) => normalizePath(f.path));
    const isHaruhi = paths.some((p) => baseName(p) === 'system_prompt.txt' || /(^|\/)texts\//.test(p) || baseName(p) === 'chroma.sqlite3');
    if (isHaruhi) {
      const pack = parseChatHaruhiFolder(files);
      const character = corpusCharacter(pack.characterName || pack.name || name, '', pack.systemPrompt, pack.scenes, 'ChatHaruhi');
      return { characters: [{ kind: 'chatharuhi', character, scenes: pack.scenes, warnings: pack.warnings }], lorebooks: [] };
    }
    if (paths.some((p) => /\.jsonl$/i.test(p))) return readRoleLlm(files);
    throw new PackError('not-a-pack', 'The folder holds neither a ChatHaruhi pack (system_prompt.txt, texts/*.txt) nor RoleLLM profiles (desc.json and dialogue .jsonl files).');
  } catch (error) {
    throw toImportFailure(error);
  }
}
