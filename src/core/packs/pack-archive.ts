// Packs' view of the shared defensive ZIP reader (../zip-reader.ts): pack limits, Windows backslash
// names read as folders, failures worded as PackErrors, and the result as a PackFile list.

import { readZipFiles, ZipError } from '../zip-reader';
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

/** The shared reader's failure as a PackError with a sentence about a pack zip. */
function packError(error: unknown): unknown {
  if (!(error instanceof ZipError)) return error;
  const d = error.details;
  const name = String(d.name ?? '');
  const file: Record<string, string> = name ? { file: name } : {};
  const bad = (message: string) => new PackError('bad-zip', message, { ...d, ...file }, { cause: error });
  switch (error.fact) {
    case 'no-directory': return bad('Not a zip file, or a truncated one (no end-of-archive record)');
    case 'split': return bad('The zip is split across several files, which the importer does not read');
    case 'zip64-damaged': return bad('The zip is corrupt (its ZIP64 end record is missing)');
    case 'too-many-entries':
      return new PackError('too-many-entries', `The zip holds ${d.entries} entries; the limit is ${d.limit}`, d, { cause: error });
    case 'directory-outside': return bad('The zip is truncated or corrupt (central directory out of range)');
    case 'entry-unreadable':
    case 'entry-overruns': return bad('The zip is corrupt (bad central directory entry)');
    case 'unsafe-path':
      return new PackError('unsafe-path', `The zip holds an unsafe file name ("${name}"): it points outside the archive`, file, { cause: error });
    case 'entry-too-large':
      return new PackError('too-large', `"${name}" unpacks to ${d.bytes} bytes; the limit is ${d.limit}`, { ...d, ...file }, { cause: error });
    case 'total-too-large':
      return new PackError('too-large', `The zip unpacks to more than ${d.limit} bytes`, d, { cause: error });
    case 'encrypted': return bad(`"${name}" is encrypted; the importer does not read encrypted zips`);
    case 'no-local-header': return bad(`The zip is corrupt (no local header for "${name}")`);
    case 'truncated-entry': return bad(`The zip is truncated ("${name}" runs past its end)`);
    case 'stored-size-mismatch': return bad(`The zip is corrupt ("${name}" has inconsistent sizes)`);
    case 'bad-method': return bad(`"${name}" uses compression method ${d.method}, which the importer does not read`);
    case 'inflate-failed': return bad(`The zip is corrupt ("${name}" does not inflate)`);
    case 'overflow':
      return new PackError('too-large', `"${name}" unpacks to more than the ${d.size} bytes it declares`, { ...file, bytes: d.size }, { cause: error });
    case 'short': return bad(`The zip is corrupt ("${name}" is shorter than it declares)`);
    case 'bad-crc': return bad(`The zip is corrupt ("${name}" fails its CRC check)`);
  }
}

/**
 * The files of a zip (folders left out), in central-directory order, with names decoded
 * (UTF-8 when flagged or valid, else GBK, as Chinese Windows zips write them).
 * Throws PackError: 'bad-zip', 'too-many-entries', 'too-large', 'unsafe-path'.
 */
export function readZip(bytes: Uint8Array, limits: ZipLimits = {}): PackFile[] {
  try {
    return readZipFiles(bytes, { limits: { ...DEFAULT_ZIP_LIMITS, ...limits }, backslash: 'separator' }).map((f) => ({ path: f.name, bytes: f.bytes }));
  } catch (error) {
    throw packError(error);
  }
}
