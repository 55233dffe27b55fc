// The app's own pack: one JSON file holding a character, its avatar and assets, and its scenes with
// their embedding vectors, so a character moves between devices with nothing lost.
//
// Format, version 1 (file extension `.hearth.json`):
//
//   {
//     "format": "hearth-pack",
//     "version": 1,
//     "exportedAt": "2025-01-01T00:00:00.000Z",          // optional, informational
//     "character": { <CharacterFields>, "extensions": {…}, "lorebook"?: {…} },
//     "avatar"?: { "mime": "image/png", "base64": "…" },
//     "assets": [ { "type": "emotion", "name": "happy", "ext": "png", "uri": "embeded://happy.png",
//                   "mime"?: "image/png", "base64"?: "…", "extra"?: {…} } ],
//     "scenes": [ { "title", "text", "lines": [{ "speaker", "text" }], "tokens", "source", "kind"?: "knowledge",
//                   "generated"?: { "jobId", "kind": "world" | "everyday" | "out-of-world", "question", "prompt",
//                                   "model", "createdAt" },   // a model-written scene the person accepted
//                   "vectors": [ { "model", "dim", "base64" } ] } ]
//   }
//
// Vectors are base64 of LITTLE-endian float32 (unlike ChatHaruhi's big-endian), copied byte for
// byte, so they come back bit-exact. JSON rather than a zip: a pack stays readable and diffable,
// and a 20,000-scene corpus with 512-dim vectors is ~55 MB of base64, which JSON.parse handles.
// Readers ignore unknown top-level keys (with a warning), so a later minor addition does not break
// this version; an incompatible change raises `version`.

import { estimateTokens } from '../tokens';
import { CHARACTER_FIELD_NAMES } from '../types';
import type { CharacterFields, GeneratedSceneInfo, Lang, Lorebook, LorebookEntry, Scene, SceneKind, SceneLine, SceneVector } from '../types';
import { base64Encode as encodeBase64, isRecord } from '../bytes';
import { decodeBase64, float32BytesToLittleEndian, littleEndianToFloat32Bytes, nonFiniteProblem } from './vectors';
import { jsonTooDeep, MAX_JSON_DEPTH, tooDeepMessage } from '../cards/json-depth';
import { hasVisibleText } from '../cards/visible-text';
import { decodeTextFile, PackError, type ParsedScene } from './common';

export const HEARTH_PACK_FORMAT = 'hearth-pack';
export const HEARTH_PACK_VERSION = 1;
export const HEARTH_PACK_EXTENSION = '.hearth.json';

/** What a pack carries of a character: its fields, unknown card extensions and its lorebook. */
export interface PackCharacter extends CharacterFields {
  extensions: Record<string, unknown>;
  lorebook?: Lorebook;
}

/**
 * A card asset besides the avatar (background, emotion sprite, …), shaped like a Character Card V3
 * asset so card imports and packs carry the same thing. `data` holds the bytes when there are any
 * (a remote `https:` asset has none).
 */
export interface PackAsset {
  /** 'icon', 'background', 'user_icon', 'emotion', or a custom `x_…` type. */
  type: string;
  name: string;
  /** Lowercase extension without a dot. */
  ext: string;
  /** The URI as the card wrote it (`embeded://…`, `https:…`, `ccdefault:`); '' when unknown. */
  uri: string;
  mime?: string;
  data?: Uint8Array;
  /** Fields of the asset the app does not know, kept verbatim. */
  extra?: Record<string, unknown>;
}

export interface PackImage {
  mime: string;
  bytes: Uint8Array;
}

export interface HearthPack {
  character: PackCharacter;
  avatar?: PackImage;
  assets: PackAsset[];
  scenes: ParsedScene[];
}

export interface DecodedHearthPack extends HearthPack {
  exportedAt?: string;
  warnings: string[];
}

export interface HearthPackLimits {
  /** Largest pack accepted, in bytes (or UTF-16 units for a string). Default 512 MiB. */
  maxBytes?: number;
  /** Most scenes accepted. Default 200,000. */
  maxScenes?: number;
}

