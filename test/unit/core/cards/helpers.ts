// Byte-level builders for card tests: PNG chunks, tEXt card chunks and ZIP archives, written with
// Node's zlib (not the code under test) so the tests check the codecs against independent bytes.

import { crc32, deflateRawSync, deflateSync } from 'node:zlib';
import { encodeSolidPng } from '../../../../src/core/cards/png';

export const SIG = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

export function u8(...parts: Array<Uint8Array | number[] | string>): Uint8Array {
  const arrays = parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) (out.set(a, o), (o += a.length));
  return out;
}

function be32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}
export function le16(n: number): number[] {
  return [n & 255, (n >>> 8) & 255];
}
export function le32(n: number): number[] {
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
}

export function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 255);
}

/** One PNG chunk; `badCrc` flips the CRC, `length` lies about the length. */
export function chunk(type: string, data: Uint8Array, opts: { badCrc?: boolean; length?: number } = {}): Uint8Array {
  const body = u8(latin1(type), data);
  let crc = crc32(body) >>> 0;
  if (opts.badCrc) crc = (crc ^ 0xdeadbeef) >>> 0;
  return u8(be32(opts.length ?? data.length), body, be32(crc));
}

export function ihdr(width = 1, height = 1): Uint8Array {
  return chunk('IHDR', u8(be32(width), be32(height), [8, 6, 0, 0, 0]));
}

export function idat(width = 1, height = 1, rgba: [number, number, number, number] = [200, 80, 40, 255]): Uint8Array {
  const raw: number[] = [];
  for (let y = 0; y < height; y++) {
    raw.push(0);
    for (let x = 0; x < width; x++) raw.push(...rgba);
  }
  return chunk('IDAT', new Uint8Array(deflateSync(Uint8Array.from(raw))));
}

export const iend = (): Uint8Array => chunk('IEND', new Uint8Array(0));

/** A valid 1x1 PNG with `extra` chunks before IEND. */
export function png(...extra: Uint8Array[]): Uint8Array {
  return u8(SIG, ihdr(), idat(), ...extra, iend());
}

/** An APNG: acTL, two frames (fcTL + IDAT, fcTL + fdAT), then `extra` chunks. */
export function apng(...extra: Uint8Array[]): Uint8Array {
  const fctl = (seq: number): Uint8Array => chunk('fcTL', u8(be32(seq), be32(1), be32(1), be32(0), be32(0), le16(1).reverse(), le16(10).reverse(), [0, 0]));
  const frame2 = new Uint8Array(deflateSync(Uint8Array.from([0, 10, 20, 30, 255])));
  return u8(
    SIG, ihdr(),
    chunk('acTL', u8(be32(2), be32(0))),
    fctl(0), idat(),
    fctl(1), chunk('fdAT', u8(be32(2), frame2)),
    ...extra, iend(),
  );
}

export function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}

export function text(keyword: string, value: string): Uint8Array {
  return chunk('tEXt', u8(latin1(keyword), [0], latin1(value)));
}

export function cardChunk(keyword: string, card: unknown): Uint8Array {
  return text(keyword, b64json(card));
}

export interface ZipEntrySpec {
  /** A string (written as UTF-8) or raw name bytes. */
  name: string | Uint8Array;
  data?: Uint8Array | string;
  /** 8 = deflate (default for data longer than 0), 0 = stored. */
  method?: 0 | 8 | number;
  /** Lie about the uncompressed size in the central directory. */
  declaredSize?: number;
  /** Lie about the CRC. */
  crc?: number;
  flags?: number;
  /** Raw compressed bytes to write instead of compressing `data`. */
  raw?: Uint8Array;
}

/**
 * Each entry's local header (with its data) and central-directory record, and the offset after the
 * last local header (where the directory goes). `flagsOf` gives the general-purpose flags written.
 */
