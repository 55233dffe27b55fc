// Low-level byte helpers for every codec in core (cards, packs, zip, backup): base64 without atob
// (so Node and workers behave alike), CRC-32, UTF-8 and Latin-1 text, joining bytes, and the
// plain-object check for parsed JSON.

import { HearthError } from './errors';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;
// The URL-safe alphabet turns up in cards and packs written by web tools; it costs nothing to accept.
B64_INDEX['-'.charCodeAt(0)] = 62;
B64_INDEX['_'.charCodeAt(0)] = 63;

/** Standard base64 with `=` padding. */
export function base64Encode(bytes: Uint8Array): string {
  const parts: string[] = [];
  const chunk: string[] = [];
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    chunk.push(B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63]);
    // Join in blocks: one string per 3 bytes would cost a lot of memory on large vectors (and
    // appending to one string is several times slower on a 30 MB pack).
    if (chunk.length === 8192) {
      parts.push(chunk.join(''));
      chunk.length = 0;
    }
  }
  if (n - i === 1) {
    const v = bytes[i] << 16;
    chunk.push(B64[v >> 18] + B64[(v >> 12) & 63] + '==');
  } else if (n - i === 2) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    chunk.push(B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + '=');
  }
  parts.push(chunk.join(''));
  return parts.join('');
}

/** What is wrong with a base64 text: a character outside the alphabet (or after padding), its length, its padding. */
export type Base64Fact = 'bad-character' | 'bad-length' | 'too-much-padding';

export class Base64Error extends HearthError<Base64Fact> {
  constructor(fact: Base64Fact, message: string, details: { position: number }, options?: { cause?: unknown }) {
    super(fact, message, details, options);
    this.name = 'Base64Error';
  }

  /** Where the bad character is; the text's length for a bad length or padding. */
  get position(): number {
    return Number(this.details.position);
  }
}

/**
 * Decode standard or URL-safe base64. Whitespace is skipped and padding is optional; any other
 * character, or a length that cannot be base64, throws Base64Error.
 */
export function base64Decode(text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4) + 3);
  let o = 0;
  let acc = 0;
  let bits = 0;
  let count = 0;
  let padding = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    if (c === 61 /* = */) {
      padding++;
      continue;
    }
    const v = c < 256 ? B64_INDEX[c] : -1;
    if (v < 0 || padding > 0) {
      const shown = v < 0 ? JSON.stringify(text[i]) : "'=' padding";
      throw new Base64Error('bad-character', `unexpected ${shown} at position ${i}`, { position: i });
    }
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    count++;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  // A single character left over cannot come from whole bytes.
  if (count % 4 === 1) throw new Base64Error('bad-length', 'the text length is not valid base64', { position: text.length });
  if (padding > 2) throw new Base64Error('too-much-padding', 'too much padding', { position: text.length });
  return out.slice(0, o);
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (PNG and ZIP flavour). Pass the previous result as `crc` to continue a running sum. */
export function crc32(bytes: Uint8Array, crc = 0, start = 0, end = bytes.length): number {
  let c = ~crc >>> 0;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const encoder = new TextEncoder();
const UTF8_LOOSE = new TextDecoder('utf-8');
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true });

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

export interface Utf8DecodeOptions {
  /**
   * false (the default): invalid sequences become U+FFFD. true: they throw a TypeError, for
   * callers that must tell text from binary (pack files, zip names, backups).
   */
  fatal?: boolean;
  /**
   * 'one' (the default): a leading byte-order mark is dropped, as the Encoding standard's decoder
   * does. 'all' drops a second one as well (card JSON from tools that add a BOM to text that
   * already had one).
   */
  dropBom?: 'one' | 'all';
}

/** UTF-8 bytes -> text, loose or strict (see Utf8DecodeOptions). */
export function utf8Decode(bytes: Uint8Array, options: Utf8DecodeOptions = {}): string {
  const text = (options.fatal ? UTF8_STRICT : UTF8_LOOSE).decode(bytes);
  return options.dropBom === 'all' && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const UTF16 = {
  le: { loose: new TextDecoder('utf-16le'), strict: new TextDecoder('utf-16le', { fatal: true }) },
  be: { loose: new TextDecoder('utf-16be'), strict: new TextDecoder('utf-16be', { fatal: true }) },
};

/** The UTF-16 byte order named by a leading byte-order mark, or null when there is none. */
export function utf16Bom(bytes: Uint8Array): 'le' | 'be' | null {
  if (bytes.length < 2) return null;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'be';
  return null;
}

/**
 * A text file's bytes -> text: UTF-16 LE or BE when they start with that byte-order mark (Windows
 * editors save "Unicode" text so), UTF-8 otherwise. The options work as for utf8Decode; `fatal`
 * also refuses broken UTF-16 (an odd byte count, a lone surrogate).
 */
export function decodeText(bytes: Uint8Array, options: Utf8DecodeOptions = {}): string {
  const bom = utf16Bom(bytes);
  if (!bom) return utf8Decode(bytes, options);
  // The decoder drops the mark it was chosen by.
  const text = UTF16[bom][options.fatal ? 'strict' : 'loose'].decode(bytes);
  return options.dropBom === 'all' && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function latin1Decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i += 0x2000) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(i + 0x2000, end)));
  }
  return s;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A plain JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