const DEFAULT_LIMITS: Required<HearthPackLimits> = { maxBytes: 512 * 1024 * 1024, maxScenes: 200_000 };
const SOURCES: readonly Scene['source'][] = ['example', 'chatharuhi', 'rolellm', 'pack'];
const KINDS: readonly SceneKind[] = ['knowledge'];
const GENERATED_KINDS: readonly GeneratedSceneInfo['kind'][] = ['world', 'everyday', 'out-of-world'];
const STRING_LIST_FIELDS = new Set<keyof CharacterFields>(['alternateGreetings', 'tags', 'catchphrases']);

// ---------------------------------------------------------------------------------------------
// Encode

/**
 * A pack -> its JSON text. The character's own fields are written, not its id, origin or
 * timestamps (a pack imports as a new character). When no `avatar` is given and
 * `character.avatar` is a base64 `data:` URL, the image moves into the `avatar` block.
 */
export function encodeHearthPack(pack: HearthPack, options: { exportedAt?: Date } = {}): string {
  let avatar = pack.avatar;
  const character: Record<string, unknown> = {};
  // Keys from the fixed field list only; extensions and lorebooks are written as they are.
  for (const key of CHARACTER_FIELD_NAMES) {
    const value = pack.character[key];
    character[key] = Array.isArray(value) ? [...value] : value;
  }
  if (!avatar) {
    const fromUrl = parseDataUrl(pack.character.avatar);
    if (fromUrl) {
      avatar = fromUrl;
      character.avatar = '';
    }
  } else if (parseDataUrl(pack.character.avatar)) {
    character.avatar = ''; // the block holds the image; don't write it twice
  }
  character.extensions = pack.character.extensions ?? {};
  if (pack.character.lorebook) character.lorebook = pack.character.lorebook;

  const doc: Record<string, unknown> = {
    format: HEARTH_PACK_FORMAT,
    version: HEARTH_PACK_VERSION,
    exportedAt: (options.exportedAt ?? new Date()).toISOString(),
    character,
  };
  if (avatar) doc.avatar = { mime: avatar.mime, base64: encodeBase64(avatar.bytes) };
  doc.assets = pack.assets.map((a) => ({
    type: a.type,
    name: a.name,
    ext: a.ext,
    uri: a.uri,
    ...(a.mime !== undefined ? { mime: a.mime } : {}),
    ...(a.data !== undefined ? { base64: encodeBase64(a.data) } : {}),
    ...(a.extra !== undefined ? { extra: a.extra } : {}),
  }));
  doc.scenes = pack.scenes.map((scene, i) => ({
    title: scene.title,
    text: scene.text,
    lines: scene.lines.map((l) => ({ speaker: l.speaker, text: l.text })),
    tokens: scene.tokens,
    source: scene.source,
    ...(scene.kind ? { kind: scene.kind } : {}),
    ...(scene.generated ? { generated: { ...scene.generated } } : {}),
    vectors: scene.vectors.flatMap((v, j) => {
      if (v.data.byteLength !== v.dim * 4) {
        throw new PackError('wrong-shape', `scenes[${i}].vectors[${j}]: ${v.data.byteLength} bytes for dimension ${v.dim}`, { scene: i });
      }
      // A vector with NaN or Infinity (stored by an older build, or a broken embedding run) is
      // useless and every reader drops it: it is left out, and the scene embedded again after import.
      if (nonFiniteProblem(new Float32Array(v.data))) return [];
      return [{ model: v.model, dim: v.dim, base64: encodeBase64(float32BytesToLittleEndian(v.data)) }];
    }),
  }));
  return JSON.stringify(doc);
}

/** `data:image/png;base64,…` -> { mime, bytes }; null for any other URL. */
export function parseDataUrl(url: string): PackImage | null {
  const match = /^data:([^;,]+)((?:;[^;,]+)*);base64,(.*)$/s.exec(url ?? '');
  if (!match) return null;
  try {
    return { mime: match[1].toLowerCase(), bytes: decodeBase64(match[3]) };
  } catch {
    return null;
  }
}

