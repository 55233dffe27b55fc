import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { base64Decode, base64Encode, crc32 as ourCrc } from '../../../../src/core/bytes';
import { CardError } from '../../../../src/core/cards/errors';
import {
  encodePng,
  encodeSolidPng,
  placeholderPng,
  readPngCard,
  readPngChunks,
  stripCardChunks,
  writePngCard,
} from '../../../../src/core/cards/png';
import { importPngCard } from '../../../../src/core/cards/detect';
import { apng, b64json, cardChunk, chunk, png, text, u8 } from './helpers';

const v2 = (name: string) => ({ spec: 'chara_card_v2', spec_version: '2.0', data: { name, description: `${name} desc`, first_mes: 'hi' } });
const v3 = (name: string) => ({ spec: 'chara_card_v3', spec_version: '3.0', data: { name, description: `${name} desc`, first_mes: 'hi', group_only_greetings: [] } });

describe('PNG chunks', () => {
  it('reads every chunk of a hand-built PNG with verified CRCs', () => {
    const chunks = readPngChunks(png(text('Software', 'test')));
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'tEXt', 'IEND']);
  });

  it('reads APNG animation chunks and ignores bytes after IEND', () => {
    const bytes = u8(apng(), 'trailing garbage');
    expect(readPngChunks(bytes).map((c) => c.type)).toEqual(['IHDR', 'acTL', 'fcTL', 'IDAT', 'fcTL', 'fdAT', 'IEND']);
  });

  it('names the chunk whose CRC fails', () => {
    const bytes = png(chunk('tEXt', u8('chara\0abc'), { badCrc: true }));
    try {
      readPngChunks(bytes);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CardError);
      expect((error as CardError).reason).toBe('bad-png');
      expect((error as CardError).message).toMatch(/chunk 'tEXt' \(#3\).*CRC/);
      expect((error as CardError).details.chunk).toBe('tEXt');
    }
  });

  it('our CRC-32 agrees with zlib on a known vector', () => {
    expect(ourCrc(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('reading card chunks', () => {
  it('reads a chara-only PNG', () => {
    const card = readPngCard(png(cardChunk('chara', v2('Only V2'))));
    expect(card.keyword).toBe('chara');
    expect((card.json as { data: { name: string } }).data.name).toBe('Only V2');
  });

  it('reads a ccv3-only PNG', () => {
    const card = readPngCard(png(cardChunk('ccv3', v3('Only V3'))));
    expect(card.keyword).toBe('ccv3');
  });

  it('prefers ccv3 when both chunks are there with different content, in either order', () => {
    for (const extra of [
      [cardChunk('chara', v2('Old')), cardChunk('ccv3', v3('New'))],
      [cardChunk('ccv3', v3('New')), cardChunk('chara', v2('Old'))],
    ]) {
      const parsed = importPngCard(png(...extra));
      expect(parsed.character.name).toBe('New');
      expect(parsed.spec).toBe('v3');
    }
  });

  it('matches keywords case-insensitively (CHARA, CcV3)', () => {
    expect(importPngCard(png(cardChunk('CHARA', v2('Upper')))).character.name).toBe('Upper');
    expect(importPngCard(png(cardChunk('CHARA', v2('Upper')), cardChunk('CcV3', v3('Mixed')))).character.name).toBe('Mixed');
  });

  it('reads a card from an APNG with acTL/fcTL/fdAT chunks', () => {
    const parsed = importPngCard(apng(cardChunk('ccv3', v3('Animated'))));
    expect(parsed.character.name).toBe('Animated');
    expect(readPngChunks(parsed.avatar!.bytes).map((c) => c.type)).toContain('acTL');
  });

  it('falls back to chara with a warning when ccv3 is unreadable', () => {
    const parsed = importPngCard(png(text('ccv3', '!!!not base64!!!'), cardChunk('chara', v2('Fallback'))));
    expect(parsed.character.name).toBe('Fallback');
    expect(parsed.warnings.join(' ')).toMatch(/ccv3.*base64.*chara/);
  });

  it('accepts bare JSON in the chunk and base64 with line breaks', () => {
    expect(importPngCard(png(text('chara', JSON.stringify(v2('Bare'))))).character.name).toBe('Bare');
    const wrapped = b64json(v2('Wrapped')).replace(/(.{76})/g, '$1\n');
    expect(importPngCard(png(text('chara', wrapped))).character.name).toBe('Wrapped');
  });

  it('uses the image without card chunks as the avatar', () => {
    const parsed = importPngCard(png(cardChunk('chara', v2('A')), text('Comment', 'kept')));
    const types = readPngChunks(parsed.avatar!.bytes).map((c) => c.type);
    expect(types).toEqual(['IHDR', 'IDAT', 'tEXt', 'IEND']);
    expect(parsed.avatar!.mime).toBe('image/png');
  });

  it('resolves RisuAI legacy asset chunks (__asset: URIs)', () => {
    const card = {
      spec: 'chara_card_v3', spec_version: '3.0',
      data: { name: 'Risu', description: 'd', assets: [
        { type: 'icon', uri: 'ccdefault:', name: 'main', ext: 'png' },
        { type: 'emotion', uri: '__asset:1', name: 'happy', ext: 'png' },
      ] },
    };
    const happy = encodeSolidPng(2, 2, [255, 255, 0, 255]);
    const parsed = importPngCard(png(cardChunk('ccv3', card), text('chara-ext-asset_:1', base64Encode(happy))));
    expect(parsed.character.assets).toHaveLength(1);
    expect(parsed.character.assets![0].data).toEqual(happy);
    expect(parsed.character.assets![0].mime).toBe('image/png');
  });
});

describe('writing card chunks', () => {
  it('replaces existing chara/ccv3 chunks (any case) and inserts both before IEND', () => {
    const original = apng(cardChunk('CHARA', v2('Old')), cardChunk('ccv3', v3('Old')), text('chara-ext-asset_:0', 'AAAA'));
    const written = writePngCard(original, { chara: v2('New2'), ccv3: v3('New3') });
    const chunks = readPngChunks(written); // CRCs verified
    const types = chunks.map((c) => c.type);
    expect(types.slice(-3)).toEqual(['tEXt', 'tEXt', 'IEND']);
    expect(types.filter((t) => t === 'tEXt')).toHaveLength(2);
    expect(types).toContain('acTL');
    const card = readPngCard(written);
    expect(card.keyword).toBe('ccv3');
    expect((card.json as { data: { name: string } }).data.name).toBe('New3');
    const chara = chunks.find((c) => new TextDecoder().decode(c.data).startsWith('chara\0'))!;
    expect(JSON.parse(new TextDecoder().decode(base64Decode(new TextDecoder().decode(chara.data.subarray(6)))))).toEqual(v2('New2'));
  });

  it('stripCardChunks leaves a plain image', () => {
    const stripped = stripCardChunks(png(cardChunk('chara', v2('x'))));
    expect(stripped).toEqual(png());
  });
});

describe('PNG encoder', () => {
  it('encodes pixels that zlib decodes back', () => {
    const pixels = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    const bytes = encodePng(2, 2, pixels);
    const chunks = readPngChunks(bytes);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const raw = new Uint8Array(inflateSync(chunks[1].data));
    expect([...raw]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 9, 10, 11, 12, 13, 14, 15, 16]);
  });

  it('makes a small, valid solid-colour placeholder that depends on the name', () => {
    const a = placeholderPng('Aria');
    const b = placeholderPng('Bran');
    expect(readPngChunks(a)).toHaveLength(3);
    expect(a.length).toBeLessThan(2000);
    expect(a).not.toEqual(b);
  });

  it('rejects bad sizes', () => {
    expect(() => encodePng(0, 1, new Uint8Array(0))).toThrow();
    expect(() => encodePng(2, 2, new Uint8Array(3))).toThrow();
  });
});
