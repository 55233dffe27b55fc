// Base64 and float32 vector bytes, written by hand so core needs neither Buffer nor atob.

import { PackError } from './common';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
// The URL-safe alphabet decodes too: some exporters write it.
DECODE['-'.charCodeAt(0)] = 62;
DECODE['_'.charCodeAt(0)] = 63;

/** Standard base64 with `=` padding. */
export function encodeBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const chunk: string[] = [];
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    chunk.push(ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + ALPHABET[(v >> 6) & 63] + ALPHABET[v & 63]);
    // Join in blocks: one string per 3 bytes would cost a lot of memory on large vectors.
    if (chunk.length === 8192) {
      parts.push(chunk.join(''));
      chunk.length = 0;
    }
  }
  if (n - i === 1) {
    const v = bytes[i] << 16;
    chunk.push(ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + '==');
  } else if (n - i === 2) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    chunk.push(ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + ALPHABET[(v >> 6) & 63] + '=');
  }
  parts.push(chunk.join(''));
  return parts.join('');
}

/**
 * Base64 (standard or URL-safe, padding optional, whitespace ignored) -> bytes.
 * Throws PackError('bad-base64') on any other character or an impossible length.
 */
export function decodeBase64(text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4) + 3);
  let o = 0;
  let acc = 0;
  let bits = 0;
  let padding = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) continue;
    if (c === 61 /* = */) {
      padding++;
      continue;
    }
    const v = c < 128 ? DECODE[c] : -1;
    if (v < 0 || padding > 0) {
      throw new PackError('bad-base64', `Not base64: unexpected character at position ${i}`, { position: i });
    }
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  // 6 leftover bits can't come from whole bytes (a single trailing character); more than two `=` is wrong.
  if (bits >= 6 || padding > 2) {
    throw new PackError('bad-base64', 'Not base64: the text has an impossible length', { length: text.length });
  }
  return out.slice(0, o);
}

/** Base64 of big-endian float32 (ChatHaruhi's `struct.pack('!f')`) -> the platform's Float32Array. */
export function decodeFloat32BigEndian(base64: string): Float32Array {
  const bytes = decodeBase64(base64);
  if (bytes.length % 4 !== 0) {
    throw new PackError('bad-base64', `A float32 vector needs a multiple of 4 bytes, not ${bytes.length}`, { bytes: bytes.length });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, false);
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Float32 bytes in platform order (a SceneVector's `data`) <-> little-endian bytes, bit for bit
 * (NaN payloads included: words are swapped as integers, never read as floats).
 */
export function float32BytesToLittleEndian(data: ArrayBuffer): Uint8Array {
  const bytes = new Uint8Array(data.slice(0));
  if (!LITTLE_ENDIAN) swapWords(bytes);
  return bytes;
}

/** Little-endian float32 bytes -> an ArrayBuffer in platform order, for a SceneVector. */
export function littleEndianToFloat32Bytes(bytes: Uint8Array): ArrayBuffer {
  const copy = bytes.slice();
  if (!LITTLE_ENDIAN) swapWords(copy);
  return copy.buffer;
}

function swapWords(bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const a = bytes[i];
    const b = bytes[i + 1];
    bytes[i] = bytes[i + 3];
    bytes[i + 1] = bytes[i + 2];
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}