export function toDataUrl(image: PackImage): string {
  return `data:${image.mime};base64,${encodeBase64(image.bytes)}`;
}

// ---------------------------------------------------------------------------------------------
// Decode

/**
 * A pack file (its text, or its bytes as read from disk) -> the pack. When it has an avatar block,
 * `character.avatar` becomes its `data:` URL (ready for the Character record) and `avatar` holds the
 * bytes. Throws PackError: 'too-large', 'invalid-json', 'not-a-pack', 'unsupported-version',
 * 'wrong-shape' (with the JSON path of the first bad field), 'bad-base64'.
 */
export function decodeHearthPack(input: string | Uint8Array, limits: HearthPackLimits = {}): DecodedHearthPack {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  if (input.length > lim.maxBytes) {
    throw new PackError('too-large', `The pack is ${input.length} bytes; the limit is ${lim.maxBytes}`, { bytes: input.length, limit: lim.maxBytes });
  }
  const text = typeof input === 'string' ? input : decodeTextFile(input);
  if (text === null) throw new PackError('invalid-json', 'Not a Hearth pack: the file is not UTF-8 text.', {});
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (error) {
    throw new PackError('invalid-json', `Not a Hearth pack: the file is not valid JSON (${error instanceof Error ? error.message : String(error)}).`, {}, { cause: error });
  }
  if (!isRecord(doc)) throw new PackError('not-a-pack', 'Not a Hearth pack: the JSON is not an object.', {});
  if (jsonTooDeep(doc)) throw new PackError('too-deep', tooDeepMessage('The pack'), { limit: MAX_JSON_DEPTH });
  if (doc.format !== HEARTH_PACK_FORMAT) {
    const card = typeof doc.spec === 'string' && /chara_card/.test(doc.spec);
    throw new PackError(
      'not-a-pack',
      card ? 'This is a character card, not a Hearth pack: import it as a card.' : `Not a Hearth pack: "format" is ${JSON.stringify(doc.format ?? null)}, not "${HEARTH_PACK_FORMAT}".`,
      { format: String(doc.format ?? '') },
    );
  }
  if (typeof doc.version !== 'number' || !Number.isInteger(doc.version)) {
    throw new PackError('wrong-shape', 'version: expected a whole number.', { path: 'version' });
  }
  if (doc.version !== HEARTH_PACK_VERSION) {
    const newer = doc.version > HEARTH_PACK_VERSION;
    throw new PackError(
      'unsupported-version',
      newer
        ? `This pack was made by a newer Hearth (pack version ${doc.version}); this version reads version ${HEARTH_PACK_VERSION}. Update the app and import it again.`
        : `Pack version ${doc.version} is not one this app reads (it reads version ${HEARTH_PACK_VERSION}).`,
      { version: doc.version, supported: HEARTH_PACK_VERSION },
    );
  }

  const warnings: string[] = [];
  const known = new Set(['format', 'version', 'exportedAt', 'character', 'avatar', 'assets', 'scenes']);
  for (const key of Object.keys(doc)) if (!known.has(key)) warnings.push(`"${key}": unknown field, ignored.`);

  const character = readCharacter(doc.character, warnings);
  let avatar: PackImage | undefined;
  if (doc.avatar !== undefined && doc.avatar !== null) {
    const a = record(doc.avatar, 'avatar');
    avatar = { mime: imageMime(a.mime, 'avatar.mime'), bytes: base64Field(a.base64, 'avatar.base64') };
    character.avatar = toDataUrl(avatar);
  }
  const assets = list(doc.assets ?? [], 'assets').map((value, i): PackAsset => {
    const path = `assets[${i}]`;
    const a = record(value, path);
    const asset: PackAsset = {
      type: str(a.type, `${path}.type`),
      name: str(a.name, `${path}.name`),
      ext: a.ext === undefined ? '' : str(a.ext, `${path}.ext`),
      uri: a.uri === undefined ? '' : str(a.uri, `${path}.uri`),
    };
    if (a.mime !== undefined) asset.mime = str(a.mime, `${path}.mime`);
    if (a.base64 !== undefined) asset.data = base64Field(a.base64, `${path}.base64`);
    if (a.extra !== undefined) asset.extra = record(a.extra, `${path}.extra`);
    return asset;
  });
  const rawScenes = list(doc.scenes ?? [], 'scenes');
  if (rawScenes.length > lim.maxScenes) {
    throw new PackError('too-large', `The pack holds ${rawScenes.length} scenes; the limit is ${lim.maxScenes}`, { scenes: rawScenes.length, limit: lim.maxScenes });
  }
  const scenes = rawScenes.map((value, i) => readScene(value, `scenes[${i}]`, warnings));
  const exportedAt = typeof doc.exportedAt === 'string' ? doc.exportedAt : undefined;
  return { character, ...(avatar ? { avatar } : {}), assets, scenes, ...(exportedAt ? { exportedAt } : {}), warnings };
}

