// Reading an untrusted zip into a file list, with limits on entries and unpacked bytes.
//
// fflate's unzipSync trusts the sizes a zip declares, so a zip that declares small entries but
// holds huge deflate streams keeps the CPU busy for a long time. Here the central directory is read
// by hand and each entry is inflated in small slices, stopping as soon as it produces more than it
// declared or than the limits allow; sizes and CRCs are then checked.

import { Inflate, inflateSync } from 'fflate';
import { PackError, type PackFile } from './common';

export interface ZipLimits {
  /** Most entries (files and folders) the archive may hold. Default 50,000. */
  maxEntries?: number;
  /** Most bytes all files may unpack to together. Default 512 MiB. */
  maxTotalBytes?: number;
  /** Most bytes one file may unpack to. Default 64 MiB. */
  maxEntryBytes?: number;
}

export const DEFAULT_ZIP_LIMITS: Required<ZipLimits> = {
  maxEntries: 50_000,
  maxTotalBytes: 512 * 1024 * 1024,
  maxEntryBytes: 64 * 1024 * 1024,
};

/** Compressed bytes handed to the inflater at a time: bounds one step's output to ~64 MiB. */
const SLICE = 64 * 1024;

const SIG_EOCD = 0x06054b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

/**
 * The files of a zip (folders left out), in central-directory order, with names decoded
 * (UTF-8 when flagged or valid, else GBK, as Chinese Windows zips write them).
 * Throws PackError: 'bad-zip', 'too-many-entries', 'too-large', 'unsafe-path'.
 */
export function readZip(bytes: Uint8Array, limits: ZipLimits = {}): PackFile[] {
  const lim = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (at: number) => view.getUint32(at, true);
  const u16 = (at: number) => view.getUint16(at, true);

  const eocd = findEndOfCentralDirectory(bytes, view);
  const count = u16(eocd + 10);
  const cdSize = u32(eocd + 12);
  const cdOffset = u32(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    throw new PackError('bad-zip', 'This zip uses the ZIP64 extension, which the importer does not read', {});
  }
  if (count > lim.maxEntries) {
    throw new PackError('too-many-entries', `The zip holds ${count} entries; the limit is ${lim.maxEntries}`, { entries: count, limit: lim.maxEntries });
  }
  if (cdOffset + cdSize > eocd) throw new PackError('bad-zip', 'The zip is truncated or corrupt (central directory out of range)', {});

  const files: PackFile[] = [];
  let total = 0;
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || u32(at) !== SIG_CENTRAL) throw new PackError('bad-zip', 'The zip is corrupt (bad central directory entry)', { entry: i });
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const crc = u32(at + 16);
    const compressedSize = u32(at + 20);
    const size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    const localOffset = u32(at + 42);
    const nameBytes = bytes.subarray(at + 46, at + 46 + nameLength);
    const extra = bytes.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    at += 46 + nameLength + extraLength + commentLength;

    const rawName = decodeEntryName(nameBytes, extra, (flags & 0x800) !== 0);
    const name = checkEntryPath(rawName);
    if (rawName.endsWith('/') || rawName.endsWith('\\')) continue; // a folder
    if (flags & 1) throw new PackError('bad-zip', `"${name}" is encrypted; the importer does not read encrypted zips`, { file: name });
    if (size > lim.maxEntryBytes) {
      throw new PackError('too-large', `"${name}" unpacks to ${size} bytes; the limit is ${lim.maxEntryBytes}`, { file: name, bytes: size, limit: lim.maxEntryBytes });
    }
    total += size;
    if (total > lim.maxTotalBytes) {
      throw new PackError('too-large', `The zip unpacks to more than ${lim.maxTotalBytes} bytes`, { file: name, limit: lim.maxTotalBytes });
    }

    if (localOffset + 30 > bytes.length || u32(localOffset) !== SIG_LOCAL) {
      throw new PackError('bad-zip', `The zip is corrupt (no local header for "${name}")`, { file: name });
    }
    const start = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28);
    if (start + compressedSize > bytes.length) throw new PackError('bad-zip', `The zip is truncated ("${name}" runs past its end)`, { file: name });
    const data = bytes.subarray(start, start + compressedSize);

    let content: Uint8Array;
    if (method === 0) {
      if (compressedSize !== size) throw new PackError('bad-zip', `The zip is corrupt ("${name}" has inconsistent sizes)`, { file: name });
      content = data.slice();
    } else if (method === 8) {
      content = inflateBounded(data, size, name);
    } else {
      throw new PackError('bad-zip', `"${name}" uses compression method ${method}, which the importer does not read`, { file: name, method });
    }
    if (crc32(content) !== crc) throw new PackError('bad-zip', `The zip is corrupt ("${name}" fails its CRC check)`, { file: name });
    files.push({ path: name, bytes: content });
  }
  return files;
}

