// The one defensive ZIP reader for untrusted archives (CHARX cards and ChatHaruhi packs): it reads
// the central directory itself, checks entry count, names and declared sizes before inflating
// anything, inflates in small slices so an entry that lies about its size cannot balloon, and
// verifies sizes and CRCs. Failures are ZipErrors with a `fact` and its details; the card and pack
// codecs word them as their own typed errors (cards/charx-archive.ts, packs/pack-archive.ts).
//
// fflate's unzipSync trusts declared sizes, so a zip that declares small entries but holds huge
// deflate streams would keep the CPU busy for a long time; that is why it is not used here.

import { Inflate, inflateSync } from 'fflate';
import { crc32, utf8Decode } from './bytes';
import { HearthError } from './errors';

export interface ZipReadLimits {
  /** Most entries (files and folders) the archive may list. */
  maxEntries: number;
  /** Most bytes all entries together may unpack to. */
  maxTotalBytes: number;
  /** Most bytes one entry may unpack to. */
  maxEntryBytes: number;
}

export interface ZipReadOptions {
  limits: ZipReadLimits;
  /**
   * How a backslash in an entry name is read: 'separator' (old Windows tools write `texts\a.txt`)
   * or 'unsafe' (CHARX: asset URIs use `/`, so a backslash is never legitimate).
   */
  backslash: 'separator' | 'unsafe';
}

/** What went wrong, for the codecs to word. `details` carries names, sizes and limits. */
export type ZipFact =
  | 'no-directory'
  | 'split'
  | 'zip64-damaged'
  | 'too-many-entries'
  | 'directory-outside'
  | 'entry-unreadable'
  | 'entry-overruns'
  | 'unsafe-path'
  | 'entry-too-large'
  | 'total-too-large'
  | 'encrypted'
  | 'no-local-header'
  | 'truncated-entry'
  | 'stored-size-mismatch'
  | 'bad-method'
  | 'inflate-failed'
  | 'overflow'
  | 'short'
  | 'bad-crc';

export class ZipError extends HearthError<ZipFact> {
  constructor(fact: ZipFact, details: Record<string, string | number> = {}, options?: { cause?: unknown }) {
    super(fact, `ZIP: ${fact} ${JSON.stringify(details)}`, details, options);
    this.name = 'ZipError';
  }

  get fact(): ZipFact {
    return this.code;
  }
}

export interface ZipEntryInfo {
  /** The name as used: decoded, with `\` read as `/` when the policy says so, without `./`. */
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  isDirectory: boolean;
}

export interface ZipDirectory {
  entries: ZipEntryInfo[];
  /** Where the archive starts in the file (non-zero when it is appended to an image). */
  base: number;
  declaredTotal: number;
}

export interface ZipFile {
  name: string;
  bytes: Uint8Array;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
/** Compressed bytes handed to the inflater at a time: bounds one step's output to ~64 MiB. */
const SLICE = 64 * 1024;

function u16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}
function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
function u64(b: Uint8Array, at: number): number {
  // Sizes past 2^53 are absurd here; they still compare as "too large".
  return u32(b, at) + u32(b, at + 4) * 0x100000000;
}

export function isZipSignature(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b
    && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/** Offset of the end-of-central-directory record, searching back over a possible comment; -1 if none. */
export function findEndOfCentralDirectory(bytes: Uint8Array): number {
  const last = bytes.length - 22;
  const first = Math.max(0, last - 0xffff);
  for (let at = last; at >= first; at--) {
    if (bytes[at] === 0x50 && bytes[at + 1] === 0x4b && u32(bytes, at) === SIG_EOCD
      && at + 22 + u16(bytes, at + 20) <= bytes.length) return at;
  }
  return -1;
}

/**
 * Why an entry name is unsafe to use as a path, or undefined when it is fine. Rejects absolute
 * paths, drive letters, backslashes, `..` segments and control characters.
 */
export function unsafePathReason(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.includes('\\')) return 'it contains a backslash';
  if (name.startsWith('/')) return 'it is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'it starts with a drive letter';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it contains control characters';
  if (name.split('/').some((segment) => segment === '..')) return "it climbs out of the archive with '..'";
  return undefined;
}

