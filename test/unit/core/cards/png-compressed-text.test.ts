// Cards stored in compressed PNG text chunks: zTXt (Latin-1, zlib) and iTXt (UTF-8, zlib when its
// flag is 1). The chunks are built here with Node's zlib, independently of the code under test.

import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { importCardFile } from '../../../../src/core/cards/detect';
import { CardError } from '../../../../src/core/cards/errors';
import { readAnyTextChunk, readPngCard, stripCardChunks } from '../../../../src/core/cards/png';
import { readImportFile } from '../../../../src/core/import/read-file';
import { b64json, cardChunk, chunk, latin1, png, u8 } from './helpers';

const v2 = { spec: 'chara_card_v2', spec_version: '2.0', data: { name: 'Mira', description: 'Keeps the tea house.', first_mes: 'Tea?' } };
const v3 = { spec: 'chara_card_v3', spec_version: '3.0', data: { name: 'Mira V3', description: '小满 keeps the tea house.', first_mes: 'Tea?' } };

function zTXt(keyword: string, text: string, method = 0): Uint8Array {
  return chunk('zTXt', u8(latin1(keyword), [0, method], new Uint8Array(deflateSync(latin1(text)))));
}

function iTXt(keyword: string, text: string, compressed: boolean, lang = '', translated = ''): Uint8Array {
  const body = new TextEncoder().encode(text);
  return chunk('iTXt', u8(latin1(keyword), [0, compressed ? 1 : 0, 0], latin1(lang), [0], new TextEncoder().encode(translated), [0], compressed ? new Uint8Array(deflateSync(body)) : body));
}

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CardError);
    return (error as CardError).reason;
  }
  throw new Error('expected a CardError');
}

describe('cards in zTXt and iTXt chunks', () => {
  it('reads a chara card from a zTXt chunk', () => {
    const file = png(zTXt('chara', b64json(v2)));
    expect(readPngCard(file)).toMatchObject({ keyword: 'chara', json: v2 });
    expect(importCardFile('mira.png', file).character.name).toBe('Mira');
    expect(readImportFile({ name: 'mira.png', bytes: file }).characters[0].character.name).toBe('Mira');
  });

  it('reads a ccv3 card from a compressed iTXt chunk, with a language tag and translated keyword', () => {
    const file = png(iTXt('ccv3', b64json(v3), true, 'en', 'Card'));
    expect(readPngCard(file)).toMatchObject({ keyword: 'ccv3', json: v3 });
  });

  it('reads an uncompressed iTXt chunk, base64 or bare UTF-8 JSON', () => {
    expect(readPngCard(png(iTXt('chara', b64json(v2), false))).json).toEqual(v2);
    expect(readPngCard(png(iTXt('chara', JSON.stringify(v3), false))).json).toEqual(v3);
  });

  it('prefers ccv3 over chara across chunk types, and strips compressed card chunks from the image', () => {
    const file = png(zTXt('chara', b64json(v2)), iTXt('ccv3', b64json(v3), true));
    expect(readPngCard(file).keyword).toBe('ccv3');
    expect(stripCardChunks(file)).toEqual(png());
  });

  it('falls back to chara with a warning when the compressed ccv3 chunk is broken', () => {
    const broken = chunk('iTXt', u8(latin1('ccv3'), [0, 1, 0, 0, 0], [1, 2, 3, 4, 5]));
    const read = readPngCard(png(broken, cardChunk('chara', v2)));
    expect(read.keyword).toBe('chara');
    expect(read.warnings.join(' ')).toMatch(/'ccv3' iTXt chunk cannot be read/);
  });

  it('refuses a card chunk that is not zlib or cannot be inflated, as a damaged PNG', () => {
    expect(reasonOf(() => readPngCard(png(zTXt('chara', b64json(v2), 1))))).toBe('bad-png');
    expect(reasonOf(() => readPngCard(png(chunk('zTXt', u8(latin1('chara'), [0, 0], [0x78, 0x9c, 1, 2])))))).toBe('bad-png');
    const cut = new Uint8Array(deflateSync(latin1(b64json(v2)))).subarray(0, 20);
    expect(reasonOf(() => readPngCard(png(chunk('zTXt', u8(latin1('chara'), [0, 0], cut)))))).toBe('bad-png');
  });

  it('stops inflating a chunk at the limit (a small chunk cannot balloon)', () => {
    const data = u8(latin1('chara'), [0, 0], new Uint8Array(deflateSync(new Uint8Array(1_000_000))));
    expect(() => readAnyTextChunk('zTXt', data, 100_000)).toThrow(/more than 100000 bytes/);
    expect(readAnyTextChunk('zTXt', data, 1_000_000)?.text).toHaveLength(1_000_000);
  });

  it('ignores other compressed text chunks, broken or not', () => {
    const file = png(zTXt('Comment', 'hello'), chunk('zTXt', u8(latin1('Software'), [0, 0], [9, 9, 9])), cardChunk('chara', v2));
    expect(readPngCard(file)).toMatchObject({ keyword: 'chara', warnings: [] });
  });
});
