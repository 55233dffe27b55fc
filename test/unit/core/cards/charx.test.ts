import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { CARD_PRESERVED_KEY, type PreservedCard } from '../../../../src/core/cards/card';
import { exportCharx, importCharx } from '../../../../src/core/cards/charx';
import { importCardFile } from '../../../../src/core/cards/detect';
import { encodeSolidPng } from '../../../../src/core/cards/png';
import { zip } from './helpers';

const icon = encodeSolidPng(3, 3, [10, 200, 30, 255]);
const background = encodeSolidPng(4, 2, [1, 2, 3, 255]);
const voice = Uint8Array.from({ length: 300 }, (_, i) => i % 7);

function charxCard(): Record<string, unknown> {
  return {
    spec: 'chara_card_v3',
    spec_version: '3.0',
    data: {
      name: 'Zip Zara',
      description: 'Lives in an archive.',
      first_mes: 'Unzip me.',
      group_only_greetings: [],
      extensions: { risuai: { utilityBot: false } },
      assets: [
        { type: 'icon', uri: 'embeded://assets/icon/images/main.png', name: 'main', ext: 'png' },
        { type: 'background', uri: 'embeded://assets/background/images/forest.png', name: 'forest', ext: 'png' },
        { type: 'x_voice', uri: 'embeded://assets/other/audio/voice.mp3', name: 'voice', ext: 'mp3', x_meta: 'kept' },
        { type: 'emotion', uri: 'https://example.com/happy.png', name: 'happy', ext: 'png' },
      ],
    },
  };
}

function charxBytes(card: unknown = charxCard()): Uint8Array {
  return zip([
    { name: 'card.json', data: JSON.stringify(card) },
    { name: 'assets/', method: 0 },
    { name: 'assets/icon/images/main.png', data: icon, method: 0 },
    { name: 'assets/background/images/forest.png', data: background },
    { name: 'assets/other/audio/voice.mp3', data: voice },
    { name: 'module.risum', data: 'risu module bytes' },
    { name: 'x_meta/1.json', data: '{"type":"png"}' },
  ]);
}

describe('CHARX import', () => {
  it('makes the main icon the avatar, keeps other assets with bytes, resolves embeded:// URIs', () => {
    const parsed = importCharx(charxBytes());
    expect(parsed.character.name).toBe('Zip Zara');
    expect(parsed.avatar).toEqual({ bytes: icon, mime: 'image/png' });
    const assets = parsed.character.assets!;
    expect(assets.map((a) => a.name)).toEqual(['forest', 'voice', 'happy']);
    expect(assets[0]).toMatchObject({ type: 'background', uri: 'embeded://assets/background/images/forest.png', data: background, mime: 'image/png' });
    expect(assets[1]).toMatchObject({ type: 'x_voice', data: voice, mime: 'audio/mpeg', extra: { x_meta: 'kept' } });
    expect(assets[2].data).toBeUndefined();
    const preserved = parsed.character.extensions[CARD_PRESERVED_KEY] as PreservedCard;
    expect(Object.keys(preserved.files!).sort()).toEqual(['module.risum', 'x_meta/1.json']);
    expect(parsed.warnings).toEqual([]);
  });

  it('is dispatched by importCardFile from the zip signature', () => {
    const result = importCardFile('zara.charx', charxBytes());
    expect(result.format).toBe('charx');
  });

  it('reads CHARX appended to a JPEG (RisuAI)', () => {
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1, 0xff, 0xd9]);
    const bytes = zip([{ name: 'card.json', data: JSON.stringify(charxCard()) }], { prefix: jpeg });
    const result = importCardFile('zara.jpg', bytes);
    expect(result.format).toBe('charx');
    expect(result.character.name).toBe('Zip Zara');
    expect(result.warnings.join(' ')).toMatch(/does not contain/); // its assets are missing from this archive
  });

  it('accepts a single top folder holding card.json, with a warning', () => {
    const bytes = zip([
      { name: 'Zara/card.json', data: JSON.stringify(charxCard()) },
      { name: 'Zara/assets/icon/images/main.png', data: icon },
    ]);
    const parsed = importCharx(bytes);
    expect(parsed.avatar?.bytes).toEqual(icon);
    expect(parsed.warnings[0]).toMatch(/folder 'Zara\/'/);
  });

  it('warns about a missing embedded file but keeps the asset', () => {
    const bytes = zip([{ name: 'card.json', data: JSON.stringify(charxCard()) }, { name: 'assets/icon/images/main.png', data: icon }]);
    const parsed = importCharx(bytes);
    expect(parsed.character.assets!.find((a) => a.name === 'forest')!.data).toBeUndefined();
    expect(parsed.warnings.join('\n')).toMatch(/forest.*does not contain/);
  });
});

describe('CHARX export', () => {
  it('writes card.json first and assets under assets/{type}/{kind}/', () => {
    const parsed = importCharx(charxBytes());
    const bytes = exportCharx(parsed.character, parsed.avatar);
    const files = unzipSync(bytes);
    expect(Object.keys(files)[0]).toBe('card.json');
    expect(Object.keys(files).sort()).toEqual([
      'assets/background/images/forest.png', 'assets/icon/images/main.png', 'assets/other/audio/voice.mp3', 'card.json', 'module.risum', 'x_meta/1.json',
    ]);
    const card = JSON.parse(new TextDecoder().decode(files['card.json'])) as { spec: string; data: { assets: Array<{ uri: string; name: string }> } };
    expect(card.spec).toBe('chara_card_v3');
    expect(card.data.assets.map((a) => a.uri)).toEqual([
      'embeded://assets/icon/images/main.png',
      'embeded://assets/background/images/forest.png',
      'embeded://assets/other/audio/voice.mp3',
      'https://example.com/happy.png',
    ]);
  });

  it('builds safe ASCII paths for assets that came without one, and unique names', () => {
    const data = Uint8Array.from([1]);
    const character = importCharx(charxBytes()).character;
    character.assets = [
      { type: 'emotion', name: 'joy ☺/../x', ext: 'webp', uri: 'data:image/webp;base64,', data, mime: 'image/webp' },
      { type: 'emotion', name: 'joy ☺/../x', ext: 'webp', uri: 'data:image/webp;base64,', data, mime: 'image/webp' },
      { type: 'x_custom', name: '', ext: 'bin', uri: 'embeded://../evil.bin', data },
    ];
    const files = Object.keys(unzipSync(exportCharx(character)));
    expect(files).toContain('assets/emotion/images/joy_._x.webp');
    expect(files).toContain('assets/emotion/images/joy_._x-2.webp');
    expect(files).toContain('assets/other/other/asset-3.bin');
    expect(files.every((f) => !f.includes('..') && /^[\x21-\x7e]+$/.test(f))).toBe(true);
  });

  it('without an avatar writes a ccdefault: main icon', () => {
    const character = importCharx(charxBytes()).character;
    const files = unzipSync(exportCharx(character));
    const card = JSON.parse(new TextDecoder().decode(files['card.json'])) as { data: { assets: Array<{ uri: string }> } };
    expect(card.data.assets[0].uri).toBe('ccdefault:');
  });
});
