// The app's own pack format: round trips (vectors bit-exact) and clear errors for wrong input.

import { describe, expect, it } from 'vitest';
import { PackError, type ParsedScene } from '../../../../src/core/packs/common';
import {
  decodeHearthPack,
  encodeHearthPack,
  HEARTH_PACK_VERSION,
  parseDataUrl,
  type HearthPack,
  type PackCharacter,
} from '../../../../src/core/packs/hearth-pack';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 1, 2, 3, 250, 251, 252]);

function vector(model: string, words: number[]): { model: string; dim: number; data: ArrayBuffer } {
  return { model, dim: words.length, data: new Uint32Array(words).buffer };
}

const character: PackCharacter = {
  name: 'Mira',
  nickname: 'Miri',
  avatar: `data:image/png;base64,${Buffer.from(PNG).toString('base64')}`,
  shortDescription: 'Keeps the tea house',
  description: 'Mira keeps a tea house in the old town.',
  personality: 'calm, dry humour',
  scenario: 'A rainy evening.',
  firstMessage: '*pours tea* "You look cold."',
  alternateGreetings: ['"Back again?"', '"Closing soon."'],
  exampleDialogue: '<START>\n{{user}}: Hi\n{{char}}: "Tea?"',
  systemPrompt: 'Stay in character.',
  postHistoryInstructions: 'Be brief.',
  creatorNotes: 'Made for tests.',
  tags: ['cozy', '茶'],
  creator: 'tester',
  characterVersion: '1.2',
  catchphrases: ['Tea waits for no one.'],
  language: 'en',
  extensions: { depth_prompt: { prompt: 'x', depth: 4 }, 'x-unknown': [1, { deep: null }] },
  lorebook: {
    name: 'Old town',
    scanDepth: 4,
    extensions: { vendor: { a: 1 } },
    entries: [
      { id: 1, keys: ['kettle'], secondaryKeys: [], content: 'The kettle is copper.', enabled: true, insertionOrder: 10, extensions: {}, priority: 3, selectiveLogic: 'and-any' },
      { id: 'x2', keys: ['rain'], secondaryKeys: ['night'], content: 'It rains at night.', enabled: false, insertionOrder: 0, selective: true, extensions: { custom: true } },
    ],
  },
};

const scenes: ParsedScene[] = [
  {
    title: 'Tea',
    text: 'Mira:「Tea?」\nJun:「Please.」',
    lines: [
      { speaker: 'Mira', text: 'Tea?' },
      { speaker: 'Jun', text: 'Please.' },
    ],
    tokens: 17,
    source: 'chatharuhi',
    // -0, subnormals, the largest floats: words that a float round trip could change. (NaN and
    // infinities are dropped on import: see 'drops a vector holding NaN' below.)
    vectors: [vector('Xenova/bge-small-zh-v1.5', [0x007fffff, 0x80000001, 0x80000000, 0x00000001, 0x7f7fffff, 0xff7fffff, 0x3eaaaaab, 0x00800000]), vector('local/bag', [0x3f800000, 0])],
  },
  { title: '', text: 'Narration only.', lines: [{ speaker: '', text: 'Narration only.' }], tokens: 4, source: 'rolellm', vectors: [] },
  {
    title: 'What is a phone?',
    text: 'User: What is a phone?\nMira: A what? Never heard of it.',
    lines: [{ speaker: 'User', text: 'What is a phone?' }, { speaker: 'Mira', text: 'A what? Never heard of it.' }],
    tokens: 16,
    source: 'example',
    vectors: [],
    // Written by the model and accepted: where it came from travels with it.
    generated: { jobId: 'job-1', kind: 'out-of-world', question: 'What is a phone?', prompt: '[system]\nYou are Mira.\n\n[user]\nQuestion: What is a phone?', model: 'gguf:tiny', createdAt: 1_700_000_000_000 },
  },
];

const pack: HearthPack = {
  character,
  assets: [
    { type: 'emotion', name: 'happy', ext: 'png', uri: 'embeded://assets/happy.png', mime: 'image/png', data: PNG, extra: { x_scale: 2 } },
    { type: 'background', name: 'street', ext: 'jpg', uri: 'https://example.com/bg.jpg' },
  ],
  scenes,
};

const words = (data: ArrayBuffer) => Array.from(new Uint32Array(data));