export function zipRecords(entries: readonly ZipEntrySpec[], flagsOf: (entry: ZipEntrySpec) => number): { locals: Uint8Array[]; centrals: Uint8Array[]; offset: number } {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = typeof e.data === 'string' ? new TextEncoder().encode(e.data) : (e.data ?? new Uint8Array(0));
    const method = e.method ?? 8;
    const body = e.raw ?? (method === 8 ? new Uint8Array(deflateRawSync(data)) : data);
    const crc = e.crc ?? crc32(data) >>> 0;
    const size = e.declaredSize ?? data.length;
    const name = typeof e.name === 'string' ? new TextEncoder().encode(e.name) : e.name;
    const common = [...le16(20), ...le16(flagsOf(e)), ...le16(method), ...le16(0), ...le16(0x21), ...le32(crc), ...le32(body.length), ...le32(size), ...le16(name.length), ...le16(0)];
    const local = u8([0x50, 0x4b, 3, 4], common, name, body);
    centrals.push(u8([0x50, 0x4b, 1, 2], le16(20), common, le16(0), le16(0), le16(0), le32(0), le32(offset), name));
    locals.push(local);
    offset += local.length;
  }
  return { locals, centrals, offset };
}

/** A ZIP archive built by hand: local headers, central directory and end record (names flagged UTF-8). */
export function zip(entries: ZipEntrySpec[], opts: { totalEntries?: number; prefix?: Uint8Array; truncateCd?: boolean; corruptCd?: boolean } = {}): Uint8Array {
  const { locals, centrals, offset } = zipRecords(entries, (e) => (e.flags ?? 0) | 0x800);
  const cd = u8(...centrals);
  if (opts.corruptCd) cd[0] = 0;
  const count = opts.totalEntries ?? entries.length;
  const eocd = u8([0x50, 0x4b, 5, 6], le16(0), le16(0), le16(Math.min(count, 0xffff)), le16(Math.min(count, 0xffff)), le32(cd.length), le32(offset), le16(0));
  const all = u8(opts.prefix ?? new Uint8Array(0), ...locals, opts.truncateCd ? cd.subarray(0, 10) : cd, eocd);
  return all;
}

export const PIXEL_PNG = png();

/** A V3 card with every kind of thing a round trip must keep. */
export function richV3(): Record<string, unknown> {
  return {
    spec: 'chara_card_v3',
    spec_version: '3.0',
    x_top_level_unknown: { keep: ['me', 1, true, null] },
    data: {
      name: 'Aria <script>alert(1)</script>',
      nickname: 'Ari',
      description: '{{char}} is a <b>bold</b> ranger. <img src=x onerror=alert(1)>',
      personality: 'curious',
      scenario: 'A forest at dusk.',
      first_mes: '*waves* Hello, {{user}}! <script>alert("hi")</script>',
      mes_example: '<START>\n{{user}}: hi\n{{char}}: hello',
      creator_notes: 'Made for testing. <iframe src="javascript:alert(1)">',
      system_prompt: '{{original}} Stay in character.',
      post_history_instructions: 'Keep replies short.',
      alternate_greetings: ['Hi there.', 'Oh, you again.'],
      group_only_greetings: ['Hello, everyone.'],
      tags: ['fantasy', 'ranger'],
      creator: 'tester',
      character_version: '1.2',
      creator_notes_multilingual: { en: 'notes', zh: '说明' },
      source: ['https://example.com/aria'],
      creation_date: 1700000000,
      modification_date: 1700000500,
      x_unknown_data_field: { nested: { deep: [1, 2, 3] } },
      extensions: {
        talkativeness: '0.5',
        fav: false,
        depth_prompt: { prompt: 'Remember the forest.', depth: 4, role: 'system' },
        'agnai/voice': { id: 'v1' },
        risuai: { customScripts: [{ in: 'a', out: 'b' }] },
      },
      character_book: {
        name: 'Aria lore',
        description: 'The world',
        scan_depth: 3,
        token_budget: 512,
        recursive_scanning: true,
        x_book_unknown: 'kept',
        extensions: { book_ext: 1 },
        entries: [
          {
            id: 1,
            keys: ['forest', 'woods'],
            secondary_keys: ['night'],
            content: '@@depth 2\nThe forest is old.',
            enabled: true,
            insertion_order: 10,
            case_sensitive: false,
            name: 'Forest',
            priority: 5,
            comment: 'about the forest',
            selective: true,
            constant: false,
            use_regex: false,
            position: 'before_char',
            x_entry_unknown: [1, 'two'],
            extensions: { selectiveLogic: 3, depth: 4, probability: 80, useProbability: true, group: 'g1' },
          },
          {
            id: 'str-id',
            keys: ['/ranger(s)?/i'],
            secondary_keys: [],
            content: 'Rangers guard the border.',
            enabled: false,
            insertion_order: 0,
            use_regex: true,
            constant: true,
            position: 'after_char',
            extensions: {},
          },
        ],
      },
      assets: [
        { type: 'icon', uri: 'ccdefault:', name: 'main', ext: 'png' },
        { type: 'background', uri: 'https://example.com/bg.webp', name: 'forest', ext: 'webp', x_asset_unknown: 7 },
      ],
    },
  };
}

