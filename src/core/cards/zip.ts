// A defensive ZIP reader for untrusted archives (CHARX): it reads the central directory itself,
// enforces entry-count and size limits before inflating anything, checks every name, inflates in
// small slices so a lying entry cannot balloon, and verifies CRCs. Writing goes through fflate.

import { Inflate, zipSync, type Zippable } from 'fflate';
import { crc32, utf8Decode } from './bytes';
import { CardError } from './errors';

export interface ZipLimits {
  /** Most entries (files and folders) an archive may list. */
  maxEntries: number;
  /** Most bytes all entries together may unpack to. */
  maxTotalBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 2000,
  maxTotalBytes: 200 * 1024 * 1024,
};

export interface ZipEntryInfo {
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

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
/** Compressed input is fed to the inflater in slices this big: at most ~17 MB of output each. */
const INFLATE_SLICE = 16 * 1024;

function u16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}
function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
function u64(b: Uint8Array, at: number): number {
  // Sizes past 2^53 are absurd for a card; they still compare as "too large".
  return u32(b, at) + u32(b, at + 4) * 0x100000000;
}

function badZip(message: string, details: Record<string, string | number> = {}): CardError {
  return new CardError('bad-zip', message, details);
}

export function isZipSignature(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b
    && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/** Offset of the end-of-central-directory record, searching back over a possible comment. */
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
 * Why a zip entry name is unsafe to use as a path, or undefined when it is fine. Rejects absolute
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

/** Read and check the central directory: count, names, declared sizes. Inflates nothing. */
export function readZipDirectory(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipDirectory {
  const eocd = findEndOfCentralDirectory(bytes);
  if (eocd < 0) throw badZip('The file is not a readable ZIP archive: its central directory is missing (truncated or damaged).');
  let total = u16(bytes, eocd + 10);
  let cdSize = u32(bytes, eocd + 12);
  let cdOffset = u32(bytes, eocd + 16);
  let recordAt = eocd;
  if (u16(bytes, eocd + 4) !== 0 || u16(bytes, eocd + 6) !== 0) {
    throw badZip('The ZIP archive is split across several files, which is not supported.');
  }
  if (total === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator >= 0 && u32(bytes, locator) === SIG_EOCD64_LOCATOR) {
      const at = u64(bytes, locator + 8);
      // The ZIP64 record normally sits right before its locator; its offset may be relative to an
      // archive appended to another file, so look there first.
      const guess = locator - 56;
      const rec = guess >= 0 && u32(bytes, guess) === SIG_EOCD64 ? guess : at;
      if (rec < 0 || rec + 56 > bytes.length || u32(bytes, rec) !== SIG_EOCD64) {
        throw badZip('The ZIP64 archive is damaged: its end record is missing.');
      }
      total = u64(bytes, rec + 32);
      cdSize = u64(bytes, rec + 40);
      cdOffset = u64(bytes, rec + 48);
      recordAt = rec;
    }
  }
  if (total > limits.maxEntries) {
    throw new CardError(
      'zip-too-many-entries',
      `The archive lists ${total} entries; at most ${limits.maxEntries} are allowed.`,
      { entries: total, limit: limits.maxEntries },
    );
  }
  const base = recordAt - cdSize - cdOffset;
  if (base < 0 || recordAt - cdSize < 0) {
    throw badZip('The ZIP archive is damaged: its central directory points outside the file.');
  }
  const entries: ZipEntryInfo[] = [];
  let declaredTotal = 0;
  let at = recordAt - cdSize;
  for (let i = 0; i < total; i++) {
    if (at + 46 > recordAt || u32(bytes, at) !== SIG_CENTRAL) {
      throw badZip(`The ZIP archive is damaged: entry #${i + 1} of its central directory is unreadable.`, { index: i + 1 });
    }
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
    if (next > recordAt) {
      throw badZip(`The ZIP archive is damaged: entry #${i + 1} of its central directory runs past its end.`, { index: i + 1 });
    }
    const name = utf8Decode(bytes.subarray(at + 46, at + 46 + nameLength));
    // ZIP64 extra field: 64-bit values for whichever 32-bit fields are saturated, in this order.
    let e = at + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = u16(bytes, e);
      const length = u16(bytes, e + 2);
      if (id === 0x0001) {
        let p = e + 4;
        const end = Math.min(p + length, extraEnd);
        if (size === 0xffffffff && p + 8 <= end) (size = u64(bytes, p)), (p += 8);
        if (compressedSize === 0xffffffff && p + 8 <= end) (compressedSize = u64(bytes, p)), (p += 8);
        if (localOffset === 0xffffffff && p + 8 <= end) localOffset = u64(bytes, p);
      }
      e += 4 + length;
    }
    const reason = unsafePathReason(name);
    if (reason) {
      throw new CardError('unsafe-path', `The archive holds an entry named ${JSON.stringify(name)}, which is unsafe: ${reason}.`, {
        name,
      });
    }
    declaredTotal += size;
    entries.push({ name, method, flags, crc, compressedSize, size, localOffset, isDirectory: name.endsWith('/') });
    at = next;
  }
  if (declaredTotal > limits.maxTotalBytes) {
    throw new CardError(
      'zip-too-large',
      `The archive would unpack to ${formatBytes(declaredTotal)}; at most ${formatBytes(limits.maxTotalBytes)} are allowed.`,
      { bytes: declaredTotal, limit: limits.maxTotalBytes },
    );
  }
  return { entries, base, declaredTotal };
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

interface Budget {
  used: number;
  limit: number;
}

function inflateBounded(data: Uint8Array, entry: ZipEntryInfo, budget: Budget): Uint8Array {
  const parts: Uint8Array[] = [];
  let produced = 0;
  const inflater = new Inflate((chunk: Uint8Array) => {
    produced += chunk.length;
    budget.used += chunk.length;
    if (budget.used > budget.limit) {
      throw new CardError(
        'zip-too-large',
        `The archive unpacks to more than ${formatBytes(budget.limit)}, the most allowed.`,
        { limit: budget.limit, name: entry.name },
      );
    }
    if (produced > entry.size) {
      throw badZip(`The archive entry ${JSON.stringify(entry.name)} unpacks to more than its declared ${entry.size} bytes.`, {
        name: entry.name,
      });
    }
    if (chunk.length) parts.push(chunk);
  });
  if (data.length === 0) inflater.push(new Uint8Array(0), true);
  for (let i = 0; i < data.length; i += INFLATE_SLICE) {
    inflater.push(data.subarray(i, i + INFLATE_SLICE), i + INFLATE_SLICE >= data.length);
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(produced);
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

function extract(bytes: Uint8Array, base: number, entry: ZipEntryInfo, budget: Budget): Uint8Array {
  const quoted = JSON.stringify(entry.name);
  if (entry.flags & 1) throw badZip(`The archive entry ${quoted} is encrypted, which is not supported.`, { name: entry.name });
  const local = base + entry.localOffset;
  if (local + 30 > bytes.length || u32(bytes, local) !== SIG_LOCAL) {
    throw badZip(`The archive entry ${quoted} is damaged: its local header is missing.`, { name: entry.name });
  }
  const start = local + 30 + u16(bytes, local + 26) + u16(bytes, local + 28);
  const end = start + entry.compressedSize;
  if (end > bytes.length) {
    throw badZip(`The archive entry ${quoted} runs past the end of the file (truncated).`, { name: entry.name });
  }
  const data = bytes.subarray(start, end);
  let out: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) {
      throw badZip(`The archive entry ${quoted} is damaged: its stored size does not match.`, { name: entry.name });
    }
    budget.used += data.length;
    if (budget.used > budget.limit) {
      throw new CardError('zip-too-large', `The archive unpacks to more than ${formatBytes(budget.limit)}, the most allowed.`, {
        limit: budget.limit,
      });
    }
    out = data.slice();
  } else if (entry.method === 8) {
    try {
      out = inflateBounded(data, entry, budget);
    } catch (error) {
      if (error instanceof CardError) throw error;
      throw new CardError('bad-zip', `The archive entry ${quoted} is damaged and cannot be unpacked (${error instanceof Error ? error.message : String(error)}).`, {
        name: entry.name,
      }, { cause: error });
    }
  } else {
    throw badZip(`The archive entry ${quoted} uses compression method ${entry.method}, which is not supported.`, {
      name: entry.name,
      method: entry.method,
    });
  }
  if (out.length !== entry.size) {
    throw badZip(`The archive entry ${quoted} is damaged: it unpacks to ${out.length} bytes, not the declared ${entry.size}.`, {
      name: entry.name,
    });
  }
  if (crc32(out) !== entry.crc) {
    throw badZip(`The archive entry ${quoted} is damaged: its CRC check fails.`, { name: entry.name });
  }
  return out;
}

export interface ReadZipResult {
  /** File entries by name (folders left out). The first of duplicate names wins. */
  files: Map<string, Uint8Array>;
  duplicates: string[];
}

/** Check the directory, then unpack every file entry (or those `want` accepts) within the limits. */
export function readZip(
  bytes: Uint8Array,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
  want: (name: string) => boolean = () => true,
): ReadZipResult {
  const directory = readZipDirectory(bytes, limits);
  const budget: Budget = { used: 0, limit: limits.maxTotalBytes };
  const files = new Map<string, Uint8Array>();
  const duplicates: string[] = [];
  for (const entry of directory.entries) {
    if (entry.isDirectory || !want(entry.name)) continue;
    if (files.has(entry.name)) {
      duplicates.push(entry.name);
      continue;
    }
    files.set(entry.name, extract(bytes, directory.base, entry, budget));
  }
  return { files, duplicates };
}

/** Pack files into a ZIP. Already-compressed media is stored; text is deflated. */
export function writeZip(files: ReadonlyMap<string, Uint8Array>, mtime?: Date): Uint8Array {
  const input: Zippable = {};
  for (const [name, data] of files) {
    const compressible = /\.(json|txt|md|risum|yaml|yml|js|css|html|svg)$/i.test(name);
    Object.defineProperty(input, name, {
      value: [data, { level: compressible ? 6 : 0, ...(mtime ? { mtime } : {}) }],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return zipSync(input);
}
