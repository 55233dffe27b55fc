// Exporting a character whose stored avatar names another host never fetches from it.

import { describe, expect, it, vi } from 'vitest';
import { readPngCard } from '../../../src/core/cards';
import { buildExport, type ExportDeps } from '../../../src/state/character-export';
import { makeCharacter } from '../storage/helpers';

describe('export of a character with a remote avatar URL', () => {
  for (const format of ['png', 'v3', 'charx', 'hearth'] as const) {
    it(`${format}: neither fetches nor draws the remote image`, async () => {
      const fetchImage = vi.fn<NonNullable<ExportDeps['fetchImage']>>(async () => undefined);
      const rasterize = vi.fn<NonNullable<ExportDeps['rasterize']>>(async () => undefined);
      const character = makeCharacter({ name: 'Mira', avatar: 'https://tracker.example/pixel.png' });
      const file = await buildExport(character, format, { scenes: async () => [], fetchImage, rasterize });
      expect(file.bytes.length).toBeGreaterThan(0);
      if (format === 'png') expect((readPngCard(file.bytes).json as { data: { name: string } }).data.name).toBe('Mira');
      expect(fetchImage).not.toHaveBeenCalled();
      expect(rasterize).not.toHaveBeenCalled();
    });
  }

  it('still reads an avatar that is one of the app\'s own files', async () => {
    const fetchImage = vi.fn<NonNullable<ExportDeps['fetchImage']>>(async () => undefined);
    await buildExport(makeCharacter({ avatar: './characters/mira/avatar.svg' }), 'v3', { scenes: async () => [], fetchImage });
    expect(fetchImage).toHaveBeenCalledWith('./characters/mira/avatar.svg');
  });
});