/** The name to use, or a ZipError('unsafe-path') for one that would land outside the archive. */
function checkedName(raw: string, backslash: ZipReadOptions['backslash']): string {
  const name = backslash === 'separator' ? raw.replace(/\\/g, '/') : raw;
  const isFolder = name.endsWith('/');
  const reason = unsafePathReason(name);
  if (reason) throw new ZipError('unsafe-path', { name: raw, why: reason });
  const clean = name.split('/').filter((part) => part !== '' && part !== '.').join('/');
  return isFolder ? `${clean}/` : clean;
}

let gbk: TextDecoder | null | undefined;

/** UTF-8 when flagged or valid, the Info-ZIP Unicode Path field, else GBK (Chinese Windows zips). */
function decodeEntryName(raw: Uint8Array, extra: Uint8Array, utf8Flag: boolean): string {
  if (utf8Flag) return utf8Decode(raw);
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra[at] | (extra[at + 1] << 8);
    const len = extra[at + 2] | (extra[at + 3] << 8);
    if (id === 0x7075 && len >= 5 && extra[at + 4] === 1) return utf8Decode(extra.subarray(at + 9, at + 4 + len));
    at += 4 + len;
  }
  if (raw.every((b) => b < 0x80)) return utf8Decode(raw);
  try {
    return utf8Decode(raw, { fatal: true }); // many tools write UTF-8 without setting the flag
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

/** Read and check the central directory: count, names, declared sizes. Inflates nothing. */
export function readZipDirectory(bytes: Uint8Array, options: ZipReadOptions): ZipDirectory {
  const { limits } = options;
  const eocd = findEndOfCentralDirectory(bytes);
  if (eocd < 0) throw new ZipError('no-directory');
  let total = u16(bytes, eocd + 10);
  let cdSize = u32(bytes, eocd + 12);
  let cdOffset = u32(bytes, eocd + 16);
  let recordAt = eocd;
  if (u16(bytes, eocd + 4) !== 0 || u16(bytes, eocd + 6) !== 0) throw new ZipError('split');
  if (total === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator >= 0 && u32(bytes, locator) === SIG_EOCD64_LOCATOR) {
      const at = u64(bytes, locator + 8);
      // The ZIP64 record normally sits right before its locator; its offset may be relative to an
      // archive appended to another file, so look there first.
      const guess = locator - 56;
      const rec = guess >= 0 && u32(bytes, guess) === SIG_EOCD64 ? guess : at;
      if (rec < 0 || rec + 56 > bytes.length || u32(bytes, rec) !== SIG_EOCD64) throw new ZipError('zip64-damaged');
      total = u64(bytes, rec + 32);
      cdSize = u64(bytes, rec + 40);
      cdOffset = u64(bytes, rec + 48);
      recordAt = rec;
    }
  }
  if (total > limits.maxEntries) throw new ZipError('too-many-entries', { entries: total, limit: limits.maxEntries });
  const base = recordAt - cdSize - cdOffset;
  if (base < 0 || recordAt - cdSize < 0) throw new ZipError('directory-outside');

  const entries: ZipEntryInfo[] = [];
  let declaredTotal = 0;
  let at = recordAt - cdSize;
  for (let i = 0; i < total; i++) {
    if (at + 46 > recordAt || u32(bytes, at) !== SIG_CENTRAL) throw new ZipError('entry-unreadable', { index: i + 1 });
    const flags = u16(bytes, at + 8);
    const method = u16(bytes, at + 10);
    const crc = u32(bytes, at + 16);
    let compressedSize = u32(bytes, at + 20);
    let size = u32(bytes, at + 24);
    const nameLength = u16(bytes, at + 28);
    const extraLength = u16(bytes, at + 30);
    const commentLength = u16(bytes, at + 32);
    let localOffset = u32(bytes, at + 42);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > recordAt) throw new ZipError('entry-overruns', { index: i + 1 });
    const extra = bytes.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    const rawName = decodeEntryName(bytes.subarray(at + 46, at + 46 + nameLength), extra, (flags & 0x800) !== 0);
    // ZIP64 extra field: 64-bit values for whichever 32-bit fields are saturated, in this order.
    for (let e = 0; e + 4 <= extra.length; ) {
      const id = u16(extra, e);
      const length = u16(extra, e + 2);
      if (id === 0x0001) {
        let p = e + 4;
        const end = Math.min(p + length, extra.length);
        if (size === 0xffffffff && p + 8 <= end) (size = u64(extra, p)), (p += 8);
        if (compressedSize === 0xffffffff && p + 8 <= end) (compressedSize = u64(extra, p)), (p += 8);
        if (localOffset === 0xffffffff && p + 8 <= end) localOffset = u64(extra, p);
      }
      e += 4 + length;
    }
    const name = checkedName(rawName, options.backslash);
    const isDirectory = name.endsWith('/');
    if (!isDirectory && size > limits.maxEntryBytes) {
      throw new ZipError('entry-too-large', { name, bytes: size, limit: limits.maxEntryBytes });
    }
    declaredTotal += size;
    entries.push({ name, method, flags, crc, compressedSize, size, localOffset, isDirectory });
    at = next;
  }
  if (declaredTotal > limits.maxTotalBytes) throw new ZipError('total-too-large', { bytes: declaredTotal, limit: limits.maxTotalBytes });
  return { entries, base, declaredTotal };
}

