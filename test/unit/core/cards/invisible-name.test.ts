// A name made only of invisible characters (spaces, zero-width spaces, word joiners, BOMs, bidi
// marks) is no name: such a card is refused like a card without one, so none shows up nameless.

import { describe, expect, it } from 'vitest';
import { importCardFile } from '../../../../src/core/cards/detect';
import { CardError } from '../../../../src/core/cards/errors';
import { hasVisibleText } from '../../../../src/core/cards/visible-text';
import { readImportFile } from '../../../../src/core/import/read-file';
import { decodeHearthPack } from '../../../../src/core/packs/hearth-pack';
import { PackError } from '../../../../src/core/packs/common';
import { cardChunk, png } from './helpers';

const INVISIBLE_NAMES = ['\u200b', '\u2060\u2060', '\ufeff', '\u200e\u200f', '\u202e \u2066\u2069', ' \u200b\u00a0\u3000\t', '\u200c\u200d', '\u2800', '\u3164', '\u00ad'];
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const v2 = (name: string, extra: Record<string, unknown> = {}) => ({ spec: 'chara_card_v2', spec_version: '2.0', data: { name, description: 'd', first_mes: 'hi', ...extra } });

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return (error as CardError | PackError).reason;
  }
  throw new Error('expected a refusal');
}

describe('names made only of invisible characters', () => {
  it.each(INVISIBLE_NAMES.map((n) => [JSON.stringify(n), n]))('refuses a JSON and a PNG card named %s as having no name', (_, name) => {
    expect(hasVisibleText(name)).toBe(false);
    for (const [file, bytes] of [['c.json', enc(JSON.stringify(v2(name)))], ['c.png', png(cardChunk('chara', v2(name)))]] as const) {
      let error: unknown;
      try {
        importCardFile(file, bytes);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CardError);
      expect((error as CardError).reason).toBe('not-a-card');
      expect((error as CardError).message).toMatch(/has no name/);
    }
  });

  it('uses the flat name when data.name is invisible', () => {
    const card = { ...v2('\u200b\u2060'), name: 'Mira' };
    expect(importCardFile('c.json', enc(JSON.stringify(card))).character.name).toBe('Mira');
  });

  it('keeps names that show something, zero-width characters inside included', () => {
    for (const name of ['Mira', '小满', '\u200bMira', 'A\u200dB', '🍵']) {
      expect(hasVisibleText(name)).toBe(true);
      expect(importCardFile('c.json', enc(JSON.stringify(v2(name)))).character.name).toBe(name);
    }
  });

  it('refuses a Hearth pack whose name is invisible', () => {
    const pack = JSON.stringify({ format: 'hearth-pack', version: 1, character: { name: '\u200b\ufeff' } });
    expect(reasonOf(() => decodeHearthPack(pack))).toBe('wrong-shape');
  });

  it('names a corpus pack from an invisible file name after its kind', () => {
    // Narration only and an unnamed prompt: the text names no one, so the file name would.
    const jsonl = [JSON.stringify({ text: 'p', bge_zh_s15: 'system_prompt' }), JSON.stringify({ text: '旁白:夜深了。' })].join('\n');
    const read = readImportFile({ name: '\u200b\u2060.jsonl', bytes: enc(jsonl) });
    expect(read.characters[0].character.name).toBe('ChatHaruhi character');
  });
});
