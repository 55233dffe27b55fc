// Knowledge texts in ChatHaruhi packs (wiki pages, long profiles): cut into passages marked
// 'knowledge', kept as such in the app's own pack and in stored rows.

import { describe, expect, it } from 'vitest';
import { parseChatHaruhiFolder, parseChatHaruhiJsonl } from '../../../../src/core/packs/chatharuhi';
import type { ParsedScene } from '../../../../src/core/packs/common';
import { decodeHearthPack, encodeHearthPack, type PackCharacter } from '../../../../src/core/packs/hearth-pack';
import { KNOWLEDGE_MIN_TOKENS, PASSAGE_TOKENS, splitPassages } from '../../../../src/core/packs/knowledge';
import { rowProblem } from '../../../../src/core/row-schemas';
import { estimateTokens } from '../../../../src/core/tokens';
import { utf8 } from './helpers';

/** A wiki-like page: headed paragraphs of prose, far over the knowledge threshold. */
function wikiPage(paragraphs: number): string {
  return Array.from({ length: paragraphs }, (_, i) =>
    `== Section ${i} ==\nThe Ward ${i} lighthouse stands on the northern cape. Its keeper logs the weather at dawn and dusk. ` +
      `In the winter of year ${1900 + i} the lamp failed for three nights, and the village rang the church bell instead.`,
  ).join('\n\n');
}

const zhProfile = (n: number) =>
  Array.from({ length: n }, (_, i) => `胡桃是往生堂第七十七代堂主，喜欢在夜里写打油诗，也常常在璃月港四处闲逛，给客人推销往生堂的优惠活动，这是第${i}条。`).join('\n');

const pack = (stories: Record<string, string>) => [
  { path: 'p/system_prompt.txt', bytes: utf8('You are Ward.') },
  ...Object.entries(stories).map(([name, text]) => ({ path: `p/texts/${name}`, bytes: utf8(text) })),
];

describe('splitPassages', () => {
  it('cuts a long text at line breaks into passages that each fit, losing and reordering nothing', () => {
    const text = wikiPage(30);
    const passages = splitPassages(text);
    expect(passages.length).toBeGreaterThan(3);
    for (const passage of passages) expect(estimateTokens(passage)).toBeLessThanOrEqual(PASSAGE_TOKENS);
    const lines = (t: string) => t.split('\n').map((l) => l.trim()).filter(Boolean);
    expect(passages.flatMap(lines)).toEqual(lines(text));
    // Every passage starts at the start of a line of the text (no line cut in two when lines fit).
    for (const passage of passages) expect(lines(text)).toContain(lines(passage)[0]);
  });

  it('cuts a paragraph with no line breaks at sentence ends, and a run-on text by characters', () => {
    const sentences = Array.from({ length: 80 }, (_, i) => `胡桃第${i}次在璃月港推销往生堂的优惠活动。`).join('');
    const passages = splitPassages(sentences, 100);
    expect(passages.length).toBeGreaterThan(2);
    for (const passage of passages) {
      expect(estimateTokens(passage)).toBeLessThanOrEqual(100);
      expect(passage.endsWith('。')).toBe(true);
    }
    expect(passages.join('')).toBe(sentences);
    const runOn = '啊'.repeat(5000);
    const pieces = splitPassages(runOn, 100);
    for (const piece of pieces) expect(estimateTokens(piece)).toBeLessThanOrEqual(100);
    expect(pieces.join('')).toBe(runOn);
  });
});