function readCharacter(value: unknown, warnings: string[]): PackCharacter {
  const c = record(value, 'character');
  const out: Record<string, unknown> = {};
  // Keys from the fixed field list only; the spread below copies own keys (`__proto__` too) as data.
  for (const key of CHARACTER_FIELD_NAMES) {
    const path = `character.${key}`;
    const field = c[key];
    if (key === 'language') out[key] = field === undefined ? 'en' : lang(field, path);
    else if (STRING_LIST_FIELDS.has(key)) out[key] = field === undefined ? [] : stringList(field, path);
    else out[key] = field === undefined ? '' : str(field, path);
  }
  if (!hasVisibleText(out.name as string)) throw shape('character.name', 'a non-empty name');
  out.extensions = c.extensions === undefined ? {} : { ...record(c.extensions, 'character.extensions') };
  if (c.lorebook !== undefined && c.lorebook !== null) out.lorebook = readLorebook(c.lorebook);
  const fields = new Set<string>([...CHARACTER_FIELD_NAMES, 'extensions', 'lorebook']);
  for (const key of Object.keys(c)) if (!fields.has(key)) warnings.push(`character.${key}: unknown field, ignored.`);
  return out as unknown as PackCharacter;
}

/** Checks what the prompt builder relies on; everything else in the book is kept as written. */
function readLorebook(value: unknown): Lorebook {
  const book = record(value, 'character.lorebook');
  const entries = list(book.entries, 'character.lorebook.entries').map((v, i): LorebookEntry => {
    const path = `character.lorebook.entries[${i}]`;
    const e = record(v, path);
    if (typeof e.id !== 'string' && typeof e.id !== 'number') throw shape(`${path}.id`, 'a string or number');
    return {
      ...e,
      id: e.id,
      keys: stringList(e.keys, `${path}.keys`),
      secondaryKeys: e.secondaryKeys === undefined ? [] : stringList(e.secondaryKeys, `${path}.secondaryKeys`),
      content: str(e.content, `${path}.content`),
      enabled: bool(e.enabled, `${path}.enabled`),
      insertionOrder: num(e.insertionOrder, `${path}.insertionOrder`),
      extensions: e.extensions === undefined ? {} : record(e.extensions, `${path}.extensions`),
    } as LorebookEntry;
  });
  return { ...book, extensions: book.extensions === undefined ? {} : record(book.extensions, 'character.lorebook.extensions'), entries } as Lorebook;
}

