import { describe, expect, it } from 'vitest';
import { importCardFile } from '../../../../src/core/cards/detect';
import { cardChunk, png, zip } from './helpers';

const card = { spec: 'chara_card_v2', spec_version: '2.0', data: { name: 'Sniffed', description: 'x' } };

describe('importCardFile', () => {
  it('sniffs by content, not by name', () => {
    expect(importCardFile('card.json', png(cardChunk('chara', card))).format).toBe('png');
    expect(importCardFile('card.png', new TextEncoder().encode(JSON.stringify(card))).format).toBe('json');
    expect(importCardFile('card.txt', zip([{ name: 'card.json', data: JSON.stringify(card) }])).format).toBe('charx');
  });

  it('reads JSON with leading whitespace, a UTF-8 BOM, or UTF-16', () => {
    expect(importCardFile('a', new TextEncoder().encode(`\n\t  ${JSON.stringify(card)}`)).character.name).toBe('Sniffed');
    expect(importCardFile('a', new TextEncoder().encode(`\uFEFF${JSON.stringify(card)}`)).character.name).toBe('Sniffed');
    const utf16 = Buffer.from(`\uFEFF${JSON.stringify({ ...card, data: { ...card.data, name: '小明' } })}`, 'utf16le');
    expect(importCardFile('a.json', new Uint8Array(utf16)).character.name).toBe('小明');
  });

  it('returns warnings and the spec with the character', () => {
    const result = importCardFile('a.json', new TextEncoder().encode(JSON.stringify({ ...card, spec_version: '2.5' })));
    expect(result).toMatchObject({ format: 'json', spec: 'v2' });
    expect(result.warnings).toEqual(['Unsupported spec_version 2.5 (this app knows 2.0); imported anyway.']);
  });
});
