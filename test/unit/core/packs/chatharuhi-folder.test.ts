// The ChatHaruhi folder and zip parsers on built inputs: line variants, skipped files, layouts,
// hostile zips, and a generated pack of 20,000 stories.

import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { isNarrator, parseChatHaruhiFolder, parseChatHaruhiZip, parseStory, parseStoryLine, speakerCounts } from '../../../../src/core/packs/chatharuhi';
import { PackError, type PackFile } from '../../../../src/core/packs/common';
import { readZip } from '../../../../src/core/packs/pack-archive';
import { haveFixtures, makeZip, readPackFolder, utf8 } from './helpers';

const file = (path: string, text: string | Uint8Array): PackFile => ({ path, bytes: typeof text === 'string' ? utf8(text) : text });

function expectPackError(fn: () => unknown, reason: PackError['reason'], message?: RegExp): PackError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PackError);
    expect((error as PackError).reason).toBe(reason);
    if (message) expect((error as PackError).message).toMatch(message);
    return error as PackError;
  }
  throw new Error(`expected a PackError (${reason})`);
}

describe('parseStoryLine: every line form', () => {
  it.each([
    ['ASCII colon', 'Mira:「Good evening.」', { speaker: 'Mira', text: 'Good evening.' }],
    ['full-width colon', '小满：「茶要趁热。」', { speaker: '小满', text: '茶要趁热。' }],
    ['space after the colon', 'Mira: 「Hello.」', { speaker: 'Mira', text: 'Hello.' }],
    ['nested quotes', '小满：「他说「别走」，然后走了。」', { speaker: '小满', text: '他说「别走」，然后走了。' }],
    ['opening nested quote', '小满：「「规矩」就是规矩。」', { speaker: '小满', text: '「规矩」就是规矩。' }],
    ['unbalanced nested quote', '小满：「她问：「你去哪？」', { speaker: '小满', text: '她问：「你去哪？' }],
    ['narrator in brackets', '旁白:「雨停了。」', { speaker: '旁白', text: '雨停了。' }],
    ['narrator without brackets', '旁白:雨停了，「茶馆」又热闹起来。', { speaker: '旁白', text: '雨停了，「茶馆」又热闹起来。' }],
    ['English narrator', 'Narrator: The rain stops.', { speaker: 'Narrator', text: 'The rain stops.' }],
    ['wiki scene line', "'''Scene''':「''A tea house. [[Old Town|The old town]].''」", { speaker: 'Scene', text: 'A tea house. The old town.' }],
    ['empty speaker', ":「''(Door slams.)''」", { speaker: '', text: '(Door slams.)' }],
    ['no brackets', '掌柜：客官里边请。', { speaker: '掌柜', text: '客官里边请。' }],
    ['stage direction after the quote', 'Mira:「Fine.」(turns away)', { speaker: 'Mira', text: 'Fine. (turns away)' }],
    ['direction in the speaker slot', '掌柜（笑）：「来了！」', { speaker: '掌柜', text: '（笑） 来了！' }],
    ['unclosed quote', 'Mira:「Wait for me', { speaker: 'Mira', text: 'Wait for me' }],
    ['group speaker before a quote', 'Mira, Jun and Tao:「Cheers!」', { speaker: 'Mira, Jun and Tao', text: 'Cheers!' }],
    ['narration holding a colon', '雨下了一夜，掌柜说：明天再来。', { speaker: '', text: '雨下了一夜，掌柜说：明天再来。' }],
    ['bracketed narration', '（镜头转向门外：一匹白马）', { speaker: '', text: '（镜头转向门外：一匹白马）' }],
    ['a line with no colon', 'The lights go out.', { speaker: '', text: 'The lights go out.' }],
    ['a time is not a speaker', '10:30 the train leaves.', { speaker: '', text: '10:30 the train leaves.' }],
    ['CRLF and full-width spaces', '\u3000Mira:「Hi.」\r', { speaker: 'Mira', text: 'Hi.' }],
  ])('%s', (_, line, expected) => {
    expect(parseStoryLine(line)).toEqual(expected);
  });

  it('skips blank lines and lines with nothing said', () => {
    expect(parseStoryLine('')).toBeNull();
    expect(parseStoryLine('   \t')).toBeNull();
    expect(parseStoryLine('Mira:「」')).toBeNull();
    expect(parseStory('Mira:「a」\n\n\r\nJun:「b」\n')).toEqual([
      { speaker: 'Mira', text: 'a' },
      { speaker: 'Jun', text: 'b' },
    ]);
  });

  it('knows ChatHaruhi narrator names', () => {
    for (const name of ['', '旁白', 'scene', 'Scene', 'narrator', 'Narrator']) expect(isNarrator(name)).toBe(true);
    expect(isNarrator('Mira')).toBe(false);
    expect(speakerCounts([{ lines: parseStory('旁白:x\nMira:「a」\nJun:「b」\nMira:「c」\n:「d」') }])).toEqual([
      { speaker: 'Mira', lines: 2 },
      { speaker: 'Jun', lines: 1 },
    ]);
  });
});

