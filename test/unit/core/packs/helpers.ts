// Test helpers for the pack parsers: the real ChatHaruhi packs read in place from ../shared (CC BY-NC:
// never copied into the repo), and a small zip writer that can also write broken and lying zips.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { deflateSync } from 'fflate';
import type { PackFile } from '../../../../src/core/packs/common';
import { crc32 } from '../../../../src/core/bytes';

const ROOT = resolve(import.meta.dirname, '../../../..');
// The shared folder sits beside the checkout, or inside it on machines that carry it along.
export const FIXTURES =
  process.env.CHATHARUHI_FIXTURES ??
  [join(ROOT, '../shared/fixtures/chatharuhi'), join(ROOT, 'shared/fixtures/chatharuhi')].find((dir) => existsSync(dir)) ??
  join(ROOT, '../shared/fixtures/chatharuhi');

export const PACKS = ['Sheldon', 'haruhi', 'hutao', 'tangshiye'] as const;
export type PackName = (typeof PACKS)[number];
export const haveFixtures = PACKS.every((p) => existsSync(join(FIXTURES, p, 'texts')));

/** Every file of a fixture pack as the importer gets it from a directory picker: `<pack>/…` paths. */
export function readPackFolder(pack: PackName, prefix = `${pack}/`): PackFile[] {
  const dir = join(FIXTURES, pack);
  const out: PackFile[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push({ path: prefix + relative(dir, path).split('\\').join('/'), bytes: new Uint8Array(readFileSync(path)) });
    }
  };
  walk(dir);
  return out;
}

/** The story files of a pack: name and text. */
export function readStories(pack: PackName): { name: string; text: string }[] {
  const dir = join(FIXTURES, pack, 'texts');
  return readdirSync(dir)
    .filter((n) => n.endsWith('.txt'))
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
}

/** Every non-blank raw line of a pack's stories, with its file. */
export function rawLines(pack: PackName): { file: string; line: string }[] {
  return readStories(pack).flatMap(({ name, text }) =>
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .map((line) => ({ file: name, line })),
  );
}

export interface ZipEntrySpec {
  name: string | Uint8Array;
  data: Uint8Array;
  /** 0 stored, 8 deflate (default 8). */
  method?: number;
  /** General-purpose flags; bit 11 (UTF-8 names) is set for string names unless given. */
  flags?: number;
  /** Lie about the unpacked size in the central directory. */
  declaredSize?: number;
  /** Lie about the CRC. */
  crc?: number;
}

/** A minimal zip writer (no data descriptors, no zip64), enough to build good and bad archives. */
export function makeZip(entries: readonly ZipEntrySpec[]): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = typeof entry.name === 'string' ? enc.encode(entry.name) : entry.name;
    const method = entry.method ?? 8;
    const body = method === 8 ? deflateSync(entry.data) : entry.data;
    const flags = entry.flags ?? (typeof entry.name === 'string' ? 0x800 : 0);
    const crc = entry.crc ?? crc32(entry.data);
    const size = entry.declaredSize ?? entry.data.length;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, flags, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const cdSize = centrals.reduce((n, c) => n + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const parts = [...locals, ...centrals, eocd];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const utf8 = (text: string) => new TextEncoder().encode(text);
