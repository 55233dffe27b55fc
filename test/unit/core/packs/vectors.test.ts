// Base64 and float32 byte helpers, checked against Node's Buffer.

import { describe, expect, it } from 'vitest';
import { base64Encode as encodeBase64 } from '../../../../src/core/bytes';
import { decodeBase64, decodeFloat32BigEndian, float32BytesToLittleEndian, littleEndianToFloat32Bytes } from '../../../../src/core/packs/vectors';
import { PackError } from '../../../../src/core/packs/common';

describe('base64', () => {
  it('matches Buffer for every length and byte value', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 37 + n * 11) & 0xff);
      const expected = Buffer.from(bytes).toString('base64');
      expect(encodeBase64(bytes)).toBe(expected);
      expect(decodeBase64(expected)).toEqual(bytes);
    }
    const all = new Uint8Array(256 * 300).map((_, i) => i & 0xff);
    expect(encodeBase64(all)).toBe(Buffer.from(all).toString('base64'));
  });

  it('accepts missing padding, line breaks and the URL-safe alphabet', () => {
    expect(decodeBase64('aGk')).toEqual(new Uint8Array([104, 105]));
    expect(decodeBase64('aG\nk=\r\n')).toEqual(new Uint8Array([104, 105]));
    expect(decodeBase64('-_8')).toEqual(new Uint8Array(Buffer.from('+/8', 'base64')));
  });

  it('rejects characters outside the alphabet, data after padding and impossible lengths', () => {
    for (const bad of ['a*bc', 'ab=c', 'abcde', '中文', 'ab===']) expect(() => decodeBase64(bad)).toThrow(PackError);
  });

  it('reads big-endian float32 vectors and writes little-endian bytes bit for bit', () => {
    const be = Buffer.alloc(12);
    be.writeFloatBE(1.5, 0);
    be.writeFloatBE(-0, 4);
    be.writeFloatBE(-2.25e-40, 8);
    const floats = decodeFloat32BigEndian(be.toString('base64'));
    expect(Array.from(floats)).toEqual([1.5, -0, Math.fround(-2.25e-40)]);
    expect(() => decodeFloat32BigEndian('AAAAAAA=')).toThrowError(/multiple of 4/);
    const words = new Uint32Array([0x7fc00001, 0xffffffff, 0x3f800000]);
    const le = float32BytesToLittleEndian(words.buffer);
    expect(Array.from(le.slice(0, 4))).toEqual([0x01, 0x00, 0xc0, 0x7f]);
    expect(Array.from(new Uint32Array(littleEndianToFloat32Bytes(le)))).toEqual(Array.from(words));
  });
});