describe('parseChatHaruhiFolder: layouts and skipped files', () => {
  const story = (speaker: string) => `${speaker}:「Hello.」\n旁白:Later.\n`;

  it('reads a pack at the top level (name "") and one folder down (name = folder)', () => {
    const top = parseChatHaruhiFolder([file('system_prompt.txt', 'Be Mira.\n'), file('texts/a.txt', story('Mira'))]);
    expect(top).toMatchObject({ name: '', systemPrompt: 'Be Mira.', warnings: [] });
    expect(top.scenes).toHaveLength(1);
    const nested = parseChatHaruhiFolder([file('mira\\system_prompt.txt', 'Be Mira.'), file('./mira/texts/a.txt', story('Mira'))]);
    expect(nested.name).toBe('mira');
    expect(nested.scenes[0]).toMatchObject({ title: 'a', text: 'Mira:「Hello.」\n旁白:Later.', source: 'chatharuhi' });
  });

  it('skips files that are not stories, each with a warning naming it', () => {
    const files = [
      file('mira/system_prompt.txt', 'Be Mira.'),
      file('mira/texts/good.txt', story('Mira')),
      file('mira/texts/extract.ipynb', '{"cells": []}'),
      file('mira/texts/cover.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])),
      file('mira/texts/empty.txt', ''),
      file('mira/texts/blank.txt', '\ufeff \n\n'),
      file('mira/texts/objects.txt', '{"role": "Mira", "text": "Hello"}\n{"role": "Jun", "text": "Hi"}\n'),
      file('mira/texts/array.txt', '[{"role": "Mira"}]'),
      // A JPEG named .txt: neither UTF-8 nor UTF-16 (FF FE would now read as a UTF-16 byte-order mark).
      file('mira/texts/binary.txt', new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10])),
      file('mira/texts/README', 'notes'),
      file('mira/texts/old/b.txt', story('Mira')),
      file('mira/all_chat_datas.jsonl', '{"role_A": "a", "role_B": "b", "query": "q", "response": "r"}'),
      file('mira/notes.md', '# notes'),
      ...Array.from({ length: 5 }, (_, i) => file(`mira/images/${i}.jpg`, new Uint8Array([0xff, 0xd8, i]))),
      file('__MACOSX/mira/texts/._good.txt', new Uint8Array([0, 5, 22, 7])),
      file('mira/.DS_Store', new Uint8Array([0, 0, 0, 1])),
    ];
    const result = parseChatHaruhiFolder(files);
    expect(result.scenes.map((s) => s.title)).toEqual(['good']);
    const warning = (name: string) => result.warnings.filter((w) => w.startsWith(`${name}:`));
    expect(warning('mira/texts/extract.ipynb')).toEqual([expect.stringContaining('.ipynb')]);
    expect(warning('mira/texts/cover.png')).toEqual([expect.stringContaining('not a story')]);
    expect(warning('mira/texts/empty.txt')).toEqual([expect.stringContaining('empty')]);
    expect(warning('mira/texts/blank.txt')).toEqual([expect.stringContaining('empty')]);
    expect(warning('mira/texts/objects.txt')).toEqual([expect.stringContaining('JSON')]);
    expect(warning('mira/texts/array.txt')).toEqual([expect.stringContaining('JSON')]);
    expect(warning('mira/texts/binary.txt')).toEqual([expect.stringContaining('not UTF-8')]);
    expect(warning('mira/texts/README')).toEqual([expect.stringContaining('no .txt extension')]);
    expect(warning('mira/texts/old/b.txt')).toEqual([expect.stringContaining('subfolder')]);
    expect(warning('mira/all_chat_datas.jsonl')).toEqual([expect.stringContaining('query/response pairs')]);
    expect(warning('mira/notes.md')).toHaveLength(1);
    // A folder of extras: three named, the rest counted.
    expect(result.warnings.filter((w) => w.startsWith('mira/images/'))).toHaveLength(4);
    expect(warning('mira/images/')).toEqual([expect.stringContaining('2 more files')]);
    // Operating-system litter is dropped silently.
    expect(result.warnings.some((w) => /MACOSX|DS_Store/.test(w))).toBe(false);
  });

  it('reads a UTF-8 BOM and Windows line ends', () => {
    const result = parseChatHaruhiFolder([file('system_prompt.txt', '\ufeffBe Mira.\r\n'), file('texts/a.txt', '\ufeffMira:「Hi.」\r\nJun:「Yo.」\r\n')]);
    expect(result.systemPrompt).toBe('Be Mira.');
    expect(result.scenes[0].text).toBe('Mira:「Hi.」\nJun:「Yo.」');
    expect(result.scenes[0].lines).toEqual([
      { speaker: 'Mira', text: 'Hi.' },
      { speaker: 'Jun', text: 'Yo.' },
    ]);
  });

  it('keeps the first of two files with the same path', () => {
    const result = parseChatHaruhiFolder([file('texts/a.txt', 'Mira:「1」'), file('texts\\a.txt', 'Mira:「2」'), file('system_prompt.txt', 'p')]);
    expect(result.scenes.map((s) => s.lines[0].text)).toEqual(['1']);
    expect(result.warnings).toEqual([expect.stringContaining('same name')]);
  });

  it('warns when there is a system prompt but no texts/ folder', () => {
    const result = parseChatHaruhiFolder([file('mira/system_prompt.txt', 'Be Mira.')]);
    expect(result.scenes).toEqual([]);
    expect(result.warnings).toEqual([expect.stringContaining('mira/texts/: missing')]);
  });

  it('rejects input that is not a pack, and input holding several packs', () => {
    expectPackError(() => parseChatHaruhiFolder([file('card.json', '{}'), file('a/b/c/texts/x.txt', 'x')]), 'not-a-pack', /no system_prompt\.txt/);
    expectPackError(() => parseChatHaruhiFolder([]), 'not-a-pack');
    expectPackError(() => parseChatHaruhiFolder([file('content/haruhi/chroma.sqlite3', new Uint8Array(8))]), 'not-a-pack', /ChromaDB/);
    const error = expectPackError(
      () =>
        parseChatHaruhiFolder([
          file('mira/system_prompt.txt', 'a'),
          file('mira/texts/a.txt', story('Mira')),
          file('jun/system_prompt.txt', 'b'),
          file('jun/texts/a.txt', story('Jun')),
        ]),
      'not-a-pack',
      /several ChatHaruhi packs/,
    );
    expect(error.details.packs).toMatch(/mira/);
    expect(error.details.packs).toMatch(/jun/);
  });

  it('a Haruhi-2-Dev zip layout (prompt plus ChromaDB, no texts) keeps the prompt and explains', () => {
    const result = parseChatHaruhiFolder([file('content/system_prompt.txt', 'Be Haruhi.'), file('content/haruhi/chroma.sqlite3', new Uint8Array(8))]);
    expect(result.systemPrompt).toBe('Be Haruhi.');
    expect(result.scenes).toEqual([]);
    expect(result.warnings.join('\n')).toMatch(/ChromaDB/);
  });
});

