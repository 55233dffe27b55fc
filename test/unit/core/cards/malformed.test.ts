// A corpus of broken files: each must fail with a CardError whose reason and sentence say what is
// wrong, and nothing else may ever be thrown.

import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CardError, type CardErrorReason } from '../../../../src/core/cards/errors';
import { importCardFile, type ImportOptions } from '../../../../src/core/cards/detect';
import { importCharx } from '../../../../src/core/cards/charx';
import { SIG, b64json, cardChunk, chunk, idat, iend, ihdr, latin1, png, text, u8, zip } from './helpers';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const card = { spec: 'chara_card_v2', spec_version: '2.0', data: { name: 'Valid', description: 'x' } };
const validCharx = (): Uint8Array => zip([{ name: 'card.json', data: JSON.stringify(card) }]);

interface Case {
  label: string;
  name: string;
  bytes: () => Uint8Array;
  reason: CardErrorReason;
  message: RegExp;
  options?: ImportOptions;
}

const fullPng = png(cardChunk('chara', card));

const CASES: Case[] = [
  // --- any file
  { label: 'empty file', name: 'x.png', bytes: () => new Uint8Array(0), reason: 'not-a-card', message: /The file is empty\./ },
  { label: 'file over 50 MB', name: 'big.png', bytes: () => { const b = new Uint8Array(50 * 1024 * 1024 + 1); b.set(SIG); return b; }, reason: 'too-large', message: /is 50\.0 MB; a character card may be at most 50\.0 MB/ },
  { label: 'file over a custom limit', name: 'a.json', bytes: () => enc(JSON.stringify(card)), options: { maxFileBytes: 10 }, reason: 'too-large', message: /at most 10 bytes/ },
  { label: 'random binary', name: 'noise.bin', bytes: () => Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) % 256), reason: 'not-a-card', message: /not a character card: cards are PNG images, JSON files or CHARX archives/ },
  { label: 'plain text', name: 'notes.txt', bytes: () => enc('hello there'), reason: 'not-a-card', message: /not a character card/ },
  { label: 'JPEG without card data', name: 'face.jpg', bytes: () => Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0xff, 0xd9]), reason: 'not-a-card', message: /JPEG image without character card data/ },
  // --- PNG
  { label: 'PNG signature only', name: 'a.png', bytes: () => SIG, reason: 'bad-png', message: /cut short.*truncated/ },
  { label: 'truncated inside IHDR', name: 'a.png', bytes: () => fullPng.subarray(0, 20), reason: 'bad-png', message: /cut short/ },
  { label: 'truncated inside the card chunk', name: 'a.png', bytes: () => fullPng.subarray(0, fullPng.length - 40), reason: 'bad-png', message: /chunk 'tEXt' \(#3\).*says it holds \d+ bytes/ },
  { label: 'no IEND', name: 'a.png', bytes: () => u8(SIG, ihdr(), idat(), cardChunk('chara', card)), reason: 'bad-png', message: /before its IEND chunk/ },
  { label: 'bad CRC on the card chunk', name: 'a.png', bytes: () => png(chunk('tEXt', u8(latin1('chara'), [0], latin1(b64json(card))), { badCrc: true })), reason: 'bad-png', message: /chunk 'tEXt' \(#3\).*fails its CRC check/ },
  { label: 'bad CRC on IDAT', name: 'a.png', bytes: () => u8(SIG, ihdr(), chunk('IDAT', Uint8Array.from([1, 2, 3]), { badCrc: true }), iend()), reason: 'bad-png', message: /chunk 'IDAT' \(#2\).*CRC/ },
  { label: 'chunk length past EOF', name: 'a.png', bytes: () => u8(SIG, ihdr(), chunk('tEXt', enc('chara\0AAAA'), { length: 0x7ffffff0 }), iend()), reason: 'bad-png', message: /says it holds 2147483632 bytes, but the file ends/ },
  { label: 'chunk length over 2^31', name: 'a.png', bytes: () => u8(SIG, ihdr(), chunk('tEXt', enc('chara\0AAAA'), { length: 0xfffffff0 }), iend()), reason: 'bad-png', message: /says it holds 4294967280 bytes/ },
  { label: 'chunk type not letters', name: 'a.png', bytes: () => u8(SIG, ihdr(), chunk('IDAT', new Uint8Array(1)).map((b, i) => (i === 4 ? 0x31 : b)), iend()), reason: 'bad-png', message: /chunk #2 at byte 33 has no valid chunk type/ },
  { label: 'first chunk not IHDR', name: 'a.png', bytes: () => u8(SIG, idat(), iend()), reason: 'bad-png', message: /first chunk is 'IDAT', not 'IHDR'/ },
  { label: 'tEXt without separator', name: 'a.png', bytes: () => png(chunk('tEXt', enc('chara' + b64json(card)))), reason: 'bad-png', message: /text chunk #3 has no keyword separator/ },
  { label: 'PNG without a card', name: 'a.png', bytes: () => png(text('Software', 'GIMP')), reason: 'not-a-card', message: /holds no character card \(no 'chara' or 'ccv3' text chunk\)/ },
  { label: 'base64 garbage', name: 'a.png', bytes: () => png(text('chara', 'eyJuYW1lIjo!!!@@@')), reason: 'bad-base64', message: /'chara' chunk is not valid base64 \(unexpected "!" at position 11\)/ },
  { label: 'base64 with an impossible length', name: 'a.png', bytes: () => png(text('chara', 'abcde')), reason: 'bad-base64', message: /length is not valid base64/ },
  { label: 'base64 data after padding', name: 'a.png', bytes: () => png(text('ccv3', 'YQ==YQ')), reason: 'bad-base64', message: /'ccv3' chunk is not valid base64 \(unexpected '=' padding/ },
  { label: 'empty card chunk', name: 'a.png', bytes: () => png(text('chara', '')), reason: 'bad-base64', message: /'chara' chunk is empty/ },
  { label: 'base64 of non-JSON', name: 'a.png', bytes: () => png(text('chara', Buffer.from('just some words').toString('base64'))), reason: 'invalid-json', message: /'chara' chunk does not hold JSON/ },
  { label: 'base64 of a JSON array', name: 'a.png', bytes: () => png(cardChunk('chara', [1, 2])), reason: 'not-a-card', message: /a list instead of a character card object/ },
  { label: 'both chunks broken: the ccv3 error is reported', name: 'a.png', bytes: () => png(text('ccv3', '%%%'), text('chara', '%%%')), reason: 'bad-base64', message: /'ccv3' chunk/ },
  { label: 'PNG with an unsupported spec', name: 'a.png', bytes: () => png(cardChunk('ccv3', { spec: 'chara_card_v4', spec_version: '4.0', data: { name: 'X' } })), reason: 'unsupported-version', message: /'chara_card_v4' is not supported/ },
  { label: 'named .png but not a PNG', name: 'fake.png', bytes: () => enc('GIF? no, plain text'), reason: 'bad-png', message: /named like a PNG image but is not one/ },
  // --- JSON
  { label: 'invalid JSON', name: 'a.json', bytes: () => enc('{"name": "x",'), reason: 'invalid-json', message: /The file is not valid JSON/ },
  { label: 'JSON with trailing garbage', name: 'a.json', bytes: () => enc('{"name": "x"} }'), reason: 'invalid-json', message: /not valid JSON/ },
  { label: 'JSON number', name: 'a.json', bytes: () => enc('42'), reason: 'not-a-card', message: /a number instead of a character card object/ },
  { label: 'JSON string', name: 'a.json', bytes: () => enc('"hello"'), reason: 'not-a-card', message: /text instead of a character card object/ },
  { label: 'JSON null', name: 'a.json', bytes: () => enc('null'), reason: 'not-a-card', message: /null instead of a character card object/ },
  { label: 'JSON array', name: 'a.json', bytes: () => enc('[{"name":"x"}]'), reason: 'not-a-card', message: /a list instead/ },
  { label: 'V1 without name', name: 'a.json', bytes: () => enc('{"description":"d","first_mes":"hi"}'), reason: 'not-a-card', message: /The card has no name/ },
  { label: 'V2 without data.name', name: 'a.json', bytes: () => enc('{"spec":"chara_card_v2","data":{"description":"d"}}'), reason: 'not-a-card', message: /The card has no name/ },
  { label: 'V3 with a blank name', name: 'a.json', bytes: () => enc('{"spec":"chara_card_v3","data":{"name":"   "}}'), reason: 'not-a-card', message: /The card has no name/ },
  { label: 'V2 whose data is a string', name: 'a.json', bytes: () => enc('{"spec":"chara_card_v2","data":"oops"}'), reason: 'not-a-card', message: /says 'chara_card_v2' but has no 'data' object/ },
  { label: 'unknown spec', name: 'a.json', bytes: () => enc('{"spec":"chara_card_v9","data":{"name":"x"}}'), reason: 'unsupported-version', message: /The card format 'chara_card_v9' is not supported/ },
  { label: 'spec that is not text', name: 'a.json', bytes: () => enc('{"spec":2,"data":{"name":"x"}}'), reason: 'unsupported-version', message: /spec is a number/ },
  { label: 'a lorebook_v3 file', name: 'a.json', bytes: () => enc('{"spec":"lorebook_v3","data":{"entries":[]}}'), reason: 'not-a-card', message: /lorebook \('lorebook_v3'\), not a character card/ },
  { label: 'a SillyTavern World Info file', name: 'a.json', bytes: () => enc('{"entries":{"0":{"key":["a"],"content":"b"}}}'), reason: 'not-a-card', message: /looks like a lorebook/ },
  { label: 'an unrelated object', name: 'a.json', bytes: () => enc('{"foo":1}'), reason: 'not-a-card', message: /no character card fields/ },
  { label: 'a name and nothing else', name: 'a.json', bytes: () => enc('{"name":"Just a name"}'), reason: 'not-a-card', message: /none of the other character card fields/ },
  // --- CHARX / ZIP
  { label: 'truncated zip', name: 'a.charx', bytes: () => validCharx().subarray(0, 30), reason: 'bad-zip', message: /central directory is missing/ },
  { label: 'central directory cut short', name: 'a.charx', bytes: () => zip([{ name: 'card.json', data: '{}' }], { truncateCd: true }), reason: 'bad-zip', message: /central directory points outside the file/ },
  { label: 'central directory entry damaged', name: 'a.charx', bytes: () => zip([{ name: 'card.json', data: '{}' }], { corruptCd: true }), reason: 'bad-zip', message: /entry #1 of its central directory is unreadable/ },
  { label: 'zip bomb by declared size', name: 'a.charx', bytes: () => zip([{ name: 'card.json', data: '{}', declaredSize: 0xfffffff0 }]), reason: 'zip-too-large', message: /would unpack to 4096\.0 MB; at most 200\.0 MB are allowed/ },
  { label: 'many entries whose sizes add up past the limit', name: 'a.charx', bytes: () => zip(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: 'x', declaredSize: 50 * 1024 * 1024 }))), reason: 'zip-too-large', message: /would unpack to 250\.0 MB/ },
  { label: 'real compressible entry over a small limit', name: 'a.charx', bytes: () => zip([{ name: 'card.json', data: JSON.stringify(card) }, { name: 'zeros.bin', data: new Uint8Array(3 * 1024 * 1024) }]), options: { zipLimits: { maxEntries: 10, maxTotalBytes: 1024 * 1024 } }, reason: 'zip-too-large', message: /would unpack to 3\.0 MB; at most 1\.0 MB/ },
  { label: 'entry that inflates past its declared size', name: 'a.charx', bytes: () => zip([{ name: 'card.json', data: JSON.stringify(card) }, { name: 'liar.bin', data: new Uint8Array(4 * 1024 * 1024), declaredSize: 100 }]), reason: 'bad-zip', message: /"liar\.bin" unpacks to more than its declared 100 bytes/ },
  { label: 'too many entries', name: 'a.charx', bytes: () => zip(Array.from({ length: 2001 }, (_, i) => ({ name: `f${i}.txt`, data: '', method: 0 }))), reason: 'zip-too-many-entries', message: /lists 2001 entries; at most 2000 are allowed/ },
  { label: 'end record claiming 65535 entries', name: 'a.charx', bytes: () => zip([{ name: 'card.json', data: '{}' }], { totalEntries: 65535 }), reason: 'zip-too-many-entries', message: /lists 65535 entries/ },
  { label: 'path traversal', name: 'a.charx', bytes: () => zip([{ name: 'card.json', data: JSON.stringify(card) }, { name: '../evil.txt', data: 'x' }]), reason: 'unsafe-path', message: /entry named "\.\.\/evil\.txt", which is unsafe: it climbs out of the archive with '\.\.'/ },
  { label: 'nested path traversal', name: 'a.charx', bytes: () => zip([{ name: 'assets/../../evil.txt', data: 'x' }]), reason: 'unsafe-path', message: /climbs out/ },
  { label: 'absolute path', name: 'a.charx', bytes: () => zip([{ name: '/etc/passwd', data: 'x' }]), reason: 'unsafe-path', message: /"\/etc\/passwd", which is unsafe: it is an absolute path/ },
  { label: 'backslash path', name: 'a.charx', bytes: () => zip([{ name: 'C:\\x', data: 'x' }]), reason: 'unsafe-path', message: /it contains a backslash/ },
  { label: 'drive letter', name: 'a.charx', bytes: () => zip([{ name: 'C:/Windows/x', data: 'x' }]), reason: 'unsafe-path', message: /starts with a drive letter/ },
  { label: 'control characters in a name', name: 'a.charx', bytes: () => zip([{ name: 'a\u0000b', data: 'x' }]), reason: 'unsafe-path', message: /control characters/ },
  { label: 'CHARX without card.json', name: 'a.charx', bytes: () => zip([{ name: 'readme.txt', data: 'hi' }]), reason: 'not-a-card', message: /no card\.json at its root/ },
  { label: 'card.json not JSON', name: 'a.charx', bytes: () => zip([{ name: 'card.json', data: 'not json at all' }]), reason: 'invalid-json', message: /The archive's card\.json is not valid JSON/ },
  { label: 'card.json of the wrong shape', name: 'a.charx', bytes: () => zip([{ name: 'card.json', data: '[1,2,3]' }]), reason: 'not-a-card', message: /a list instead of a character card object/ },
  { label: 'entry with a wrong CRC', name: 'a.charx', bytes: () => zip([{ name: 'card.json', data: JSON.stringify(card), crc: 12345 }]), reason: 'bad-zip', message: /"card\.json" is damaged: its CRC check fails/ },
  { label: 'unsupported compression method', name: 'a.charx', bytes: () => zip([{ name: 'card.json', data: '{}', method: 12, raw: enc('BZh9') }]), reason: 'bad-zip', message: /compression method 12, which is not supported/ },
  { label: 'encrypted entry', name: 'a.charx', bytes: () => zip([{ name: 'card.json', data: '{}', flags: 1 }]), reason: 'bad-zip', message: /"card\.json" is encrypted/ },
  { label: 'corrupt deflate data', name: 'a.charx', bytes: () => zip([{ name: 'card.json', data: '{"a":1}', raw: Uint8Array.from([0xff, 0xff, 0xff, 0xff]) }]), reason: 'bad-zip', message: /"card\.json" is damaged and cannot be unpacked/ },
  { label: 'stored entry with mismatched sizes', name: 'a.charx', bytes: () => zip([{ name: 'card.json', data: '{}', method: 0, declaredSize: 9 }]), reason: 'bad-zip', message: /stored size does not match/ },
  { label: 'named .charx but not a zip', name: 'a.charx', bytes: () => enc('definitely not a zip'), reason: 'bad-zip', message: /named like a CHARX\/ZIP archive but is not one/ },
];

function expectCardError(fn: () => unknown, reason: CardErrorReason, message: RegExp): CardError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'it must throw').toBeDefined();
  expect(thrown).toBeInstanceOf(CardError);
  const error = thrown as CardError;
  expect(error.reason).toBe(reason);
  expect(error.message).toMatch(message);
  // A sentence: starts with a capital and ends with a full stop.
  expect(error.message).toMatch(/^[A-Z'].*[.)]$/s);
  return error;
}

describe('malformed card files', () => {
  it('has a corpus of at least 30 distinct cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CASES.map((c) => c.label)).size).toBe(CASES.length);
  });

  for (const c of CASES) {
    it(`${c.label}: ${c.reason}`, () => {
      expectCardError(() => importCardFile(c.name, c.bytes(), c.options), c.reason, c.message);
    });
  }

  it('a real 201 MB zip bomb (about 200 KB on disk) is refused before inflating', () => {
    const zeros = new Uint8Array(201 * 1024 * 1024);
    const raw = new Uint8Array(deflateRawSync(zeros, { level: 1 }));
    const bytes = zip([{ name: 'card.json', data: JSON.stringify(card) }, { name: 'bomb.bin', data: new Uint8Array(0), raw, declaredSize: zeros.length, crc: 0 }]);
    expect(bytes.length).toBeLessThan(2 * 1024 * 1024);
    // The reason quotes the declared size: the refusal came from the directory, before any inflating.
    expectCardError(() => importCardFile('bomb.charx', bytes), 'zip-too-large', /would unpack to 201\.0 MB; at most 200\.0 MB/);
    // And when the archive lies about the size, inflating stops at the declared size.
    const liar = zip([{ name: 'card.json', data: JSON.stringify(card) }, { name: 'bomb.bin', raw, declaredSize: 1000, crc: 0 }]);
    expectCardError(() => importCardFile('bomb.charx', liar), 'bad-zip', /"bomb\.bin" unpacks to more than its declared 1000 bytes/);
  }, 30_000);

  it('errors carry details for a localised sentence', () => {
    const error = expectCardError(() => importCharx(zip([{ name: 'x', data: '1', declaredSize: 300 * 1024 * 1024 }])), 'zip-too-large', /would unpack/);
    expect(error.details).toEqual({ bytes: 300 * 1024 * 1024, limit: 200 * 1024 * 1024 });
  });

  it('a failed import changes nothing it was given', () => {
    const bytes = png(chunk('tEXt', enc('chara\0%%%')));
    const copy = bytes.slice();
    expect(() => importCardFile('a.png', bytes)).toThrow(CardError);
    expect(bytes).toEqual(copy);
  });
});
