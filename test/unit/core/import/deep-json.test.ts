// JSON nested 10,000 levels deep (a card's data, its extensions, a PNG chunk, a CHARX card.json, a
// World Info file, a Hearth pack) is refused as 'too-deep', never as broken JSON or a damaged PNG;
// 500 levels still import and round-trip.

import { describe, expect, it } from 'vitest';
import { cardJsonBytes, exportCardV3 } from '../../../../src/core/cards/card';
import { importCardFile } from '../../../../src/core/cards/detect';
import { CardError, guard } from '../../../../src/core/cards/errors';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../../../../src/core/cards/json-depth';
import { ImportFailure } from '../../../../src/core/import/failure';
import { readImportFile } from '../../../../src/core/import/read-file';
import { PackError } from '../../../../src/core/packs/common';
import { decodeHearthPack } from '../../../../src/core/packs/hearth-pack';
import { importStrings } from '../../../../src/core/strings/import';
import { png, text, zip } from '../cards/helpers';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const deepArray = (n: number): string => '['.repeat(n) + ']'.repeat(n);
const deepObject = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const cardWith = (data: string): string => `{"spec":"chara_card_v3","spec_version":"3.0","data":{"name":"Deep","description":"d",${data}}}`;

function failureOf(fn: () => unknown): { reason: string; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return { reason: (error as ImportFailure).reason, message: (error as Error).message };
  }
  throw new Error('expected a refusal');
}

const DEEP: Record<string, () => { name: string; bytes: Uint8Array }> = {
  'a 10,000-level array in the card data': () => ({ name: 'deep.json', bytes: enc(cardWith(`"creator_notes":${deepArray(10_000)}`)) }),
  'a 10,000-level object in the card data': () => ({ name: 'deep.json', bytes: enc(cardWith(`"x_unknown":${deepObject(10_000)}`)) }),
  'a 10,000-level array in extensions': () => ({ name: 'deep.json', bytes: enc(cardWith(`"extensions":{"x":${deepArray(10_000)}}`)) }),
  'a 10,000-level object in extensions': () => ({ name: 'deep.json', bytes: enc(cardWith(`"extensions":{"x":${deepObject(10_000)}}`)) }),
  'a PNG chara chunk with 10,000 levels in extensions': () => ({
    name: 'deep.png',
    bytes: png(text('chara', Buffer.from(cardWith(`"extensions":{"x":${deepArray(10_000)}}`)).toString('base64'))),
  }),
  'a CHARX card.json with 10,000 levels': () => ({ name: 'deep.charx', bytes: zip([{ name: 'card.json', data: cardWith(`"extensions":{"x":${deepObject(10_000)}}`) }]) }),
  'a World Info entry with 10,000 levels in its extensions': () => ({
    name: 'world.json',
    bytes: enc(`{"entries":{"0":{"uid":0,"key":["tea"],"content":"c","extensions":${deepObject(10_000)}}}}`),
  }),
  'a World Info entry whose content is 10,000 levels of lists': () => ({ name: 'world.json', bytes: enc(`{"entries":{"0":{"key":["tea"],"content":${deepArray(10_000)}}}}`) }),
  'a Hearth pack with 10,000 levels in character extensions': () => ({
    name: 'mira.json',
    bytes: enc(`{"format":"hearth-pack","version":1,"character":{"name":"Mira","extensions":${deepObject(10_000)}}}`),
  }),
};

describe('deeply nested JSON', () => {
  it.each(Object.keys(DEEP))('readImportFile refuses %s as too-deep', (label) => {
    const file = DEEP[label]();
    const failure = failureOf(() => readImportFile(file));
    expect(failure.reason).toBe('too-deep');
    expect(failure.message).toMatch(/nested too deeply \(over 1,000 levels/);
  });

  it.each(Object.keys(DEEP).filter((l) => !/World Info|Hearth/.test(l)))('importCardFile refuses %s as too-deep', (label) => {
    const { name, bytes } = DEEP[label]();
    let error: unknown;
    try {
      importCardFile(name, bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CardError);
    expect((error as CardError).reason).toBe('too-deep');
  });

  it('decodeHearthPack refuses a 10,000-level pack as too-deep', () => {
    let error: unknown;
    try {
      decodeHearthPack(DEEP['a Hearth pack with 10,000 levels in character extensions']().bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PackError);
    expect((error as PackError).reason).toBe('too-deep');
  });

  it('imports 500 levels in extensions, and they survive an export and a second import', () => {
    const nested = JSON.parse(deepObject(500)) as Record<string, unknown>;
    const read = readImportFile({ name: 'deep.json', bytes: enc(cardWith(`"extensions":{"x":${deepObject(500)}}`)) });
    const character = read.characters[0].character as Parameters<typeof exportCardV3>[0];
    expect(character.extensions.x).toEqual(nested);
    const again = importCardFile('again.json', cardJsonBytes(exportCardV3(character)));
    expect(again.character.extensions.x).toEqual(nested);
  });

  it('jsonTooDeep counts levels without recursion', () => {
    expect(jsonTooDeep(JSON.parse(deepArray(MAX_JSON_DEPTH)))).toBe(false);
    expect(jsonTooDeep(JSON.parse(deepArray(MAX_JSON_DEPTH + 1)))).toBe(true);
    expect(jsonTooDeep(JSON.parse(deepObject(100_000)))).toBe(true);
    expect(jsonTooDeep('text')).toBe(false);
    expect(jsonTooDeep(null)).toBe(false);
  });

  it('a stack overflow inside a card reader is reported as too-deep, not as the reader\'s own reason', () => {
    let error: unknown;
    try {
      guard('bad-png', 'The PNG cannot be read', () => {
        throw new RangeError('Maximum call stack size exceeded');
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CardError);
    expect((error as CardError).reason).toBe('too-deep');
    expect((error as CardError).message).toMatch(/^The PNG is nested too deeply/);
  });

  it('has an English and a Chinese sentence for the reason', () => {
    expect(importStrings.en['import.reason.too-deep']).toMatch(/nested too deeply/);
    expect(importStrings.zh['import.reason.too-deep']).toMatch(/嵌套/);
  });
});