describe('parseChatHaruhiZip', () => {
  it.skipIf(!haveFixtures)('gives the same pack as the folder (real haruhi pack, zipped in memory)', () => {
    const files = readPackFolder('haruhi');
    const zip = zipSync(Object.fromEntries(files.map((f) => [f.path, f.bytes])));
    const fromZip = parseChatHaruhiZip(zip);
    const fromFolder = parseChatHaruhiFolder(files);
    expect(fromZip).toEqual(fromFolder);
    expect(fromZip.scenes).toHaveLength(172);
  });

  it('reads stored and deflated entries, folders, and a top-level layout', () => {
    const zip = makeZip([
      { name: 'texts/', data: new Uint8Array(0), method: 0 },
      { name: 'system_prompt.txt', data: utf8('Be Mira.'), method: 0 },
      { name: 'texts/a.txt', data: utf8('Mira:「Hello.」') },
      { name: 'texts/b.txt', data: utf8('Jun：「Hi.」'.repeat(100)) },
    ]);
    const result = parseChatHaruhiZip(zip);
    expect(result).toMatchObject({ name: '', systemPrompt: 'Be Mira.', warnings: [] });
    expect(result.scenes.map((s) => s.title)).toEqual(['a', 'b']);
  });

  it('decodes entry names written without the UTF-8 flag (GBK from Chinese Windows, or plain UTF-8)', () => {
    // 春日.txt in GBK: B4BA C8D5
    const gbk = new Uint8Array([...utf8('texts/'), 0xb4, 0xba, 0xc8, 0xd5, ...utf8('.txt')]);
    const zip = makeZip([
      { name: utf8('system_prompt.txt'), data: utf8('p') },
      { name: gbk, data: utf8('春日:「喂」') },
      { name: utf8('texts/阿虚.txt'), data: utf8('阿虚:「嗯」') },
    ]);
    expect(readZip(zip).map((f) => f.path)).toEqual(['system_prompt.txt', 'texts/春日.txt', 'texts/阿虚.txt']);
  });

  it('rejects path traversal and absolute names', () => {
    for (const name of ['../evil.txt', 'texts/../../evil.txt', '/etc/passwd', 'C:\\evil.txt', 'texts\\..\\..\\evil.txt']) {
      const zip = makeZip([{ name: 'system_prompt.txt', data: utf8('p') }, { name, data: utf8('x') }]);
      expectPackError(() => parseChatHaruhiZip(zip), 'unsafe-path');
    }
  });

  it('rejects too many entries and too many bytes before unpacking them', () => {
    const many = makeZip(Array.from({ length: 30 }, (_, i) => ({ name: `texts/${i}.txt`, data: utf8('Mira:「a」') })));
    expectPackError(() => parseChatHaruhiZip(many, { maxEntries: 20 }), 'too-many-entries');
    const big = makeZip([{ name: 'texts/a.txt', data: new Uint8Array(2 * 1024 * 1024).fill(65) }]);
    expectPackError(() => parseChatHaruhiZip(big, { maxEntryBytes: 1024 * 1024 }), 'too-large');
    expectPackError(() => parseChatHaruhiZip(big, { maxTotalBytes: 1024 * 1024 }), 'too-large');
  });

  it('stops a zip bomb that declares a small size', () => {
    const data = new Uint8Array(32 * 1024 * 1024); // 32 MiB of zeros deflate to ~32 KiB
    const zip = makeZip([{ name: 'texts/a.txt', data, declaredSize: 100 }]);
    expect(zip.length).toBeLessThan(100 * 1024);
    expectPackError(() => parseChatHaruhiZip(zip), 'too-large', /more than the 100 bytes it declares/);
  });

  it('stops an entry that lies about its size in the sliced (large entry) path too', () => {
    let seed = 7;
    const noise = new Uint8Array(300 * 1024).map(() => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24);
    const zip = makeZip([{ name: 'texts/a.txt', data: noise, declaredSize: 1000 }]);
    expect(zip.length).toBeGreaterThan(64 * 1024);
    expectPackError(() => parseChatHaruhiZip(zip), 'too-large', /more than the 1000 bytes it declares/);
    // …and reads it when the size is honest (then it fails as a story: not UTF-8 text).
    const honest = parseChatHaruhiZip(makeZip([{ name: 'system_prompt.txt', data: utf8('p') }, { name: 'texts/a.txt', data: noise }]));
    expect(honest.warnings).toEqual([expect.stringContaining('texts/a.txt: skipped, not UTF-8')]);
  });

  it('rejects broken zips with a clear reason', () => {
    expectPackError(() => parseChatHaruhiZip(utf8('not a zip at all, just text')), 'bad-zip', /Not a zip/);
    const good = makeZip([{ name: 'texts/a.txt', data: utf8('Mira:「Hello there, this is a story.」') }]);
    expectPackError(() => parseChatHaruhiZip(good.slice(0, good.length - 30)), 'bad-zip');
    expectPackError(() => parseChatHaruhiZip(makeZip([{ name: 'texts/a.txt', data: utf8('Mira:「a」'), crc: 1234 }])), 'bad-zip', /CRC/);
    expectPackError(() => parseChatHaruhiZip(makeZip([{ name: 'texts/a.txt', data: utf8('Mira:「a」'), method: 12 }])), 'bad-zip', /method 12/);
    expectPackError(() => parseChatHaruhiZip(makeZip([{ name: 'texts/a.txt', data: utf8('Mira:「a」'), flags: 0x801 }])), 'bad-zip', /encrypted/);
    const shorter = makeZip([{ name: 'texts/a.txt', data: utf8('Mira:「a」'), declaredSize: 400 }]);
    expectPackError(() => parseChatHaruhiZip(shorter), 'bad-zip', /shorter/);
  });
});

