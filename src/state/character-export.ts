// Turning a stored character into a file to download: PNG card, V3 JSON, CHARX, or a Hearth pack.

import { cardJsonBytes, exportCardV3, exportCharx, exportPngCard, fromDataUrl, isPng, type ImageBytes } from '../core/cards';
import { localImageUrl } from '../core/image-url';
import { withUncappedFields } from '../core/import/field-caps';
import { IMPORT_EXTENSION_KEY } from '../core/import/records';
import { encodeHearthPack, HEARTH_PACK_EXTENSION } from '../core/packs';
import { AppError } from '../core/errors';
import type { Character, Scene } from '../core/types';

export type ExportFormat = 'png' | 'v3' | 'charx' | 'hearth';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['png', 'v3', 'charx', 'hearth'];

export interface ExportFile {
  name: string;
  mime: string;
  bytes: Uint8Array;
}

export interface ExportDeps {
  /** The character's corpus (only the Hearth pack carries it). */
  scenes: () => Promise<Scene[]>;
  /** The avatar's bytes when it is not a data: URL (a same-origin file); undefined when unreachable. */
  fetchImage?: (url: string) => Promise<ImageBytes | undefined>;
  /** The avatar as a PNG (SVG/JPEG/WebP drawn on a canvas); undefined when that is not possible. */
  rasterize?: (url: string) => Promise<Uint8Array | undefined>;
}

const EXTENSIONS: Record<ExportFormat, string> = {
  png: '.png',
  v3: '.card.json',
  charx: '.charx',
  hearth: HEARTH_PACK_EXTENSION,
};
const MIMES: Record<ExportFormat, string> = {
  png: 'image/png',
  v3: 'application/json',
  charx: 'application/zip',
  hearth: 'application/json',
};

/**
 * A file name from the character's name: characters file systems refuse (and control characters)
 * become '_', letters of any script stay, so "李白" exports as "李白.png".
 */
export function exportFileName(name: string, format: ExportFormat): string {
  return `${safeFileBase(name, 'character')}${EXTENSIONS[format]}`;
}

/** A name file systems accept, for any exported file (a chat's title too); `fallback` when nothing is left. */
export function safeFileBase(name: string, fallback: string): string {
  const base = name
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}/\\:*?"<>|]+/gu, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
    .slice(0, 80)
    .trim();
  return base || fallback;
}

async function avatarBytes(character: Character, deps: ExportDeps): Promise<ImageBytes | undefined> {
  // A remote avatar (from an older import or a backup) is not fetched: nothing leaves the device.
  if (!localImageUrl(character.avatar)) return undefined;
  return fromDataUrl(character.avatar) ?? (await deps.fetchImage?.(character.avatar));
}

/** The avatar as PNG bytes: itself when it already is one, else rasterised; undefined -> placeholder. */
async function avatarPng(character: Character, deps: ExportDeps): Promise<Uint8Array | undefined> {
  const image = await avatarBytes(character, deps);
  if (image && isPng(image.bytes)) return image.bytes;
  if (!localImageUrl(character.avatar)) return undefined;
  try {
    const png = await deps.rasterize?.(character.avatar);
    return png && isPng(png) ? png : undefined;
  } catch {
    return undefined; // exportPngCard draws a placeholder instead
  }
}

/** This device's note of where an import came from (file name, time) is private: it never leaves. */
function withoutProvenance(character: Character): Character {
  if (!(IMPORT_EXTENSION_KEY in character.extensions)) return character;
  const { [IMPORT_EXTENSION_KEY]: _provenance, ...extensions } = character.extensions;
  return { ...character, extensions };
}

/** Build the file for one format. Only the Hearth pack reads the corpus. */
export async function buildExport(stored: Character, format: ExportFormat, deps: ExportDeps): Promise<ExportFile> {
  // A group's card fields are only its name: as a card or pack it would import as an empty character.
  if (stored.group) throw new AppError('group-not-a-card', `${stored.name} is a group, not a character card.`, { name: stored.name });
  // Fields capped at import go out whole, as the file that brought them had them.
  const character = withUncappedFields(withoutProvenance(stored));
  const name = exportFileName(character.name, format);
  const mime = MIMES[format];
  switch (format) {
    case 'png':
      return { name, mime, bytes: exportPngCard(character, await avatarPng(character, deps)) };
    case 'v3': {
      const avatar = await avatarBytes(character, deps);
      return { name, mime, bytes: cardJsonBytes(exportCardV3(character, avatar ? { avatar } : {})) };
    }
    case 'charx':
      return { name, mime, bytes: exportCharx(character, await avatarBytes(character, deps)) };
    case 'hearth': {
      const scenes = await deps.scenes();
      const avatar = await avatarBytes(character, deps);
      const text = encodeHearthPack({
        // The avatar block holds the image; don't write it a second time as a URL.
        character: avatar ? { ...character, avatar: '' } : character,
        ...(avatar ? { avatar } : {}),
        assets: character.assets ?? [],
        scenes: scenes.map(({ title, text: sceneText, lines, tokens, source, vectors, kind, generated }) => ({
          title, text: sceneText, lines, tokens, source, vectors, ...(kind ? { kind } : {}), ...(generated ? { generated } : {}),
        })),
      });
      return { name, mime, bytes: new TextEncoder().encode(text) };
    }
  }
}
