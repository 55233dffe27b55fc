// Pack bytes: base64 worded as PackErrors, and float32 vectors in the byte orders packs use.

import { Base64Error, base64Decode } from '../bytes';
import { PackError } from './common';

/**
 * Base64 (standard or URL-safe, padding optional, whitespace ignored) -> bytes.
 * Throws PackError('bad-base64') on any other character or an impossible length.
 */
export function decodeBase64(text: string): Uint8Array {
  try {
    return base64Decode(text);
  } catch (error) {
    if (!(error instanceof Base64Error)) throw error;
    if (error.code === 'bad-character') {
      throw new PackError('bad-base64', `Not base64: unexpected character at position ${error.position}`, { position: error.position });
    }
    throw new PackError('bad-base64', 'Not base64: the text has an impossible length', { length: text.length });
  }
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

/**
 * Where a vector holds a number that is not finite (NaN, Infinity, -Infinity): a sentence naming
 * the first such entry, or null when every number is finite. Such a vector breaks cosine scoring
 * (every score it touches becomes NaN), so readers drop it with a warning.
 */
export function nonFiniteProblem(floats: Float32Array): string | null {
  for (let i = 0; i < floats.length; i++) {
    const x = floats[i];
    if (!Number.isFinite(x)) return `number ${i + 1} of ${floats.length} is ${String(x)}`;
  }
  return null;
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