describe('a generated pack of 20,000 stories', () => {
  const speakers = ['Mira', '小满', 'Jun', '旁白'];
  const files: PackFile[] = [file('big/system_prompt.txt', 'Be Mira.')];
  for (let i = 0; i < 20_000; i++) {
    const lines: string[] = [];
    for (let j = 0; j < 8; j++) {
      const speaker = speakers[(i + j) % speakers.length];
      lines.push(j % 3 === 2 ? `${speaker}：「第${i}幕，第${j}句「引号」。」` : `${speaker}:「Scene ${i}, line ${j}: the kettle sings again.」`);
    }
    files.push(file(`big/texts/story_${i}.txt`, lines.join('\n')));
  }

  it('parses as a folder quickly', () => {
    const start = performance.now();
    const result = parseChatHaruhiFolder(files);
    const ms = performance.now() - start;
    console.log(`[packs] parseChatHaruhiFolder: 20,000 generated stories (${result.scenes.reduce((n, s) => n + s.lines.length, 0)} lines) in ${ms.toFixed(0)} ms`);
    expect(result.scenes).toHaveLength(20_000);
    expect(result.warnings).toEqual([]);
    expect(result.scenes[0].title).toBe('story_0');
    expect(result.scenes[19_999].title).toBe('story_19999');
    expect(result.scenes[5].lines).toHaveLength(8);
  });

  it('parses as a zip quickly', () => {
    const zip = zipSync(Object.fromEntries(files.map((f) => [f.path, f.bytes])));
    const start = performance.now();
    const result = parseChatHaruhiZip(zip);
    const ms = performance.now() - start;
    console.log(`[packs] parseChatHaruhiZip: 20,000 generated stories, ${(zip.length / 1024 / 1024).toFixed(1)} MiB zip, in ${ms.toFixed(0)} ms`);
    expect(result.scenes).toHaveLength(20_000);
  }, 60_000); // builds and reads a 20,000-story zip: seconds on a loaded 2-core machine
});