/** Inflates into exactly `size` bytes; throws 'overflow' as soon as the stream produces more. */
function inflateBounded(data: Uint8Array, size: number, name: string): Uint8Array {
  if (data.length <= SLICE) {
    // Small entries in one call (much cheaper than a stream per file). With a fixed output buffer
    // fflate never grows it, so one spare byte tells a stream that runs past its declared size.
    let out: Uint8Array;
    try {
      out = inflateSync(data, { out: new Uint8Array(size + 1) });
    } catch (error) {
      throw new ZipError('inflate-failed', { name, cause: error instanceof Error ? error.message : String(error) }, { cause: error });
    }
    if (out.length > size) throw new ZipError('overflow', { name, size });
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
    throw new ZipError('inflate-failed', { name, cause: error instanceof Error ? error.message : String(error) }, { cause: error });
  }
  if (overflow) throw new ZipError('overflow', { name, size });
  return out.subarray(0, written);
}

/** Unpack one file entry of a checked directory, verifying its size and CRC. */
export function extractZipEntry(bytes: Uint8Array, base: number, entry: ZipEntryInfo): Uint8Array {
  const name = entry.name;
  if (entry.flags & 1) throw new ZipError('encrypted', { name });
  const local = base + entry.localOffset;
  if (local + 30 > bytes.length || u32(bytes, local) !== SIG_LOCAL) throw new ZipError('no-local-header', { name });
  const start = local + 30 + u16(bytes, local + 26) + u16(bytes, local + 28);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw new ZipError('truncated-entry', { name });
  const data = bytes.subarray(start, end);
  let out: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw new ZipError('stored-size-mismatch', { name });
    out = data.slice();
  } else if (entry.method === 8) {
    out = inflateBounded(data, entry.size, name);
  } else {
    throw new ZipError('bad-method', { name, method: entry.method });
  }
  if (out.length !== entry.size) throw new ZipError('short', { name, size: entry.size, actual: out.length });
  if (crc32(out) !== entry.crc) throw new ZipError('bad-crc', { name });
  return out;
}

/**
 * Check the directory, then unpack the file entries (folders left out; those `want` accepts) in
 * central-directory order. Duplicate names are all returned; callers decide which one wins.
 */
export function readZipFiles(bytes: Uint8Array, options: ZipReadOptions, want: (name: string) => boolean = () => true): ZipFile[] {
  const directory = readZipDirectory(bytes, options);
  const files: ZipFile[] = [];
  for (const entry of directory.entries) {
    if (entry.isDirectory || !want(entry.name)) continue;
    files.push({ name: entry.name, bytes: extractZipEntry(bytes, directory.base, entry) });
  }
  return files;
}