function findEndOfCentralDirectory(bytes: Uint8Array, view: DataView): number {
  // The record is 22 bytes plus a comment of up to 65,535 bytes, at the very end.
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let at = bytes.length - 22; at >= lowest; at--) {
    if (view.getUint32(at, true) === SIG_EOCD && at + 22 + view.getUint16(at + 20, true) <= bytes.length) return at;
  }
  throw new PackError('bad-zip', 'Not a zip file, or a truncated one (no end-of-archive record)', {});
}

/** Inflates into at most `size` bytes, checking as it goes; throws when the stream lies about its size. */
function inflateBounded(data: Uint8Array, size: number, name: string): Uint8Array {
  if (data.length <= SLICE) {
    // Small entries in one call (much cheaper than a stream per file). With a fixed output buffer
    // fflate never grows it, so one spare byte tells a stream that runs past its declared size.
    let out: Uint8Array;
    try {
      out = inflateSync(data, { out: new Uint8Array(size + 1) });
    } catch (error) {
      throw new PackError('bad-zip', `The zip is corrupt ("${name}" does not inflate)`, { file: name }, { cause: error });
    }
    if (out.length > size) throw new PackError('too-large', `"${name}" unpacks to more than the ${size} bytes it declares`, { file: name, bytes: size });
    if (out.length !== size) throw new PackError('bad-zip', `The zip is corrupt ("${name}" is shorter than it declares)`, { file: name });
    return out;
  }
  const out = new Uint8Array(size);
  let written = 0;
  let overflow = false;
  const inflater = new Inflate((chunk) => {
    if (written + chunk.length > size) {
      overflow = true;
      return;
    }
    out.set(chunk, written);
    written += chunk.length;
  });
  try {
    let at = 0;
    do {
      const end = Math.min(data.length, at + SLICE);
      inflater.push(data.subarray(at, end), end >= data.length);
      at = end;
    } while (at < data.length && !overflow);
  } catch (error) {
    throw new PackError('bad-zip', `The zip is corrupt ("${name}" does not inflate)`, { file: name }, { cause: error });
  }
  if (overflow) throw new PackError('too-large', `"${name}" unpacks to more than the ${size} bytes it declares`, { file: name, bytes: size });
  if (written !== size) throw new PackError('bad-zip', `The zip is corrupt ("${name}" is shorter than it declares)`, { file: name });
  return out;
}

const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true });
const UTF8_LOOSE = new TextDecoder('utf-8');
let gbk: TextDecoder | null | undefined;

function decodeEntryName(raw: Uint8Array, extra: Uint8Array, utf8Flag: boolean): string {
  if (utf8Flag) return UTF8_LOOSE.decode(raw);
  // Info-ZIP Unicode Path extra field (0x7075): version 1, CRC of the raw name, then UTF-8.
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra[at] | (extra[at + 1] << 8);
    const len = extra[at + 2] | (extra[at + 3] << 8);
    if (id === 0x7075 && len >= 5 && extra[at + 4] === 1) return UTF8_LOOSE.decode(extra.subarray(at + 9, at + 4 + len));
    at += 4 + len;
  }
  if (raw.every((b) => b < 0x80)) return UTF8_LOOSE.decode(raw);
  try {
    return UTF8_STRICT.decode(raw); // many tools write UTF-8 without setting the flag
  } catch {
    if (gbk === undefined) {
      try {
        gbk = new TextDecoder('gbk');
      } catch {
        gbk = null;
      }
    }
    if (gbk) return gbk.decode(raw);
    let s = '';
    for (const b of raw) s += String.fromCharCode(b);
    return s;
  }
}

/** Normalises an entry name; throws on names that would land outside the folder they are unpacked to. */
function checkEntryPath(name: string): string {
  const slashed = name.replace(/\\/g, '/');
  const parts = slashed.split('/');
  if (slashed.startsWith('/') || /^[a-zA-Z]:/.test(slashed) || parts.includes('..') || name.includes('\u0000')) {
    throw new PackError('unsafe-path', `The zip holds an unsafe file name ("${name}"): it points outside the archive`, { file: name });
  }
  return parts.filter((p) => p !== '' && p !== '.').join('/');
}

let crcTable: Uint32Array | undefined;

export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
