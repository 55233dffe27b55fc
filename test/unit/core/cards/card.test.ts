import { describe, expect, it } from 'vitest';
import {
  CARD_PRESERVED_KEY,
  UNKNOWN_FIELDS_KEY,
  exportCardV2,
  exportCardV3,
  guessLanguage,
  parseCard,
  stripDecorators,
  type PreservedCard,
} from '../../../../src/core/cards/card';
import { toDataUrl } from '../../../../src/core/cards/media';
import { encodeSolidPng } from '../../../../src/core/cards/png';
import { importJsonCard } from '../../../../src/core/cards/detect';
import { richV3, stMix } from './helpers';

const V2_DATA_FIELDS = [
  'name', 'description', 'personality', 'scenario', 'first_mes', 'mes_example', 'creator_notes', 'system_prompt',
  'post_history_instructions', 'alternate_greetings', 'tags', 'creator', 'character_version', 'extensions',
];

describe('parseCard: V1', () => {
  it('reads a flat V1 card and fills V2 fields with empty values', () => {
    const parsed = parseCard({
      name: 'Old Bob',
      description: 'A farmer.',
      personality: 'grumpy',
      scenario: 'A farm.',
      first_mes: 'Get off my lawn.',
      mes_example: '<START>\n{{user}}: hi\n{{char}}: what',
    });
    expect(parsed.spec).toBe('v1');
    const c = parsed.character;
    expect(c).toMatchObject({
      name: 'Old Bob', description: 'A farmer.', personality: 'grumpy', scenario: 'A farm.',
      firstMessage: 'Get off my lawn.', exampleDialogue: '<START>\n{{user}}: hi\n{{char}}: what',
      alternateGreetings: [], systemPrompt: '', postHistoryInstructions: '', creatorNotes: '', tags: [],
      creator: '', characterVersion: '', nickname: '', avatar: '', shortDescription: '', catchphrases: [], language: 'en',
    });
    expect(c.lorebook).toBeUndefined();
    expect(parsed.warnings).toEqual([]);
  });

  it('accepts Pygmalion and KoboldAI aliases', () => {
    const pyg = parseCard({ char_name: 'Pyg', char_persona: 'persona', char_greeting: 'hello', world_scenario: 'world', example_dialogue: 'ex' });
    expect(pyg.character).toMatchObject({ name: 'Pyg', description: 'persona', firstMessage: 'hello', scenario: 'world', exampleDialogue: 'ex' });
    const kobold = parseCard({ name: 'K', firstMes: 'hey', mesExample: 'ex2' });
    expect(kobold.character).toMatchObject({ firstMessage: 'hey', exampleDialogue: 'ex2' });
    // Aliases go back out under the same keys.
    const out = exportCardV2(pyg.character);
    expect(out).toMatchObject({ char_name: 'Pyg', char_persona: 'persona', char_greeting: 'hello' });
  });

  it('coerces numbers to text and splits comma-separated tags', () => {
    const parsed = parseCard({ name: 'N', description: 42, tags: 'a, b ,c', character_version: 2 });
    expect(parsed.character.description).toBe('42');
    expect(parsed.character.tags).toEqual(['a', 'b', 'c']);
    expect(parsed.character.characterVersion).toBe('2');
  });

  it('warns about fields of the wrong type instead of failing', () => {
    const parsed = parseCard({ name: 'N', description: { nope: 1 }, alternate_greetings: 5, first_mes: 'x' });
    expect(parsed.character.description).toBe('');
    expect(parsed.warnings.join('\n')).toMatch(/'description' is an object, not text/);
    expect(parsed.warnings.join('\n')).toMatch(/'alternate_greetings' is a number, not a list/);
  });
});

