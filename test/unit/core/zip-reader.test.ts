// The one defensive ZIP reader both card (CHARX) and pack imports use: its name policies, limits
// checked before inflating, lying entries, and archives appended to another file.

import { describe, expect, it } from 'vitest';
import { readZipDirectory, readZipFiles, ZipError, type ZipReadOptions } from '../../../src/core/zip-reader';
import { zip } from './cards/helpers';

const limits = { maxEntries: 100, maxTotalBytes: 1024 * 1024, maxEntryBytes: 512 * 1024 };
const packs: ZipReadOptions = { limits, backslash: 'separator' };
const cards: ZipReadOptions = { limits, backslash: 'unsafe' };
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function fact(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ZipError) return error.fact;
    throw error;
  }
  return 'no error';
}

describe('shared zip reader', () => {
  it('reads Windows backslash names as folders for packs and refuses them for cards', () => {
    const archive = zip([{ name: 'texts\\a.txt', data: 'Mira:「hi」' }]);
    expect(readZipFiles(archive, packs).map((f) => f.name)).toEqual(['texts/a.txt']);
    expect(fact(() => readZipFiles(archive, cards))).toBe('unsafe-path');
    expect(fact(() => readZipFiles(zip([{ name: 'texts\\..\\..\\evil.txt', data: 'x' }]), packs))).toBe('unsafe-path');
  });

  it('reads an archive appended to another file (CHARX after a JPEG) for both', () => {
    const jpeg = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9);
    const archive = zip([{ name: 'card.json', data: '{"name":"A"}' }], { prefix: jpeg });
    for (const options of [packs, cards]) expect(text(readZipFiles(archive, options)[0].bytes)).toBe('{"name":"A"}');
  });

  it('checks declared sizes and counts before inflating anything', () => {
    expect(fact(() => readZipDirectory(zip([{ name: 'a', data: 'x', declaredSize: 600 * 1024 }]), packs))).toBe('entry-too-large');
    expect(fact(() => readZipDirectory(zip([{ name: 'a', data: 'x', declaredSize: 400 * 1024 }, { name: 'b', data: 'x', declaredSize: 700 * 1024 }]), { ...packs, limits: { ...limits, maxEntryBytes: Infinity } }))).toBe('total-too-large');
    expect(fact(() => readZipDirectory(zip([{ name: 'a', data: 'x' }], { totalEntries: 101 }), packs))).toBe('too-many-entries');
  });

  it('stops an entry that inflates past its declared size, and one that falls short', () => {
    expect(fact(() => readZipFiles(zip([{ name: 'a', data: new Uint8Array(300_000), declaredSize: 10 }]), packs))).toBe('overflow');
    expect(fact(() => readZipFiles(zip([{ name: 'a', data: 'short', declaredSize: 50 }]), packs))).toBe('short');
    expect(fact(() => readZipFiles(zip([{ name: 'a', data: 'crc', crc: 7 }]), packs))).toBe('bad-crc');
  });

  it('skips folders and keeps duplicate names in order for the caller to decide', () => {
    const archive = zip([{ name: 'texts/', data: '' }, { name: 'a.txt', data: 'one' }, { name: 'a.txt', data: 'two' }]);
    expect(readZipFiles(archive, packs).map((f) => [f.name, text(f.bytes)])).toEqual([['a.txt', 'one'], ['a.txt', 'two']]);
  });
});
