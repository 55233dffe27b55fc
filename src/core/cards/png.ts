// PNG/APNG chunk codec for character cards: reading and verifying chunks, finding the `chara` /
// `ccv3` tEXt chunks, writing them back, and a minimal encoder for placeholder images.

import { Unzlib, zlibSync } from 'fflate';
import { Base64Error, base64Decode, base64Encode, concatBytes, crc32, latin1Decode, utf8Decode } from '../bytes';
import { CardError } from './errors';

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
/** The PNG spec caps a chunk's length at 2^31 - 1. */
const MAX_CHUNK_LENGTH = 0x7fffffff;

export interface PngChunk {
  /** Four ASCII letters, e.g. `IHDR`, `tEXt`, `acTL`. */
  type: string;
  data: Uint8Array;
  /** Byte offset of the chunk (its length field) in the file. */
  offset: number;
}

export function isPng(bytes: Uint8Array): boolean {
  if (bytes.length < PNG_SIGNATURE.length) return false;
  for (let i = 0; i < PNG_SIGNATURE.length; i++) if (bytes[i] !== PNG_SIGNATURE[i]) return false;
  return true;
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

function putU32(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
}

function isChunkType(bytes: Uint8Array, at: number): boolean {
  for (let i = at; i < at + 4; i++) {
    const c = bytes[i];
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false;
  }
  return true;
}

/**
 * Every chunk of a PNG or APNG, in order, up to and including IEND. Verifies the signature, that
 * each chunk fits in the file, its type, and its CRC; throws CardError('bad-png') naming the chunk.
 * Bytes after IEND are ignored (some tools append data there).
 */
export function readPngChunks(bytes: Uint8Array): PngChunk[] {
  if (!isPng(bytes)) {
    throw new CardError('bad-png', 'The file does not start with the PNG signature, so it is not a PNG image.');
  }
  const chunks: PngChunk[] = [];
  let at = PNG_SIGNATURE.length;
  for (;;) {
    const index = chunks.length + 1;
    if (at + 12 > bytes.length) {
      throw new CardError(
        'bad-png',
        `The PNG is cut short: it ends at byte ${bytes.length}, before its IEND chunk (the file is truncated).`,
        { offset: at, size: bytes.length },
      );
    }
    const length = u32(bytes, at);
    if (!isChunkType(bytes, at + 4)) {
      throw new CardError('bad-png', `The PNG is damaged: chunk #${index} at byte ${at} has no valid chunk type.`, {
        offset: at,
        index,
      });
    }
    const type = latin1Decode(bytes, at + 4, at + 8);
    if (length > MAX_CHUNK_LENGTH || at + 12 + length > bytes.length) {
      throw new CardError(
        'bad-png',
        `The PNG is cut short: chunk '${type}' (#${index}) at byte ${at} says it holds ${length} bytes, `
          + `but the file ends ${Math.max(0, bytes.length - at - 12)} bytes later.`,
        { chunk: type, index, offset: at, length, size: bytes.length },
      );
    }
    const stored = u32(bytes, at + 8 + length);
    const actual = crc32(bytes, 0, at + 4, at + 8 + length);
    if (stored !== actual) {
      throw new CardError(
        'bad-png',
        `The PNG is damaged: chunk '${type}' (#${index}) at byte ${at} fails its CRC check.`,
        { chunk: type, index, offset: at },
      );
    }
    if (index === 1 && type !== 'IHDR') {
      throw new CardError('bad-png', `The PNG is damaged: its first chunk is '${type}', not 'IHDR'.`, { chunk: type });
    }
    chunks.push({ type, data: bytes.subarray(at + 8, at + 8 + length), offset: at });
    at += 12 + length;
    if (type === 'IEND') return chunks;
  }
}

export interface PngText {
  keyword: string;
  text: string;
}

/** Split a tEXt chunk into keyword and Latin-1 text; undefined when it has no NUL separator. */
export function readTextChunk(data: Uint8Array): PngText | undefined {
  const nul = data.indexOf(0);
  if (nul < 1) return undefined;
  return { keyword: latin1Decode(data, 0, nul), text: latin1Decode(data, nul + 1) };
}

/** The most text a compressed (zTXt/iTXt) chunk may inflate to: more than any card file holds. */
export const MAX_INFLATED_TEXT_BYTES = 64 * 1024 * 1024;

/** zlib data -> bytes, inflated in slices so a small chunk cannot balloon past `limit`. */
function inflateText(data: Uint8Array, limit: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const inflater = new Unzlib((part, final) => {
    total += part.length;
    if (total > limit) throw new RangeError(`it inflates to more than ${limit} bytes`);
    parts.push(part);
    if (final) ended = true;
  });
  const SLICE = 16 * 1024;
  for (let at = 0; at < data.length; at += SLICE) inflater.push(data.subarray(at, Math.min(at + SLICE, data.length)), at + SLICE >= data.length);
  if (data.length === 0 || !ended) throw new Error('the compressed text is cut short');
  return concatBytes(parts);
}

/**
 * The keyword and text of a tEXt, zTXt or iTXt chunk (zTXt: Latin-1 text, zlib-compressed; iTXt:
 * UTF-8 text, compressed when its flag is 1). Undefined when the chunk has no keyword separator;
 * throws an Error saying why when its compressed text cannot be read.
 */
export function readAnyTextChunk(type: string, data: Uint8Array, limit = MAX_INFLATED_TEXT_BYTES): PngText | undefined {
  if (type === 'tEXt') return readTextChunk(data);
  const nul = data.indexOf(0);
  if (nul < 1) return undefined;
  const keyword = latin1Decode(data, 0, nul);
  if (type === 'zTXt') {
    if (nul + 1 >= data.length) throw new Error('the chunk has no compression method');
    if (data[nul + 1] !== 0) throw new Error(`compression method ${data[nul + 1]} is not zlib`);
    const raw = inflateText(data.subarray(nul + 2), limit);
    return { keyword, text: latin1Decode(raw) };
  }
  if (type === 'iTXt') {
    if (nul + 2 >= data.length) throw new Error('the chunk ends after its keyword');
    const compressed = data[nul + 1];
    const method = data[nul + 2];
    if (compressed > 1) throw new Error(`compression flag ${compressed} is neither 0 nor 1`);
    if (compressed === 1 && method !== 0) throw new Error(`compression method ${method} is not zlib`);
    const langEnd = data.indexOf(0, nul + 3);
    const transEnd = langEnd < 0 ? -1 : data.indexOf(0, langEnd + 1);
    if (transEnd < 0) throw new Error('the language tag or translated keyword is not ended');
    const body = data.subarray(transEnd + 1);
    const raw = compressed === 1 ? inflateText(body, limit) : body;
    return { keyword, text: utf8Decode(raw) };
  }
  return undefined;
}

const CARD_KEYWORDS = new Set(['chara', 'ccv3']);
// RisuAI's legacy V3 asset chunks: `chara-ext-asset_:{path}`, referenced as `__asset:{path}`.
const LEGACY_ASSET = /^chara-ext-asset_:?(.+)$/i;

function isCardChunk(chunk: PngChunk): boolean {
  if (chunk.type !== 'tEXt' && chunk.type !== 'iTXt' && chunk.type !== 'zTXt') return false;
  const nul = chunk.data.indexOf(0);
  if (nul < 1 || nul > 79) return false;
  const keyword = latin1Decode(chunk.data, 0, nul).toLowerCase();
  return CARD_KEYWORDS.has(keyword) || LEGACY_ASSET.test(keyword);
}

/** Decode the text of a `chara`/`ccv3` chunk: base64 of UTF-8 JSON (bare JSON also accepted). */
export function decodeCardText(text: string, keyword: string): unknown {
  const trimmed = text.trim();
  let json: string;
  if (trimmed.startsWith('{')) {
    json = trimmed; // a few writers skip the base64 step
  } else {
    if (!trimmed) {
      throw new CardError('bad-base64', `The PNG's '${keyword}' chunk is empty.`, { chunk: keyword });
    }
    try {
      json = utf8Decode(base64Decode(trimmed), { dropBom: 'all' });
    } catch (error) {
      const why = error instanceof Base64Error ? error.message : String(error);
      throw new CardError('bad-base64', `The PNG's '${keyword}' chunk is not valid base64 (${why}).`, {
        chunk: keyword,
      }, { cause: error });
    }
  }
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new CardError(
      'invalid-json',
      `The PNG's '${keyword}' chunk does not hold JSON (${error instanceof Error ? error.message : String(error)}).`,
      { chunk: keyword },
      { cause: error },
    );
  }
}