function readScene(value: unknown, path: string, warnings: string[]): ParsedScene {
  const s = record(value, path);
  const text = str(s.text, `${path}.text`);
  const lines = list(s.lines ?? [], `${path}.lines`).map((v, j): SceneLine => {
    const l = record(v, `${path}.lines[${j}]`);
    return { speaker: str(l.speaker, `${path}.lines[${j}].speaker`), text: str(l.text, `${path}.lines[${j}].text`) };
  });
  let tokens = estimateTokens(text);
  if (s.tokens !== undefined) {
    tokens = num(s.tokens, `${path}.tokens`);
    if (tokens < 0) throw shape(`${path}.tokens`, 'a count of 0 or more');
  }
  let source: Scene['source'] = 'pack';
  if (s.source !== undefined) {
    if (!SOURCES.includes(s.source as Scene['source'])) throw shape(`${path}.source`, `one of ${SOURCES.join(', ')}`);
    source = s.source as Scene['source'];
  }
  if (s.kind !== undefined && !KINDS.includes(s.kind as SceneKind)) throw shape(`${path}.kind`, `absent (a dialogue scene) or one of ${KINDS.join(', ')}`);
  const kind = s.kind as SceneKind | undefined;
  const vectors: SceneVector[] = [];
  list(s.vectors ?? [], `${path}.vectors`).forEach((v, j) => {
    const vp = `${path}.vectors[${j}]`;
    const r = record(v, vp);
    const model = str(r.model, `${vp}.model`);
    if (!model) throw shape(`${vp}.model`, 'a model id');
    const dim = num(r.dim, `${vp}.dim`);
    if (!Number.isInteger(dim) || dim <= 0) throw shape(`${vp}.dim`, 'a positive whole number');
    const bytes = base64Field(r.base64, `${vp}.base64`);
    if (bytes.length !== dim * 4) {
      throw new PackError('wrong-shape', `${vp}: ${bytes.length} bytes of vector for dimension ${dim} (expected ${dim * 4}).`, { path: vp });
    }
    const data = littleEndianToFloat32Bytes(bytes);
    const nonFinite = nonFiniteProblem(new Float32Array(data));
    if (nonFinite) {
      warnings.push(`${vp} (${model}): vector dropped, ${nonFinite}.`);
      return;
    }
    vectors.push({ model, dim, data });
  });
  const generated = s.generated === undefined ? undefined : readGenerated(s.generated, `${path}.generated`);
  return {
    title: s.title === undefined ? '' : str(s.title, `${path}.title`), text, lines, tokens, source, vectors,
    ...(kind ? { kind } : {}), ...(generated ? { generated } : {}),
  };
}

function readGenerated(value: unknown, path: string): GeneratedSceneInfo {
  const g = record(value, path);
  if (!GENERATED_KINDS.includes(g.kind as GeneratedSceneInfo['kind'])) throw shape(`${path}.kind`, `one of ${GENERATED_KINDS.join(', ')}`);
  return {
    jobId: str(g.jobId, `${path}.jobId`),
    kind: g.kind as GeneratedSceneInfo['kind'],
    question: str(g.question, `${path}.question`),
    prompt: str(g.prompt, `${path}.prompt`),
    model: str(g.model, `${path}.model`),
    createdAt: num(g.createdAt, `${path}.createdAt`),
  };
}

// ---------------------------------------------------------------------------------------------
// Field checks: each throws PackError('wrong-shape') naming the JSON path.

function shape(path: string, expected: string): PackError {
  return new PackError('wrong-shape', `Not a valid Hearth pack: ${path} should be ${expected}.`, { path });
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value)) throw shape(path, 'an object');
  return value;
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw shape(path, 'a list');
  return value;
}

function str(value: unknown, path: string): string {
  if (typeof value !== 'string') throw shape(path, 'text');
  return value;
}

function num(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw shape(path, 'a number');
  return value;
}

function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw shape(path, 'true or false');
  return value;
}

function stringList(value: unknown, path: string): string[] {
  const items = list(value, path);
  items.forEach((item, i) => {
    if (typeof item !== 'string') throw shape(`${path}[${i}]`, 'text');
  });
  return [...(items as string[])];
}

function lang(value: unknown, path: string): Lang {
  if (value !== 'en' && value !== 'zh') throw shape(path, '"en" or "zh"');
  return value;
}

function imageMime(value: unknown, path: string): string {
  const mime = str(value, path);
  if (!/^image\/[\w.+-]+$/i.test(mime)) throw shape(path, 'an image MIME type such as image/png');
  return mime;
}

function base64Field(value: unknown, path: string): Uint8Array {
  const text = str(value, path);
  try {
    return decodeBase64(text);
  } catch (error) {
    throw new PackError('bad-base64', `Not a valid Hearth pack: ${path} is not valid base64.`, { path }, { cause: error });
  }
}
