// The ChatHaruhi JSONL pack parser: text/enc_text rows, system_prompt and config rows, and base64
// big-endian float32 vector columns (encoded here with Node's Buffer, independently of the parser).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHATHARUHI_EMBEDDING_MODELS, parseChatHaruhiFolder, parseChatHaruhiJsonl } from '../../../../src/core/packs/chatharuhi';
import { PackError } from '../../../../src/core/packs/common';
import { FIXTURES, haveFixtures, readPackFolder } from './helpers';

/** What ChatHaruhi's float_array_to_base64 writes: struct.pack('!f') per number, then base64. */
function vectorBase64(values: ArrayLike<number>): string {
  const bytes = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) bytes.writeFloatBE(values[i], i * 4);
  return bytes.toString('base64');
}

function seededVector(dim: number, seed: number): Float32Array {
  const out = new Float32Array(dim);
  let s = seed >>> 0;
  for (let i = 0; i < dim; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

const bits = (data: ArrayBuffer | Float32Array) => Array.from(new Uint32Array(data instanceof Float32Array ? data.buffer : data));

const ZH = CHATHARUHI_EMBEDDING_MODELS.bge_zh_s15;

describe('parseChatHaruhiJsonl', () => {
  const special = seededVector(512, 1);
  special.set([0, -0, 1e-45, -3.4028234663852886e38, 3.4028234663852886e38, -1e-45, 1 / 3], 0);
  const second = seededVector(512, 2);
  const rows = [
    { text: 'You are Mira, keeper of the tea house.', bge_zh_s15: 'system_prompt', luotuo_openai: 'system_prompt' },
    { text: 'Reserve Config Setting Here', bge_zh_s15: 'config', luotuo_openai: 'config' },
    { text: 'Mira:「Tea?」\nJun:「Please.」', bge_zh_s15: vectorBase64(special), luotuo_openai: vectorBase64(seededVector(1536, 3)) },
    { enc_text: Buffer.from('小满：「茶要趁热。」\n旁白:雨停了。', 'utf8').toString('base64'), bge_zh_s15: vectorBase64(second) },
    { text: 'Mira:「Too short a vector.」', bge_zh_s15: vectorBase64([1, 2, 3]) },
    { text: 'Mira:「Broken vector.」', bge_zh_s15: '@@not base64@@' },
  ];
  const jsonl = [...rows.map((r) => JSON.stringify(r)), '', 'this line is not JSON', '{"bge_zh_s15": "abc"}', '[1, 2]', ''].join('\n');

  it('reads the system prompt and config rows, and one scene per story row', () => {
    const pack = parseChatHaruhiJsonl(jsonl, { name: 'mira' });
    expect(pack.name).toBe('mira');
    expect(pack.systemPrompt).toBe('You are Mira, keeper of the tea house.');
    expect(pack.config).toBe('Reserve Config Setting Here');
    expect(pack.scenes).toHaveLength(4);
    expect(pack.scenes[0]).toMatchObject({
      title: 'Mira: Tea?',
      text: 'Mira:「Tea?」\nJun:「Please.」',
      lines: [
        { speaker: 'Mira', text: 'Tea?' },
        { speaker: 'Jun', text: 'Please.' },
      ],
      source: 'chatharuhi',
    });
    expect(pack.scenes[0].tokens).toBeGreaterThan(0);
  });

  it('decodes enc_text as base64 UTF-8', () => {
    const scene = parseChatHaruhiJsonl(jsonl).scenes[1];
    expect(scene.text).toBe('小满：「茶要趁热。」\n旁白:雨停了。');
    expect(scene.lines).toEqual([
      { speaker: '小满', text: '茶要趁热。' },
      { speaker: '旁白', text: '雨停了。' },
    ]);
  });

  it('keeps bge_zh_s15 vectors bit for bit as Float32 SceneVectors, and drops luotuo_openai', () => {
    const pack = parseChatHaruhiJsonl(jsonl);
    const [first, secondScene, short, broken] = pack.scenes;
    expect(first.vectors).toHaveLength(1);
    expect(first.vectors[0]).toMatchObject({ model: 'Xenova/bge-small-zh-v1.5', dim: 512 });
    expect(first.vectors[0].data).toBeInstanceOf(ArrayBuffer);
    expect(first.vectors[0].data.byteLength).toBe(512 * 4);
    expect(bits(first.vectors[0].data)).toEqual(bits(special));
    const decoded = new Float32Array(first.vectors[0].data);
    expect(Object.is(decoded[1], -0)).toBe(true);
    expect(decoded[4]).toBe(3.4028234663852886e38);
    expect(bits(secondScene.vectors[0].data)).toEqual(bits(second));
    // Unreadable vectors are dropped; the stories stay.
    expect(short.vectors).toEqual([]);
    expect(broken.vectors).toEqual([]);
    expect(pack.embeddingColumns).toEqual([
      { column: 'bge_zh_s15', model: ZH.model, vectors: 2 },
      { column: 'luotuo_openai', model: null, vectors: 0 },
    ]);
  });

  it('says what it skipped and dropped', () => {
    const { warnings } = parseChatHaruhiJsonl(jsonl);
    expect(warnings).toEqual([
      'line 8, 10: skipped, not a JSON object.',
      'line 9: skipped, no "text" nor a readable "enc_text".',
      expect.stringMatching(/^column "bge_zh_s15": 2 vectors dropped as unreadable \(line 5: 3 numbers where Xenova\/bge-small-zh-v1\.5 gives 512\)/),
      expect.stringMatching(/^column "luotuo_openai": vectors dropped, no browser embedding model/),
    ]);
  });

  it('drops a vector holding NaN or Infinity with a warning naming it, and keeps the story', () => {
    const nan = seededVector(512, 7);
    nan[3] = NaN;
    const inf = seededVector(512, 8);
    inf[0] = -Infinity;
    const good = seededVector(512, 9);
    const text = [
      JSON.stringify({ text: 'p', bge_zh_s15: 'system_prompt' }),
      JSON.stringify({ text: 'Mira:「NaN here.」', bge_zh_s15: vectorBase64(nan) }),
      JSON.stringify({ text: 'Mira:「Infinity here.」', bge_zh_s15: vectorBase64(inf) }),
      JSON.stringify({ text: 'Mira:「Fine.」', bge_zh_s15: vectorBase64(good) }),
    ].join('\n');
    const pack = parseChatHaruhiJsonl(text);
    expect(pack.scenes.map((s) => [s.text, s.vectors.length])).toEqual([
      ['Mira:「NaN here.」', 0],
      ['Mira:「Infinity here.」', 0],
      ['Mira:「Fine.」', 1],
    ]);
    expect(bits(pack.scenes[2].vectors[0].data)).toEqual(bits(good));
    expect(pack.embeddingColumns).toEqual([{ column: 'bge_zh_s15', model: ZH.model, vectors: 1 }]);
    expect(pack.warnings).toEqual(['column "bge_zh_s15": 2 vectors dropped as unreadable (line 2: number 4 of 512 is NaN).']);
    // Infinity alone is named too.
    const onlyInf = parseChatHaruhiJsonl(JSON.stringify({ text: 'Mira:「x」', bge_zh_s15: vectorBase64(inf) }));
    expect(onlyInf.scenes[0].vectors).toEqual([]);
    expect(onlyInf.warnings).toContain('column "bge_zh_s15": 1 vectors dropped as unreadable (line 1: number 1 of 512 is -Infinity).');
  });

  it('uses a caller-given model map (e.g. to keep bce_base vectors)', () => {
    const v = seededVector(8, 9);
    const text = [JSON.stringify({ text: 'p', bce_base: 'system_prompt' }), JSON.stringify({ text: 'Mira:「a」', bce_base: vectorBase64(v) })].join('\n');
    const pack = parseChatHaruhiJsonl(text, { models: { bce_base: { model: 'local/bce', dim: 8 } } });
    expect(pack.scenes[0].vectors.map((x) => [x.model, x.dim])).toEqual([['local/bce', 8]]);
    expect(bits(pack.scenes[0].vectors[0].data)).toEqual(bits(v));
    expect(pack.warnings).toEqual([]);
  });

  it('reads English bge_en_s15 columns (384 dimensions)', () => {
    const v = seededVector(384, 5);
    const pack = parseChatHaruhiJsonl(JSON.stringify({ text: 'Sheldon:「Bazinga.」', bge_en_s15: vectorBase64(v) }));
    expect(pack.scenes[0].vectors[0]).toMatchObject({ model: 'Xenova/bge-small-en-v1.5', dim: 384 });
    expect(pack.warnings).toEqual(['No system_prompt row: the system prompt is left empty.']);
  });

  it('rejects text that has no JSON rows, and rows with no story text', () => {
    expect(() => parseChatHaruhiJsonl('hello\nworld')).toThrow(PackError);
    expect(() => parseChatHaruhiJsonl('')).toThrowError(/no line is a JSON object/);
    try {
      parseChatHaruhiJsonl('{"role_A": "阿虚", "role_B": "春日", "query": "q", "response": "r"}');
      expect.unreachable();
    } catch (error) {
      expect((error as PackError).reason).toBe('not-a-pack');
    }
  });

  it.skipIf(!haveFixtures)('haruhi all_chat_datas.jsonl (query/response pairs) is not a story pack', () => {
    const text = readFileSync(join(FIXTURES, 'haruhi', 'all_chat_datas.jsonl'), 'utf8');
    expect(() => parseChatHaruhiJsonl(text)).toThrowError(/not story packs/);
  });

  it.skipIf(!haveFixtures)('a JSONL pack built from the real haruhi stories gives the folder parser\'s scenes plus vectors', () => {
    const folder = parseChatHaruhiFolder(readPackFolder('haruhi'));
    const vectors = folder.scenes.map((_, i) => seededVector(512, i + 100));
    const lines = [
      JSON.stringify({ text: folder.systemPrompt, bge_zh_s15: 'system_prompt' }),
      JSON.stringify({ text: 'Reserve Config Setting Here', bge_zh_s15: 'config' }),
      ...folder.scenes.map((s, i) => JSON.stringify(i % 2 ? { text: s.text, bge_zh_s15: vectorBase64(vectors[i]) } : { enc_text: Buffer.from(s.text).toString('base64'), bge_zh_s15: vectorBase64(vectors[i]) })),
    ];
    const start = performance.now();
    const pack = parseChatHaruhiJsonl(lines.join('\n'));
    console.log(`[packs] parseChatHaruhiJsonl(haruhi + 512-dim vectors): ${pack.scenes.length} scenes, ${(lines.join('\n').length / 1024).toFixed(0)} KiB, in ${(performance.now() - start).toFixed(1)} ms`);
    expect(pack.systemPrompt).toBe(folder.systemPrompt);
    expect(pack.scenes.map((s) => s.text)).toEqual(folder.scenes.map((s) => s.text));
    expect(pack.scenes.map((s) => s.lines)).toEqual(folder.scenes.map((s) => s.lines));
    pack.scenes.forEach((s, i) => expect(bits(s.vectors[0].data)).toEqual(bits(vectors[i])));
    expect(pack.warnings).toEqual([]);
  });
});