function reasonOf(fn: () => unknown): { reason: string; message: string; details: Record<string, string | number> } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PackError);
    const e = error as PackError;
    return { reason: e.reason, message: e.message, details: e.details };
  }
  throw new Error('expected a PackError');
}

describe('encodeHearthPack / decodeHearthPack', () => {
  it('round-trips every field, the lorebook, unknown extensions, assets and scenes', () => {
    const text = encodeHearthPack(pack, { exportedAt: new Date('2025-03-04T05:06:07Z') });
    const back = decodeHearthPack(text);
    expect(back.warnings).toEqual([]);
    expect(back.exportedAt).toBe('2025-03-04T05:06:07.000Z');
    expect(back.character).toEqual(character);
    expect(back.avatar).toEqual({ mime: 'image/png', bytes: PNG });
    expect(back.assets).toEqual(pack.assets);
    expect(back.scenes.map(({ vectors, ...rest }) => rest)).toEqual(scenes.map(({ vectors, ...rest }) => rest));
  });

  it('gives vectors back bit for bit (-0, subnormals, the largest floats)', () => {
    const back = decodeHearthPack(encodeHearthPack(pack));
    const [first, second] = back.scenes;
    expect(first.vectors.map((v) => [v.model, v.dim])).toEqual([
      ['Xenova/bge-small-zh-v1.5', 8],
      ['local/bag', 2],
    ]);
    first.vectors.forEach((v, i) => {
      expect(v.data).toBeInstanceOf(ArrayBuffer);
      expect(words(v.data)).toEqual(words(scenes[0].vectors[i].data));
    });
    expect(second.vectors).toEqual([]);
  });

  it('drops a vector holding NaN or Infinity with a warning naming it, and keeps the scene', () => {
    const doc = JSON.parse(encodeHearthPack(pack));
    const nan = Buffer.alloc(8);
    nan.writeFloatLE(1, 0);
    nan.writeFloatLE(NaN, 4);
    doc.scenes[0].vectors[1].base64 = nan.toString('base64');
    const inf = Buffer.alloc(8);
    inf.writeFloatLE(Infinity, 0);
    doc.scenes[1].vectors = [{ model: 'local/bag', dim: 2, base64: inf.toString('base64') }];
    const back = decodeHearthPack(JSON.stringify(doc));
    expect(back.scenes).toHaveLength(3);
    expect(back.scenes[0].text).toBe(scenes[0].text);
    expect(back.scenes[0].vectors.map((v) => v.model)).toEqual(['Xenova/bge-small-zh-v1.5']);
    expect(back.scenes[1].vectors).toEqual([]);
    expect(back.warnings).toEqual([
      'scenes[0].vectors[1] (local/bag): vector dropped, number 2 of 2 is NaN.',
      'scenes[1].vectors[0] (local/bag): vector dropped, number 1 of 2 is Infinity.',
    ]);
  });

  it('leaves out a stored vector holding NaN or Infinity when writing a pack, keeping the scene and its other vectors', () => {
    const nan = new Float32Array([1, NaN]);
    const withBad: HearthPack = {
      ...pack,
      scenes: [{ ...scenes[0], vectors: [scenes[0].vectors[0], { model: 'local/bag', dim: 2, data: nan.buffer }] }, ...scenes.slice(1)],
    };
    const doc = JSON.parse(encodeHearthPack(withBad));
    expect(doc.scenes[0].vectors.map((v: { model: string }) => v.model)).toEqual([scenes[0].vectors[0].model]);
    expect(decodeHearthPack(JSON.stringify(doc)).warnings).toEqual([]);
  });

  it('writes the documented JSON: versioned, avatar block, little-endian base64 vectors', () => {
    const doc = JSON.parse(encodeHearthPack(pack));
    expect(doc.format).toBe('hearth-pack');
    expect(doc.version).toBe(HEARTH_PACK_VERSION);
    expect(doc.avatar).toEqual({ mime: 'image/png', base64: Buffer.from(PNG).toString('base64') });
    expect(doc.character.avatar).toBe(''); // not written twice
    expect(doc.character).not.toHaveProperty('id');
    const le = Buffer.alloc(8);
    le.writeFloatLE(1, 0);
    le.writeFloatLE(0, 4);
    expect(doc.scenes[0].vectors[1]).toEqual({ model: 'local/bag', dim: 2, base64: le.toString('base64') });
    expect(doc.assets[1]).toEqual({ type: 'background', name: 'street', ext: 'jpg', uri: 'https://example.com/bg.jpg' });
  });

  it('takes an avatar given as bytes, and keeps a non-data avatar URL as it is', () => {
    const given = decodeHearthPack(encodeHearthPack({ ...pack, character: { ...character, avatar: '' }, avatar: { mime: 'image/webp', bytes: PNG } }));
    expect(given.avatar?.mime).toBe('image/webp');
    expect(given.character.avatar).toBe(`data:image/webp;base64,${Buffer.from(PNG).toString('base64')}`);
    const url = decodeHearthPack(encodeHearthPack({ ...pack, character: { ...character, avatar: './characters/mira/avatar.svg' } }));
    expect(url.avatar).toBeUndefined();
    expect(url.character.avatar).toBe('./characters/mira/avatar.svg');
    expect(parseDataUrl('data:image/svg+xml;charset=utf-8;base64,PHN2Zy8+')).toEqual({ mime: 'image/svg+xml', bytes: new Uint8Array(Buffer.from('<svg/>')) });
  });

  it('reads the file as bytes too (UTF-8, with or without a BOM)', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(encodeHearthPack(pack))]);
    expect(decodeHearthPack(bytes).character.name).toBe('Mira');
  });

  it('fills defaults for fields a minimal pack leaves out, and warns about unknown fields', () => {
    const back = decodeHearthPack(
      JSON.stringify({ format: 'hearth-pack', version: 1, character: { name: 'Jun', mood: 'x' }, scenes: [{ text: 'Jun:「Hi.」' }], future: 1 }),
    );
    expect(back.character).toMatchObject({ name: 'Jun', description: '', tags: [], alternateGreetings: [], language: 'en', extensions: {} });
    expect(back.character.lorebook).toBeUndefined();
    expect(back.assets).toEqual([]);
    expect(back.scenes[0]).toMatchObject({ title: '', lines: [], source: 'pack', vectors: [] });
    expect(back.scenes[0].tokens).toBeGreaterThan(0);
    expect(back.warnings).toEqual(['"future": unknown field, ignored.', 'character.mood: unknown field, ignored.']);
  });

  it('round-trips a 20,000-scene pack with 384-dim vectors', () => {
    const big: ParsedScene[] = Array.from({ length: 20_000 }, (_, i) => {
      const data = new Float32Array(384);
      for (let j = 0; j < 384; j++) data[j] = Math.sin(i * 384 + j);
      return { title: `story_${i}`, text: `Mira:「Scene ${i}.」`, lines: [{ speaker: 'Mira', text: `Scene ${i}.` }], tokens: 9, source: 'chatharuhi', vectors: [{ model: 'Xenova/bge-small-en-v1.5', dim: 384, data: data.buffer }] };
    });
    let start = performance.now();
    const text = encodeHearthPack({ character, assets: [], scenes: big });
    const encodeMs = performance.now() - start;
    start = performance.now();
    const back = decodeHearthPack(text);
    const decodeMs = performance.now() - start;
    console.log(`[packs] hearth-pack 20,000 scenes x 384 dims: ${(text.length / 1024 / 1024).toFixed(1)} MiB JSON, encode ${encodeMs.toFixed(0)} ms, decode ${decodeMs.toFixed(0)} ms`);
    expect(back.scenes).toHaveLength(20_000);
    expect(words(back.scenes[12_345].vectors[0].data)).toEqual(words(big[12_345].vectors[0].data));
  }, 60_000); // 20,000 scenes with vectors: seconds on a loaded 2-core machine
});