describe('parseCard: V2 and V3', () => {
  it('maps every V2 field', () => {
    const parsed = parseCard({
      spec: 'chara_card_v2', spec_version: '2.0',
      data: {
        name: 'Vee', description: 'd', personality: 'p', scenario: 's', first_mes: 'f', mes_example: 'm',
        creator_notes: 'cn', system_prompt: 'sp', post_history_instructions: 'phi', alternate_greetings: ['a1', 'a2'],
        tags: ['t'], creator: 'c', character_version: 'v', extensions: { x: 1 },
      },
    });
    expect(parsed.spec).toBe('v2');
    expect(parsed.character).toMatchObject({
      name: 'Vee', description: 'd', personality: 'p', scenario: 's', firstMessage: 'f', exampleDialogue: 'm',
      creatorNotes: 'cn', systemPrompt: 'sp', postHistoryInstructions: 'phi', alternateGreetings: ['a1', 'a2'],
      tags: ['t'], creator: 'c', characterVersion: 'v',
    });
    expect(parsed.character.extensions.x).toBe(1);
  });

  it('maps V3 nickname, lorebook (incl. use_regex, string ids, ST selectiveLogic) and keeps the rest', () => {
    const parsed = parseCard(richV3());
    const c = parsed.character;
    expect(parsed.spec).toBe('v3');
    expect(c.nickname).toBe('Ari');
    expect(c.lorebook).toMatchObject({ name: 'Aria lore', description: 'The world', scanDepth: 3, tokenBudget: 512, recursiveScanning: true });
    expect(c.lorebook!.extensions).toEqual({ book_ext: 1, [UNKNOWN_FIELDS_KEY]: { x_book_unknown: 'kept' } });
    const [e1, e2] = c.lorebook!.entries;
    expect(e1).toMatchObject({
      id: 1, keys: ['forest', 'woods'], secondaryKeys: ['night'], content: '@@depth 2\nThe forest is old.', enabled: true,
      insertionOrder: 10, caseSensitive: false, name: 'Forest', priority: 5, comment: 'about the forest', selective: true,
      constant: false, useRegex: false, position: 'before_char', selectiveLogic: 'and-all',
    });
    expect(e1.extensions).toMatchObject({ depth: 4, probability: 80, [UNKNOWN_FIELDS_KEY]: { x_entry_unknown: [1, 'two'] } });
    expect(e2).toMatchObject({ id: 'str-id', useRegex: true, constant: true, enabled: false, position: 'after_char' });
    const preserved = c.extensions[CARD_PRESERVED_KEY] as PreservedCard;
    expect(preserved.top).toEqual({ x_top_level_unknown: { keep: ['me', 1, true, null] } });
    expect(Object.keys(preserved.data).sort()).toEqual([
      'creation_date', 'creator_notes_multilingual', 'group_only_greetings', 'modification_date', 'source', 'x_unknown_data_field',
    ]);
    expect(c.extensions['agnai/voice']).toEqual({ id: 'v1' });
    // ccdefault: main icon without a container image: no avatar, not an asset; the https background stays.
    expect(parsed.avatar).toBeUndefined();
    expect(c.assets).toEqual([{ type: 'background', uri: 'https://example.com/bg.webp', name: 'forest', ext: 'webp', extra: { x_asset_unknown: 7 } }]);
  });

  it('imports a newer V3 spec_version with a warning', () => {
    const card = richV3();
    card.spec_version = '3.5';
    const parsed = parseCard(card);
    expect(parsed.character.name).toContain('Aria');
    expect(parsed.warnings).toContain('Unsupported spec_version 3.5 (this app knows 3.0); imported anyway.');
  });

  it('reads the SillyTavern flat+data mix: data first, flat fields as fallback, unknown flat keys kept', () => {
    const parsed = parseCard(stMix());
    const c = parsed.character;
    expect(c.description).toBe('data description');
    expect(c.scenario).toBe('data scenario');
    expect(c.personality).toBe('kind'); // empty in data -> the flat copy
    expect(c.exampleDialogue).toBe('flat examples');
    expect(c.creatorNotes).toBe('data notes');
    expect(c.tags).toEqual(['st', 'guardian']);
    const preserved = c.extensions[CARD_PRESERVED_KEY] as PreservedCard;
    expect(Object.keys(preserved.top).sort()).toEqual(['avatar', 'chat', 'create_date', 'fav', 'talkativeness']);
    expect(preserved.flatKeys.sort()).toEqual(['creatorcomment', 'description', 'first_mes', 'mes_example', 'name', 'personality', 'scenario', 'tags']);
    expect(c.extensions.world).toBe('Eldoria');
    // Export writes the flat copies again, with current values.
    const out = exportCardV2(c);
    expect(out).toMatchObject({ name: 'Seraphina', description: 'data description', creatorcomment: 'data notes', avatar: 'none', fav: false });
  });

  it('reads a data object without spec as V2, with a warning', () => {
    const parsed = parseCard({ data: { name: 'NoSpec', description: 'x' } });
    expect(parsed.spec).toBe('v2');
    expect(parsed.warnings[0]).toMatch(/no 'spec'/);
  });

  it('reads a V2 card whose data is missing but whose fields are flat', () => {
    const parsed = parseCard({ spec: 'chara_card_v2', name: 'Flat2', description: 'x' });
    expect(parsed.character.name).toBe('Flat2');
    expect(parsed.warnings[0]).toMatch(/no 'data' object/);
  });

  it('reads an ST lorebook entry object map and string selectiveLogic', () => {
    const parsed = parseCard({
      spec: 'chara_card_v2', spec_version: '2.0',
      data: { name: 'B', description: '', character_book: { entries: { 0: { keys: 'a, b', content: 'c', extensions: { selectiveLogic: 'NOT_ANY' } } } } },
    });
    const entry = parsed.character.lorebook!.entries[0];
    expect(entry).toMatchObject({ id: 0, keys: ['a', 'b'], content: 'c', enabled: true, insertionOrder: 0, selectiveLogic: 'not-any' });
  });

  it('keeps a JSON card data: URL main icon as the avatar and data: assets as bytes', () => {
    const icon = encodeSolidPng(2, 2, [0, 0, 255, 255]);
    const sound = Uint8Array.from([1, 2, 3]);
    const parsed = parseCard({
      spec: 'chara_card_v3', spec_version: '3.0',
      data: { name: 'D', description: '', assets: [
        { type: 'icon', uri: toDataUrl(icon, 'image/png'), name: 'main', ext: 'png' },
        { type: 'x_sound', uri: toDataUrl(sound, 'audio/mpeg'), name: 'chime', ext: 'mp3' },
      ] },
    });
    expect(parsed.avatar).toEqual({ bytes: icon, mime: 'image/png' });
    expect(parsed.character.assets).toEqual([{ type: 'x_sound', name: 'chime', ext: 'mp3', uri: 'data:audio/mpeg;base64,', data: sound, mime: 'audio/mpeg' }]);
  });

  it('reads Hearth fields back from data.extensions.hearth', () => {
    const parsed = parseCard({
      spec: 'chara_card_v2', spec_version: '2.0',
      data: { name: 'H', description: 'English text here', extensions: { hearth: { shortDescription: 'tag', catchphrases: ['yo'], language: 'zh' } } },
    });
    expect(parsed.character).toMatchObject({ shortDescription: 'tag', catchphrases: ['yo'], language: 'zh' });
    expect(parsed.character.extensions.hearth).toBeUndefined();
  });

  it('never lets a __proto__ key pollute objects', () => {
    const json = JSON.parse('{"name":"P","description":"d","__proto__":{"polluted":true},"data2":{"__proto__":{"x":1}}}') as unknown;
    const parsed = parseCard(json);
    const preserved = parsed.character.extensions[CARD_PRESERVED_KEY] as PreservedCard;
    expect(Object.prototype.hasOwnProperty.call(preserved.top, '__proto__')).toBe(true);
    expect((preserved.top as { polluted?: boolean }).polluted).toBeUndefined();
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    const out = JSON.stringify(exportCardV2(parsed.character));
    expect(out).toContain('"__proto__":{"polluted":true}');
  });
});

