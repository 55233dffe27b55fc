// CHARX (.charx, a ZIP with `card.json` at the root and its assets): import within limits, and
// export with assets under `assets/{type}/{kind}/`. Files no asset references are kept too.

import type { CharacterAsset } from '../types';
import { base64Decode, base64Encode, decodeText } from '../bytes';
import { extFromMime, type ImageBytes } from './media';
import {
  CARD_PRESERVED_KEY,
  assetMime,
  embeddedPath,
  exportCardV3WithPlan,
  parseCard,
  preservedOf,
  type CardCharacter,
  type ParsedCard,
  type PreservedCard,
} from './card';
import { CardError, guard } from './errors';
import { DEFAULT_ZIP_LIMITS, formatBytes, readZip, unsafePathReason, writeZip, type ZipLimits } from './charx-archive';

export interface CharxImportOptions {
  limits?: ZipLimits;
  /** Archive files that no asset references are kept up to this many bytes in all. */
  maxPreservedBytes?: number;
}

const DEFAULT_MAX_PRESERVED = 16 * 1024 * 1024;

/**
 * Import a CHARX archive. The main icon becomes the avatar; other assets keep their bytes;
 * `embeded://` URIs resolve against the archive. Throws CardError: bad-zip, zip-too-many-entries,
 * zip-too-large, unsafe-path, not-a-card (no card.json), invalid-json (card.json is not JSON).
 */