describe('decodeHearthPack: bad input gets a clear error', () => {
  const valid = () => JSON.parse(encodeHearthPack(pack));
  const mutate = (fn: (doc: Record<string, any>) => void) => {
    const doc = valid();
    fn(doc);
    return JSON.stringify(doc);
  };

  it.each([
    ['not JSON', 'hello', 'invalid-json', /not valid JSON/],
    ['truncated JSON', encodeHearthPack(pack).slice(0, 200), 'invalid-json', /not valid JSON/],
    ['a JSON array', '[]', 'not-a-pack', /not an object/],
    ['another format', JSON.stringify({ format: 'zip', version: 1 }), 'not-a-pack', /"format" is "zip"/],
    ['no format', JSON.stringify({ version: 1 }), 'not-a-pack', /"format" is null/],
    ['a character card', JSON.stringify({ spec: 'chara_card_v2', spec_version: '2.0', data: {} }), 'not-a-pack', /character card/],
    ['a newer version', mutate((d) => (d.version = 2)), 'unsupported-version', /newer Hearth \(pack version 2\)/],
    ['version 0', mutate((d) => (d.version = 0)), 'unsupported-version', /version 0/],
    ['version as text', mutate((d) => (d.version = '1')), 'wrong-shape', /version/],
    ['no character', mutate((d) => delete d.character), 'wrong-shape', /character should be an object/],
    ['an empty name', mutate((d) => (d.character.name = ' ')), 'wrong-shape', /character\.name/],
    ['a tag that is not text', mutate((d) => (d.character.tags = ['ok', 3])), 'wrong-shape', /character\.tags\[1\]/],
    ['an unknown language', mutate((d) => (d.character.language = 'fr')), 'wrong-shape', /character\.language/],
    ['a lorebook entry without keys', mutate((d) => delete d.character.lorebook.entries[1].keys), 'wrong-shape', /character\.lorebook\.entries\[1\]\.keys/],
    ['a non-image avatar', mutate((d) => (d.avatar.mime = 'text/html')), 'wrong-shape', /avatar\.mime/],
    ['avatar base64 garbage', mutate((d) => (d.avatar.base64 = '%%%')), 'bad-base64', /avatar\.base64/],
    ['scenes not a list', mutate((d) => (d.scenes = {})), 'wrong-shape', /scenes should be a list/],
    ['a scene without text', mutate((d) => delete d.scenes[1].text), 'wrong-shape', /scenes\[1\]\.text/],
    ['an unknown source', mutate((d) => (d.scenes[0].source = 'web')), 'wrong-shape', /scenes\[0\]\.source/],
    ['negative tokens', mutate((d) => (d.scenes[0].tokens = -1)), 'wrong-shape', /scenes\[0\]\.tokens/],
    ['a line without a speaker', mutate((d) => delete d.scenes[0].lines[1].speaker), 'wrong-shape', /scenes\[0\]\.lines\[1\]\.speaker/],
    ['a vector of the wrong length', mutate((d) => (d.scenes[0].vectors[0].dim = 9)), 'wrong-shape', /scenes\[0\]\.vectors\[0\]: 32 bytes of vector for dimension 9/],
    ['a vector dim of 0', mutate((d) => (d.scenes[0].vectors[0].dim = 0)), 'wrong-shape', /vectors\[0\]\.dim/],
    ['vector base64 garbage', mutate((d) => (d.scenes[0].vectors[1].base64 = 'AAAA*AAA')), 'bad-base64', /scenes\[0\]\.vectors\[1\]\.base64/],
    ['a generated scene of an unknown kind', mutate((d) => (d.scenes[2].generated.kind = 'dream')), 'wrong-shape', /scenes\[2\]\.generated\.kind/],
    ['a generated scene without its prompt', mutate((d) => delete d.scenes[2].generated.prompt), 'wrong-shape', /scenes\[2\]\.generated\.prompt/],
    ['an asset without a type', mutate((d) => delete d.assets[0].type), 'wrong-shape', /assets\[0\]\.type/],
  ])('%s', (_, input, reason, message) => {
    const error = reasonOf(() => decodeHearthPack(input));
    expect(error.reason).toBe(reason);
    expect(error.message).toMatch(message);
  });

  it('rejects bytes that are not UTF-8, and packs over the limits', () => {
    expect(reasonOf(() => decodeHearthPack(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).reason).toBe('invalid-json');
    const text = encodeHearthPack(pack);
    expect(reasonOf(() => decodeHearthPack(text, { maxBytes: 100 }))).toMatchObject({ reason: 'too-large', details: { limit: 100 } });
    expect(reasonOf(() => decodeHearthPack(text, { maxScenes: 1 }))).toMatchObject({ reason: 'too-large', details: { scenes: 3, limit: 1 } });
  });

  it('refuses to encode a vector whose bytes do not match its dimension', () => {
    const bad = { ...pack, scenes: [{ ...scenes[0], vectors: [{ model: 'm', dim: 3, data: new ArrayBuffer(8) }] }] };
    expect(reasonOf(() => encodeHearthPack(bad)).reason).toBe('wrong-shape');
  });
});