export interface PngCard {
  /** The parsed card JSON from the preferred chunk. */
  json: unknown;
  keyword: 'ccv3' | 'chara';
  /** RisuAI legacy asset chunks by path (`__asset:{path}` URIs), decoded. */
  legacyAssets: Map<string, Uint8Array>;
  /** The image itself: the file without card chunks and trailing bytes (what the avatar shows). */
  image: Uint8Array;
  warnings: string[];
}

/**
 * Read the card embedded in a PNG/APNG. Keywords match case-insensitively; `ccv3` wins over
 * `chara`, and an unreadable `ccv3` falls back to a readable `chara` with a warning.
 */
export function readPngCard(bytes: Uint8Array): PngCard {
  const chunks = readPngChunks(bytes);
  const warnings: string[] = [];
  const found: Partial<Record<'ccv3' | 'chara', string | CardError>> = {};
  const legacyAssets = new Map<string, Uint8Array>();
  let malformedText: number | undefined;
  chunks.forEach((chunk, i) => {
    if (chunk.type !== 'tEXt' && chunk.type !== 'zTXt' && chunk.type !== 'iTXt') return;
    let text: PngText | undefined;
    try {
      text = readAnyTextChunk(chunk.type, chunk.data);
    } catch (error) {
      // Only a card chunk that cannot be inflated matters; other compressed text is not ours.
      const keyword = latin1Decode(chunk.data, 0, Math.max(0, chunk.data.indexOf(0))).toLowerCase();
      if ((keyword === 'chara' || keyword === 'ccv3') && found[keyword] === undefined) {
        const why = error instanceof Error ? error.message : String(error);
        found[keyword] = new CardError('bad-png', `The PNG's '${keyword}' ${chunk.type} chunk cannot be read (${why}).`, { chunk: keyword });
      }
      return;
    }
    if (!text) {
      malformedText ??= i + 1;
      return;
    }
    const keyword = text.keyword.toLowerCase();
    if (keyword === 'chara' || keyword === 'ccv3') {
      if (found[keyword] !== undefined) warnings.push(`The PNG has more than one '${keyword}' chunk; the first was used.`);
      else found[keyword] = text.text;
      return;
    }
    const legacy = LEGACY_ASSET.exec(text.keyword);
    if (legacy) {
      try {
        legacyAssets.set(legacy[1], base64Decode(text.text));
      } catch {
        warnings.push(`The embedded asset '${legacy[1]}' is not valid base64 and was skipped.`);
      }
    }
  });
  if (found.ccv3 === undefined && found.chara === undefined) {
    if (malformedText !== undefined) {
      throw new CardError(
        'bad-png',
        `The PNG is damaged: text chunk #${malformedText} has no keyword separator, and no card data was found.`,
        { index: malformedText },
      );
    }
    throw new CardError('not-a-card', "This PNG image holds no character card (no 'chara' or 'ccv3' text chunk).");
  }
  const image = rebuild(bytes, chunks, []);
  const decode = (keyword: 'ccv3' | 'chara'): unknown => {
    const value = found[keyword] as string | CardError;
    if (value instanceof CardError) throw value;
    return decodeCardText(value, keyword);
  };
  if (found.ccv3 !== undefined) {
    try {
      return { json: decode('ccv3'), keyword: 'ccv3', legacyAssets, image, warnings };
    } catch (error) {
      if (found.chara === undefined) throw error;
      let json: unknown;
      try {
        json = decode('chara');
      } catch {
        throw error; // both broken: report the preferred chunk
      }
      const why = error instanceof Error ? error.message : String(error);
      warnings.push(`${why} The 'chara' chunk was used instead.`);
      return { json, keyword: 'chara', legacyAssets, image, warnings };
    }
  }
  return { json: decode('chara'), keyword: 'chara', legacyAssets, image, warnings };
}