describe('ChatHaruhi import of knowledge texts', () => {
  const dialogue = Array.from({ length: 60 }, (_, i) => (i % 2 ? `Ward:「The lamp must stay lit, night ${i}.」` : `Jun:「Why, night ${i}?」`)).join('\n');

  it('splits a long prose file into knowledge passages and keeps a long dialogue file whole', () => {
    const page = wikiPage(30);
    expect(estimateTokens(page)).toBeGreaterThan(KNOWLEDGE_MIN_TOKENS);
    expect(estimateTokens(dialogue)).toBeGreaterThan(KNOWLEDGE_MIN_TOKENS);
    const parsed = parseChatHaruhiFolder(pack({ 'a_dialogue.txt': dialogue, 'b_wiki.txt': page, 'c_note.txt': 'A short note about the cape.' }));
    const [first, ...rest] = parsed.scenes;
    expect(first).toMatchObject({ title: 'a_dialogue', text: dialogue });
    expect(first.kind).toBeUndefined();
    const passages = rest.slice(0, -1);
    expect(passages.length).toBeGreaterThan(3);
    passages.forEach((scene, i) => {
      expect(scene.kind).toBe('knowledge');
      expect(scene.title).toBe(`b_wiki · ${i + 1}/${passages.length}`);
      expect(scene.tokens).toBeLessThanOrEqual(PASSAGE_TOKENS);
    });
    expect(passages.map((s) => s.text).join('\n')).toBe(page.split('\n').filter((l) => l.trim()).join('\n'));
    // A short prose file fits the scene room as it is: one scene, not knowledge.
    expect(rest.at(-1)).toMatchObject({ title: 'c_note' });
    expect(rest.at(-1)!.kind).toBeUndefined();
  });

  it('splits a long Chinese profile row of a JSONL pack the same way, saying its vector is dropped', () => {
    const vector = Buffer.alloc(512 * 4);
    vector.writeFloatBE(1, 0);
    const rows = [JSON.stringify({ text: zhProfile(40), bge_zh_s15: vector.toString('base64') }), JSON.stringify({ text: '胡桃：「嘿！」', bge_zh_s15: vector.toString('base64') })].join('\n');
    const parsed = parseChatHaruhiJsonl(rows);
    const knowledge = parsed.scenes.filter((s) => s.kind === 'knowledge');
    expect(knowledge.length).toBeGreaterThan(1);
    expect(knowledge.every((s) => s.vectors.length === 0)).toBe(true);
    expect(parsed.warnings).toContain(`line 1: a long knowledge text, cut into ${knowledge.length} passages; its vectors are dropped (they embed the whole text; the app embeds the passages).`);
    expect(parsed.scenes.at(-1)).toMatchObject({ vectors: [expect.objectContaining({ dim: 512 })] });
    expect(parsed.scenes.at(-1)!.kind).toBeUndefined();
  });
});

describe('the knowledge kind is kept', () => {
  const character: PackCharacter = {
    name: 'Ward', nickname: '', avatar: '', shortDescription: '', description: '', personality: '', scenario: '', firstMessage: '',
    alternateGreetings: [], exampleDialogue: '', systemPrompt: '', postHistoryInstructions: '', creatorNotes: '', tags: [], creator: '',
    characterVersion: '', catchphrases: [], language: 'en', extensions: {},
  };
  const scenes: ParsedScene[] = [
    { title: 'Cape · 1/2', text: 'The lighthouse stands on the cape.', lines: [{ speaker: '', text: 'The lighthouse stands on the cape.' }], tokens: 8, source: 'chatharuhi', vectors: [], kind: 'knowledge' },
    { title: 'Night', text: 'Ward:「Stay.」', lines: [{ speaker: 'Ward', text: 'Stay.' }], tokens: 5, source: 'chatharuhi', vectors: [] },
  ];

  it('through a Hearth pack export and import', () => {
    const decoded = decodeHearthPack(encodeHearthPack({ character, assets: [], scenes }));
    expect(decoded.scenes[0].kind).toBe('knowledge');
    expect('kind' in decoded.scenes[1]).toBe(false);
  });

  it('refuses a Hearth pack scene of an unknown kind, naming the field', () => {
    const doc = JSON.parse(encodeHearthPack({ character, assets: [], scenes })) as { scenes: { kind?: string }[] };
    doc.scenes[1].kind = 'gossip';
    expect(() => decodeHearthPack(JSON.stringify(doc))).toThrow(/scenes\[1\]\.kind/);
  });

  it('in stored scene rows, where rows from before passages (no kind) stay valid', () => {
    const row = { ...scenes[1], id: 'c:000001', characterId: 'c' };
    expect(rowProblem('scenes', row, 0)).toBeNull();
    expect(rowProblem('scenes', { ...row, kind: 'knowledge' }, 0)).toBeNull();
    expect(rowProblem('scenes', { ...row, kind: 'gossip' }, 0)).toMatchObject({ field: 'kind' });
  });
});