export function importCharx(bytes: Uint8Array, options: CharxImportOptions = {}): ParsedCard {
  const limits = options.limits ?? DEFAULT_ZIP_LIMITS;
  const { files, duplicates } = guard('bad-zip', 'The ZIP archive cannot be read', () => readZip(bytes, limits));
  const warnings: string[] = [];
  for (const name of duplicates) warnings.push(`The archive holds '${name}' more than once; the first copy was used.`);

  // Some people zip the folder instead of its contents: accept a single top folder holding card.json.
  let prefix = '';
  if (!files.has('card.json')) {
    const nested = [...files.keys()].filter((name) => /^[^/]+\/card\.json$/.test(name));
    if (nested.length !== 1) {
      throw new CardError('not-a-card', 'The archive has no card.json at its root, so it is not a CHARX character card.');
    }
    prefix = nested[0].slice(0, -'card.json'.length);
    warnings.push(`card.json was found in the folder '${prefix}' instead of the archive root; it was used.`);
  }
  const cardPath = `${prefix}card.json`;
  const cardBytes = files.get(cardPath) as Uint8Array;
  let json: unknown;
  try {
    json = JSON.parse(decodeText(cardBytes, { dropBom: 'all' }));
  } catch (error) {
    throw new CardError(
      'invalid-json',
      `The archive's card.json is not valid JSON (${error instanceof Error ? error.message : String(error)}).`,
      { file: cardPath },
      { cause: error },
    );
  }

  const referenced = new Set<string>([cardPath]);
  const lookup = (path: string): Uint8Array | undefined => {
    const full = files.has(prefix + path) ? prefix + path : files.has(path) ? path : undefined;
    if (full === undefined) return undefined;
    referenced.add(full);
    return files.get(full);
  };
  const parsed = parseCard(json, { embedded: lookup });

  // Keep what no asset references (RisuAI's module.risum, x_meta/*.json…) so it exports again.
  const extras: Record<string, string> = {};
  let kept = 0;
  const maxPreserved = options.maxPreservedBytes ?? DEFAULT_MAX_PRESERVED;
  for (const [name, data] of files) {
    if (referenced.has(name)) continue;
    if (kept + data.length > maxPreserved) {
      warnings.push(`The archive file '${name}' (${formatBytes(data.length)}) is not used by the card and was not kept.`);
      continue;
    }
    kept += data.length;
    Object.defineProperty(extras, name.slice(name.startsWith(prefix) ? prefix.length : 0), {
      value: base64Encode(data),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  if (Object.keys(extras).length) {
    const preserved = parsed.character.extensions[CARD_PRESERVED_KEY] as PreservedCard;
    preserved.files = extras;
  }
  return { ...parsed, warnings: [...warnings, ...parsed.warnings] };
}

const TYPE_FOLDERS = new Set(['icon', 'background', 'emotion', 'user_icon']);

function kindFolder(mime: string): string {
  if (mime.startsWith('image/')) return 'images';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('font/')) return 'fonts';
  return 'other';
}

function safeSegment(text: string, fallback: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/\.{2,}/g, '.').replace(/^[._]+|_+$/g, '').slice(0, 64);
  return cleaned || fallback;
}

/** A stored path is reused when it is safe and ASCII (CHARX wants ASCII-only paths). */
function reusablePath(uri: string, ext: string | undefined, used: ReadonlySet<string>): string | undefined {
  const path = embeddedPath(uri);
  if (path === undefined || unsafePathReason(path) || !/^[\x21-\x7e]+$/.test(path) || path.endsWith('/')) return undefined;
  if (path === 'card.json' || used.has(path)) return undefined;
  if (ext !== undefined && !path.toLowerCase().endsWith(`.${ext.toLowerCase()}`)) return undefined;
  return path;
}

function uniquePath(base: string, ext: string, used: ReadonlySet<string>): string {
  const suffix = ext ? `.${ext}` : '';
  let path = `${base}${suffix}`;
  for (let n = 2; used.has(path); n++) path = `${base}-${n}${suffix}`;
  return path;
}

export interface CharxExportOptions {
  /** Fixed file times, for byte-identical archives. */
  mtime?: Date;
}

/**
 * Export a CHARX archive: card.json (V3) plus the avatar as the main icon and every asset that has
 * bytes under `assets/{icon|background|emotion|user_icon|other}/{images|audio|…}/`, plus the
 * archive files kept from import. Assets without bytes keep their URI.
 */
export function exportCharx(character: CardCharacter, avatar?: ImageBytes, options: CharxExportOptions = {}): Uint8Array {
  const preserved = preservedOf(character);
  const files = new Map<string, Uint8Array>();
  const used = new Set<string>(['card.json']);
  files.set('card.json', new Uint8Array(0)); // placeholder, so card.json comes first

  let mainIcon: { uri: string; ext: string } | undefined = { uri: 'ccdefault:', ext: 'png' };
  if (avatar) {
    const ext = extFromMime(avatar.mime) ?? 'png';
    const path = (preserved.avatarAsset && reusablePath(preserved.avatarAsset.uri, ext, used))
      ?? uniquePath('assets/icon/images/main', ext, used);
    used.add(path);
    files.set(path, avatar.bytes);
    mainIcon = { uri: `embeded://${path}`, ext };
  }

  const assets: CharacterAsset[] = character.assets ?? [];
  const uris = assets.map((asset, i) => {
    if (!asset.data) return asset.uri;
    const ext = asset.ext || extFromMime(assetMime(asset)) || '';
    const path = reusablePath(asset.uri, undefined, used) ?? uniquePath(
      `assets/${TYPE_FOLDERS.has(asset.type) ? asset.type : 'other'}/${kindFolder(assetMime(asset))}/${safeSegment(asset.name, `asset-${i + 1}`)}`,
      safeSegment(ext, ''),
      used,
    );
    used.add(path);
    files.set(path, asset.data);
    return `embeded://${path}`;
  });

  for (const [name, text] of Object.entries(preserved.files ?? {})) {
    if (used.has(name) || unsafePathReason(name) || typeof text !== 'string') continue;
    try {
      files.set(name, base64Decode(text));
      used.add(name);
    } catch {
      // A corrupted preserved file is dropped rather than failing the export.
    }
  }

  const card = exportCardV3WithPlan(character, mainIcon, (_asset, i) => uris[i]);
  files.set('card.json', new TextEncoder().encode(JSON.stringify(card, null, 2)));
  return writeZip(files, options.mtime);
}