// The CHARX fixture's asset bytes, exported so tests can check an export carries them unchanged.
// The images come from the app's own PNG encoder: tests only compare them byte for byte with what
// comes back out, so unlike the builders above they need not be independent of the code under test.
export const CHARX_ICON = encodeSolidPng(3, 3, [10, 200, 30, 255]);
export const CHARX_BACKGROUND = encodeSolidPng(4, 2, [1, 2, 3, 255]);
export const CHARX_VOICE = Uint8Array.from({ length: 300 }, (_, i) => (i * 31) % 256);

/** A CHARX with an icon, a background, an audio asset, a remote asset and a file no asset names. */
export function richCharx(): Uint8Array {
  const card = richV3();
  (card.data as Record<string, unknown>).assets = [
    { type: 'icon', uri: 'embeded://assets/icon/images/main.png', name: 'main', ext: 'png', x_icon_extra: 'icon-extra' },
    { type: 'background', uri: 'embeded://assets/background/images/forest.png', name: 'forest', ext: 'png' },
    { type: 'x_voice', uri: 'embeded://assets/other/audio/voice.mp3', name: 'voice', ext: 'mp3', x_meta: { a: 1 } },
    { type: 'emotion', uri: 'https://example.com/happy.png', name: 'happy', ext: 'png' },
  ];
  return zip([
    { name: 'card.json', data: JSON.stringify(card) },
    { name: 'assets/icon/images/main.png', data: CHARX_ICON, method: 0 },
    { name: 'assets/background/images/forest.png', data: CHARX_BACKGROUND },
    { name: 'assets/other/audio/voice.mp3', data: CHARX_VOICE },
    { name: 'module.risum', data: 'module' },
  ]);
}

/** SillyTavern's export shape: flat V1 fields plus `data`. */
export function stMix(): Record<string, unknown> {
  return {
    name: 'Seraphina',
    description: 'flat description (stale)',
    personality: 'kind',
    scenario: 'flat scenario',
    first_mes: 'flat greeting',
    mes_example: 'flat examples',
    creatorcomment: 'flat notes',
    avatar: 'none',
    chat: 'Seraphina - 2024-1-1@12h00m00s',
    talkativeness: '0.5',
    fav: false,
    tags: ['st'],
    spec: 'chara_card_v2',
    spec_version: '2.0',
    create_date: '2024-1-1@12h00m00s',
    data: {
      name: 'Seraphina',
      description: 'data description',
      personality: '',
      scenario: 'data scenario',
      first_mes: 'data greeting',
      mes_example: '',
      creator_notes: 'data notes',
      system_prompt: '',
      post_history_instructions: '',
      tags: ['st', 'guardian'],
      creator: 'ST',
      character_version: '',
      alternate_greetings: [],
      extensions: { talkativeness: '0.5', fav: false, world: 'Eldoria', depth_prompt: { prompt: '', depth: 4, role: 'system' } },
      group_only_greetings: [],
    },
  };
}
