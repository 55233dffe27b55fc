// Text files saved as UTF-16 with a byte-order mark (Windows "Unicode") import like UTF-8 ones:
// card JSON, CHARX card.json, World Info JSON, Hearth packs, ChatHaruhi JSONL and ChatHaruhi
// folders (system_prompt.txt, texts/*.txt), in both byte orders.

import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeTextFile } from '../../../../src/core/packs/common';
import { readImportFile, readImportFolder } from '../../../../src/core/import/read-file';

function utf16(text: string, order: 'le' | 'be'): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out.set(order === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const [a, b] = order === 'le' ? [c & 255, c >> 8] : [c >> 8, c & 255];
    out[2 + i * 2] = a;
    out[3 + i * 2] = b;
  }
  return out;
}

const card = JSON.stringify({ spec: 'chara_card_v2', spec_version: '2.0', data: { name: 'Mira 小满', description: 'Keeps the tea house. 🍵', first_mes: 'Tea?' } });
const worldInfo = JSON.stringify({ entries: { 0: { uid: 0, key: ['tea'], content: 'Mira brews oolong. 乌龙茶', comment: 'tea' } } });
const pack = JSON.stringify({ format: 'hearth-pack', version: 1, character: { name: 'Jun 君' } });
const jsonl = [JSON.stringify({ text: 'You are Mira.', bge_zh_s15: 'system_prompt' }), JSON.stringify({ text: 'Mira:「Tea?」' })].join('\n');

describe.each(['le', 'be'] as const)('UTF-16 %s with a byte-order mark', (order) => {
  it('imports a card JSON file', () => {
    for (const name of ['mira.json', 'mira.card']) {
      const read = readImportFile({ name, bytes: utf16(card, order) });
      expect(read.characters[0].character).toMatchObject({ name: 'Mira 小满', description: 'Keeps the tea house. 🍵', firstMessage: 'Tea?' });
    }
  });

  it('imports a World Info file', () => {
    const read = readImportFile({ name: 'tea.json', bytes: utf16(worldInfo, order) });
    expect(read.lorebooks).toHaveLength(1);
    expect(read.lorebooks[0].book.entries[0]).toMatchObject({ keys: ['tea'], content: 'Mira brews oolong. 乌龙茶' });
  });

  it('imports a Hearth pack and a ChatHaruhi JSONL file', () => {
    expect(readImportFile({ name: 'jun.json', bytes: utf16(pack, order) }).characters[0].character.name).toBe('Jun 君');
    const haruhi = readImportFile({ name: 'mira.jsonl', bytes: utf16(jsonl, order) });
    expect(haruhi.characters[0].scenes.map((s) => s.text)).toEqual(['Mira:「Tea?」']);
  });

  it('imports a CHARX whose card.json is UTF-16', () => {
    const read = readImportFile({ name: 'mira.charx', bytes: zipSync({ 'card.json': utf16(card, order) }) });
    expect(read.characters[0].character).toMatchObject({ name: 'Mira 小满', description: 'Keeps the tea house. 🍵', firstMessage: 'Tea?' });
  });

  it('imports a ChatHaruhi folder whose system prompt and stories are UTF-16', () => {
    const files = [
      { path: 'mira/system_prompt.txt', bytes: utf16('You are Mira 小满.', order) },
      { path: 'mira/texts/tea.txt', bytes: utf16('Mira:「Tea? 🍵」\nJun:「Oolong.」', order) },
    ];
    for (const read of [readImportFolder('mira', files), readImportFile({ name: 'mira.zip', bytes: zipSync(Object.fromEntries(files.map((f) => [f.path, f.bytes]))) })]) {
      const [draft] = read.characters;
      expect(draft.character.systemPrompt).toBe('You are Mira 小满.');
      expect(draft.scenes).toHaveLength(1);
      expect(draft.scenes[0].lines).toEqual([{ speaker: 'Mira', text: 'Tea? 🍵' }, { speaker: 'Jun', text: 'Oolong.' }]);
      expect(draft.warnings.join('\n')).not.toMatch(/UTF-8/);
    }
  });

  it('decodes the text, and refuses an odd byte count or a lone surrogate', () => {
    expect(decodeTextFile(utf16('{"a":"é"}', order))).toBe('{"a":"é"}');
    expect(decodeTextFile(utf16('{}', order).subarray(0, 5))).toBeNull();
    expect(decodeTextFile(utf16('\ud800x', order))).toBeNull();
  });
});
