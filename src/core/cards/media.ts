// What the card codecs know about asset files: MIME types from bytes and extensions, and data: URLs.

import { base64Decode, base64Encode, utf8Encode } from '../bytes';

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