describe('language guess', () => {
  it('tells Chinese from English, ignoring macros', () => {
    expect(guessLanguage('{{char}} 是一位来自长安的诗人，喜欢喝酒。{{user}}')).toBe('zh');
    expect(guessLanguage('Li Bai is a poet from 长安.')).toBe('en');
    expect(guessLanguage('')).toBe('en');
    expect(parseCard({ name: '李白', description: '唐代诗人，字太白，号青莲居士。', first_mes: '举杯邀明月。' }).character.language).toBe('zh');
  });
});

describe('export', () => {
  it('V2 export has every V2 data field, even for a sparse V1 card', () => {
    const out = exportCardV2(parseCard({ name: 'Sparse', description: 'x' }).character) as { spec: string; spec_version: string; data: Record<string, unknown> };
    expect(out.spec).toBe('chara_card_v2');
    expect(out.spec_version).toBe('2.0');
    for (const key of V2_DATA_FIELDS) expect(out.data, key).toHaveProperty(key);
    expect(out.data.alternate_greetings).toEqual([]);
    expect(out.data.tags).toEqual([]);
  });

  it('V3 export has group_only_greetings and assets, and the lorebook with use_regex', () => {
    const parsed = parseCard({ name: 'L', description: 'x', character_book: { entries: [{ keys: ['k'], content: 'c' }] } });
    const out = exportCardV3(parsed.character) as { spec: string; data: Record<string, unknown> };
    expect(out.spec).toBe('chara_card_v3');
    expect(out.data.group_only_greetings).toEqual([]);
    expect(out.data.assets).toEqual([{ type: 'icon', uri: 'ccdefault:', name: 'main', ext: 'png' }]);
    const book = out.data.character_book as { entries: Array<Record<string, unknown>> };
    expect(book.entries[0]).toMatchObject({ keys: ['k'], content: 'c', use_regex: false, enabled: true, insertion_order: 0, extensions: {} });
  });

  it('edits win over the preserved copy; extension keys are merged back', () => {
    const parsed = parseCard(stMix());
    const edited = { ...parsed.character, description: 'edited', tags: ['new'], extensions: { ...parsed.character.extensions, 'hearth/x': 1 } };
    const out = exportCardV3(edited) as Record<string, unknown> & { data: Record<string, unknown> };
    expect(out.description).toBe('edited');
    expect(out.tags).toEqual(['new']);
    expect(out.data.description).toBe('edited');
    expect(out.data.extensions).toMatchObject({ world: 'Eldoria', 'hearth/x': 1, hearth: { language: 'en' } });
    expect(out.data.extensions).not.toHaveProperty(CARD_PRESERVED_KEY);
  });

  it('edited selectiveLogic is written into the entry extensions', () => {
    const parsed = parseCard(richV3());
    parsed.character.lorebook!.entries[0].selectiveLogic = 'not-all';
    const out = exportCardV3(parsed.character) as { data: { character_book: { entries: Array<{ extensions: Record<string, unknown> }> } } };
    expect(out.data.character_book.entries[0].extensions.selectiveLogic).toBe(1);
  });

  it('embeds the given avatar as a data: URL main icon', () => {
    const avatar = { bytes: encodeSolidPng(1, 1, [9, 9, 9, 255]), mime: 'image/png' };
    const out = exportCardV3(parseCard({ name: 'A', description: 'x' }).character, { avatar }) as { data: { assets: Array<{ uri: string; name: string }> } };
    expect(out.data.assets[0].name).toBe('main');
    expect(out.data.assets[0].uri).toBe(toDataUrl(avatar.bytes, 'image/png'));
    expect(parseCard(out).avatar).toEqual(avatar);
  });

  it('strips decorators only when asked (V2 backfill)', () => {
    expect(stripDecorators('@@depth 2\n@@@role system\nbody\n@@not-a-decorator-anymore')).toBe('body\n@@not-a-decorator-anymore');
  });

  it('a card imported from JSON bytes with a BOM works', () => {
    const bytes = new TextEncoder().encode(`\uFEFF${JSON.stringify({ name: 'Bom', description: 'x' })}`);
    expect(importJsonCard(bytes).character.name).toBe('Bom');
  });
});

describe('nothing in a card is HTML', () => {
  it('keeps markup as literal text through parse and export', () => {
    const parsed = parseCard(richV3());
    expect(parsed.character.name).toBe('Aria <script>alert(1)</script>');
    expect(parsed.character.firstMessage).toBe('*waves* Hello, {{user}}! <script>alert("hi")</script>');
    const out = exportCardV3(parsed.character) as { data: Record<string, unknown> };
    expect(out.data.description).toBe('{{char}} is a <b>bold</b> ranger. <img src=x onerror=alert(1)>');
    expect(out.data.creator_notes).toBe('Made for testing. <iframe src="javascript:alert(1)">');
  });
});
