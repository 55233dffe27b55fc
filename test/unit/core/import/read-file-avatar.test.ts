// An imported pack's avatar is stored only when showing it cannot make a request leave the device.

import { describe, expect, it } from 'vitest';
import { readImportFile } from '../../../../src/core/import/read-file';

function hearthPack(avatar: string): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ format: 'hearth-pack', version: 1, character: { name: 'Mira', avatar } }));
}

describe('imported pack avatars', () => {
  it('drops a remote avatar URL (the gallery would fetch it from that host)', () => {
    for (const url of ['https://tracker.example/pixel.png?who=me', '//tracker.example/p.png', 'javascript:alert(1)']) {
      const read = readImportFile({ name: 'mira.json', bytes: hearthPack(url) });
      expect(read.characters[0].character.name).toBe('Mira');
      expect(read.characters[0].character.avatar, url).toBe('');
    }
  });

  it('keeps an avatar carried in the pack', () => {
    const url = 'data:image/png;base64,iVBORw0KGgo=';
    expect(readImportFile({ name: 'mira.json', bytes: hearthPack(url) }).characters[0].character.avatar).toBe(url);
  });
});
