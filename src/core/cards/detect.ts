// One entry point for a dropped or picked card file: sniff PNG / ZIP (CHARX) / JSON by content,
// enforce the file-size limit, and return the parsed card or a CardError (never anything else).

import { parseCard, type ParsedCard } from './card';
import { importCharx } from './charx';
import { formatBytes, findEndOfCentralDirectory, isZipSignature, type ZipLimits } from './charx-archive';
import { decodeText, utf16Bom } from '../bytes';
import { sniffMime } from './media';
import { CardError, guard, type CardErrorReason } from './errors';
import { isPng, readPngCard } from './png';

export const MAX_CARD_FILE_BYTES = 50 * 1024 * 1024;

export type CardFileFormat = 'png' | 'json' | 'charx';

export interface ImportResult extends ParsedCard {
  format: CardFileFormat;
}

export interface ImportOptions {
  maxFileBytes?: number;
  zipLimits?: ZipLimits;
}

/** A PNG/APNG card: ccv3 preferred over chara; the image (without card chunks) is the avatar. */
export function importPngCard(bytes: Uint8Array): ParsedCard {
  const png = readPngCard(bytes);
  const parsed = parseCard(png.json, {
    containerImage: { bytes: png.image, mime: 'image/png' },
    legacy: (path) => png.legacyAssets.get(path),
  });
  return { ...parsed, warnings: [...png.warnings, ...parsed.warnings] };
}

/** A JSON card file (V1, V2, V3 or SillyTavern's mix). */
export function importJsonCard(bytes: Uint8Array): ParsedCard {
  let json: unknown;
  try {
    json = JSON.parse(decodeText(bytes, { dropBom: 'all' }));
  } catch (error) {
    throw new CardError(
      'invalid-json',
      `The file is not valid JSON (${error instanceof Error ? error.message : String(error)}).`,
      {},
      { cause: error },
    );
  }
  return parseCard(json);
}

function firstNonSpace(bytes: Uint8Array): number | undefined {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  else if (utf16Bom(bytes)) {
    // UTF-16: look at the first non-space code unit.
    const text = decodeText(bytes.subarray(0, 64)).trimStart();
    return text ? text.charCodeAt(0) : undefined;
  }
  for (; i < Math.min(bytes.length, 4096); i++) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return c;
  }
  return undefined;
}

const IMAGE_NAMES: Record<string, string> = {
  'image/jpeg': 'a JPEG image',
  'image/webp': 'a WebP image',
  'image/gif': 'a GIF image',
};

/**
 * Import a card file by content (the name only sharpens error messages). Throws CardError with
 * reason too-large, not-a-card, bad-png, bad-base64, invalid-json, unsupported-version, bad-zip,
 * zip-too-many-entries, zip-too-large or unsafe-path.
 */
export function importCardFile(name: string, bytes: Uint8Array, options: ImportOptions = {}): ImportResult {
  const maxBytes = options.maxFileBytes ?? MAX_CARD_FILE_BYTES;
  if (bytes.length === 0) throw new CardError('not-a-card', 'The file is empty.', { name });
  if (bytes.length > maxBytes) {
    throw new CardError(
      'too-large',
      `The file is ${formatBytes(bytes.length)}; a character card may be at most ${formatBytes(maxBytes)}.`,
      { name, bytes: bytes.length, limit: maxBytes },
    );
  }
  const lower = name.toLowerCase();
  const run = (format: CardFileFormat, reason: CardErrorReason, what: string, fn: () => ParsedCard): ImportResult =>
    ({ format, ...guard(reason, what, fn) });

  if (isPng(bytes)) return run('png', 'bad-png', 'The PNG cannot be read', () => importPngCard(bytes));
  const charx = (): ImportResult =>
    run('charx', 'bad-zip', 'The CHARX archive cannot be read', () => importCharx(bytes, { limits: options.zipLimits }));
  if (isZipSignature(bytes)) return charx();
  const mime = sniffMime(bytes);
  if (mime) {
    // RisuAI also writes CHARX appended to a JPEG.
    if (findEndOfCentralDirectory(bytes) >= 0) return charx();
    throw new CardError(
      'not-a-card',
      `This is ${IMAGE_NAMES[mime] ?? 'an image'} without character card data; cards are PNG, JSON or CHARX files.`,
      { name, mime },
    );
  }
  const first = firstNonSpace(bytes);
  if (first === 0x7b /* { */ || first === 0x5b /* [ */ || lower.endsWith('.json')) {
    return run('json', 'invalid-json', 'The JSON card cannot be read', () => importJsonCard(bytes));
  }
  if (lower.endsWith('.png') || lower.endsWith('.apng')) {
    throw new CardError('bad-png', 'The file is named like a PNG image but is not one (its PNG signature is missing).', { name });
  }
  if (lower.endsWith('.charx') || lower.endsWith('.zip')) {
    throw new CardError('bad-zip', 'The file is named like a CHARX/ZIP archive but is not one (its ZIP signature is missing).', { name });
  }
  throw new CardError('not-a-card', 'The file is not a character card: cards are PNG images, JSON files or CHARX archives.', {
    name,
  });
}
