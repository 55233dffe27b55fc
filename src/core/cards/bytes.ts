// Byte helpers shared by the card codecs: base64 (no atob, so Node and workers behave alike),
// CRC-32, UTF-8, data: URLs, and the file-type names of card assets.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;
// The URL-safe alphabet turns up in cards written by web tools; it costs nothing to accept.
B64_INDEX['-'.charCodeAt(0)] = 62;
B64_INDEX['_'.charCodeAt(0)] = 63;

export function base64Encode(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 0x6000; // multiple of 3, so only the last chunk pads
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(start + CHUNK, bytes.length);
    let s = '';
    let i = start;
    for (; i + 2 < end; i += 3) {
      const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      s += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
    }
    if (i < end) {
      const rest = end - i;
      const n = (bytes[i] << 16) | (rest === 2 ? bytes[i + 1] << 8 : 0);
      s += B64[n >> 18] + B64[(n >> 12) & 63] + (rest === 2 ? B64[(n >> 6) & 63] : '=') + '=';
    }
    parts.push(s);
  }
  return parts.join('');
}

export class Base64Error extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.name = 'Base64Error';
    this.position = position;
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
      throw new Base64Error(`unexpected ${shown} at position ${i}`, i);
    }
    acc = (acc << 6) | v;
    bits += 6;
    count++;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if (count % 4 === 1) throw new Base64Error('the text length is not valid base64', text.length);
  if (padding > 2) throw new Base64Error('too much padding', text.length);
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
const decoder = new TextDecoder('utf-8');

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** UTF-8 decode, dropping a byte-order mark; invalid sequences become U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  const text = decoder.decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
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

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Image (or other asset) bytes with their MIME type. */
export interface ImageBytes {
  bytes: Uint8Array;
  mime: string;
}

const EXT_TO_MIME: Record<string, string> = {
  png: 'image/png',
  apng: 'image/apng',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  svg: 'image/svg+xml',
  bmp: 'image/bmp',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
  mp4: 'video/mp4',
  webm: 'video/webm',
  json: 'application/json',
  txt: 'text/plain',
  ttf: 'font/ttf',
  otf: 'font/otf',
  woff: 'font/woff',
  woff2: 'font/woff2',
};

const MIME_TO_EXT: Record<string, string> = {
  'image/png': 'png',
  'image/apng': 'png',
  'image/jpeg': 'jpeg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/avif': 'avif',
  'image/svg+xml': 'svg',
  'image/bmp': 'bmp',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'audio/wav': 'wav',
  'audio/flac': 'flac',
  'audio/mp4': 'm4a',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'application/json': 'json',
  'text/plain': 'txt',
};

/** Recognise common image formats by their first bytes. */
export function sniffMime(bytes: Uint8Array): string | undefined {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46
    && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return 'image/webp';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return 'image/gif';
  return undefined;
}

export function mimeFromExt(ext: string): string | undefined {
  return EXT_TO_MIME[ext.toLowerCase().replace(/^\./, '')];
}

/** The asset MIME type: what the bytes say, else what the extension says, else octet-stream. */
export function guessMime(bytes: Uint8Array | undefined, ext: string): string {
  return (bytes && sniffMime(bytes)) ?? mimeFromExt(ext) ?? 'application/octet-stream';
}

export function extFromMime(mime: string): string | undefined {
  return MIME_TO_EXT[mime.toLowerCase()];
}

export function toDataUrl(bytes: Uint8Array, mime: string): string {
  return `data:${mime};base64,${base64Encode(bytes)}`;
}

/** Decode a `data:` URL; undefined when it is not one or its payload is broken. */
export function fromDataUrl(url: string): ImageBytes | undefined {
  const match = /^data:([^,]*?),/i.exec(url);
  if (!match) return undefined;
  const meta = match[1];
  const payload = url.slice(match[0].length);
  const isBase64 = /;base64$/i.test(meta);
  const mime = (isBase64 ? meta.slice(0, -7) : meta).split(';')[0].trim().toLowerCase() || 'text/plain';
  try {
    const bytes = isBase64 ? base64Decode(payload) : utf8Encode(decodeURIComponent(payload));
    return { bytes, mime };
  } catch {
    return undefined;
  }
}