/** Build one chunk: length, type, data, CRC. */
export function makeChunk(type: string, data: Uint8Array): Uint8Array {
  if (!/^[A-Za-z]{4}$/.test(type)) throw new Error(`Invalid PNG chunk type ${JSON.stringify(type)}`);
  const out = new Uint8Array(12 + data.length);
  putU32(out, 0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  putU32(out, 8 + data.length, crc32(out, 0, 4, 8 + data.length));
  return out;
}

/** A tEXt chunk; keyword and text must be Latin-1 (card text is base64, so ASCII). */
export function makeTextChunk(keyword: string, text: string): Uint8Array {
  const data = new Uint8Array(keyword.length + 1 + text.length);
  for (let i = 0; i < keyword.length; i++) data[i] = keyword.charCodeAt(i) & 0xff;
  data[keyword.length] = 0;
  for (let i = 0; i < text.length; i++) data[keyword.length + 1 + i] = text.charCodeAt(i) & 0xff;
  return makeChunk('tEXt', data);
}

/** base64 of the UTF-8 JSON, as card chunks carry it. */
export function encodeCardText(card: unknown): string {
  return base64Encode(new TextEncoder().encode(JSON.stringify(card)));
}

function rebuild(bytes: Uint8Array, chunks: PngChunk[], beforeIend: Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [PNG_SIGNATURE];
  for (const chunk of chunks) {
    if (isCardChunk(chunk)) continue;
    if (chunk.type === 'IEND') parts.push(...beforeIend);
    parts.push(bytes.subarray(chunk.offset, chunk.offset + 12 + chunk.data.length));
  }
  return concatBytes(parts);
}

/** The image without any card chunks (chara, ccv3, legacy asset chunks) and without trailing bytes. */
export function stripCardChunks(png: Uint8Array): Uint8Array {
  return rebuild(png, readPngChunks(png), []);
}

/**
 * Embed a card in a PNG/APNG: drop existing card chunks (any keyword case, legacy asset chunks
 * too) and insert a `chara` (V2) and/or `ccv3` (V3) tEXt chunk just before IEND.
 */
export function writePngCard(png: Uint8Array, cards: { chara?: unknown; ccv3?: unknown }): Uint8Array {
  const chunks = readPngChunks(png);
  const inserted: Uint8Array[] = [];
  if (cards.chara !== undefined) inserted.push(makeTextChunk('chara', encodeCardText(cards.chara)));
  if (cards.ccv3 !== undefined) inserted.push(makeTextChunk('ccv3', encodeCardText(cards.ccv3)));
  return rebuild(png, chunks, inserted);
}

/** Encode RGBA pixels (row-major, 4 bytes a pixel) as an 8-bit truecolour+alpha PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`Invalid PNG size ${width}x${height}`);
  }
  if (rgba.length !== width * height * 4) throw new Error('Pixel data does not match the PNG size');
  const ihdr = new Uint8Array(13);
  putU32(ihdr, 0, width);
  putU32(ihdr, 4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  const stride = width * 4;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  return concatBytes([
    PNG_SIGNATURE,
    makeChunk('IHDR', ihdr),
    makeChunk('IDAT', zlibSync(raw, { level: 9 })),
    makeChunk('IEND', new Uint8Array(0)),
  ]);
}

/** A one-colour PNG, for exporting a character whose avatar is an SVG or missing. */
export function encodeSolidPng(width: number, height: number, rgba: readonly [number, number, number, number]): Uint8Array {
  const pixels = new Uint8Array(width * height * 4);
  for (let i = 0; i < pixels.length; i += 4) pixels.set(rgba, i);
  return encodePng(width, height, pixels);
}

/** A 256x256 placeholder whose colour is derived from the name, so characters differ. */
export function placeholderPng(name: string): Uint8Array {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  const hue = (h >>> 0) % 360;
  const [r, g, b] = hslToRgb(hue / 360, 0.45, 0.55);
  return encodeSolidPng(256, 256, [r, g, b, 255]);
}

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const f = (t: number): number => {
    const u = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
    if (u < 1 / 6) return p + (q - p) * 6 * u;
    if (u < 1 / 2) return q;
    if (u < 2 / 3) return p + (q - p) * (2 / 3 - u) * 6;
    return p;
  };
  return [Math.round(f(h + 1 / 3) * 255), Math.round(f(h) * 255), Math.round(f(h - 1 / 3) * 255)];
}
