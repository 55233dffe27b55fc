// CHARX's view of the shared defensive ZIP reader (../zip-reader.ts): card limits, CHARX path rules
// (a backslash is never legitimate), failures worded as CardErrors; and writing through fflate.

import { zipSync, type Zippable } from 'fflate';
import {
  findEndOfCentralDirectory,
  isZipSignature,
  readZipDirectory as readDirectory,
  readZipFiles,
  unsafePathReason,
  ZipError,
  type ZipDirectory,
  type ZipFile,
  type ZipReadOptions,
} from '../zip-reader';
import { CardError } from './errors';

export { findEndOfCentralDirectory, isZipSignature, unsafePathReason, type ZipDirectory };
export type { ZipEntryInfo } from '../zip-reader';

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

function options(limits: ZipLimits): ZipReadOptions {
  // A card has no per-entry limit of its own: the total bounds every entry.
  return { limits: { ...limits, maxEntryBytes: Number.POSITIVE_INFINITY }, backslash: 'unsafe' };
}

/** The shared reader's failure as a CardError with a sentence about a card archive. */
function cardError(error: unknown): unknown {
  if (!(error instanceof ZipError)) return error;
  const d = error.details;
  const quoted = JSON.stringify(d.name ?? '');
  const bad = (message: string) => new CardError('bad-zip', message, d, { cause: error });
  switch (error.fact) {
    case 'no-directory': return bad('The file is not a readable ZIP archive: its central directory is missing (truncated or damaged).');
    case 'split': return bad('The ZIP archive is split across several files, which is not supported.');
    case 'zip64-damaged': return bad('The ZIP64 archive is damaged: its end record is missing.');
    case 'too-many-entries':
      return new CardError('zip-too-many-entries', `The archive lists ${d.entries} entries; at most ${d.limit} are allowed.`, d, { cause: error });
    case 'directory-outside': return bad('The ZIP archive is damaged: its central directory points outside the file.');
    case 'entry-unreadable': return bad(`The ZIP archive is damaged: entry #${d.index} of its central directory is unreadable.`);
    case 'entry-overruns': return bad(`The ZIP archive is damaged: entry #${d.index} of its central directory runs past its end.`);
    case 'unsafe-path':
      return new CardError('unsafe-path', `The archive holds an entry named ${quoted}, which is unsafe: ${d.why}.`, { name: d.name }, { cause: error });
    case 'entry-too-large':
    case 'total-too-large':
      return new CardError(
        'zip-too-large',
        `The archive would unpack to ${formatBytes(Number(d.bytes))}; at most ${formatBytes(Number(d.limit))} are allowed.`,
        d,
        { cause: error },
      );
    case 'encrypted': return bad(`The archive entry ${quoted} is encrypted, which is not supported.`);
    case 'no-local-header': return bad(`The archive entry ${quoted} is damaged: its local header is missing.`);
    case 'truncated-entry': return bad(`The archive entry ${quoted} runs past the end of the file (truncated).`);
    case 'stored-size-mismatch': return bad(`The archive entry ${quoted} is damaged: its stored size does not match.`);
    case 'bad-method': return bad(`The archive entry ${quoted} uses compression method ${d.method}, which is not supported.`);
    case 'inflate-failed': return bad(`The archive entry ${quoted} is damaged and cannot be unpacked (${d.cause}).`);
    case 'overflow': return bad(`The archive entry ${quoted} unpacks to more than its declared ${d.size} bytes.`);
    case 'short': return bad(`The archive entry ${quoted} is damaged: it unpacks to ${d.actual} bytes, not the declared ${d.size}.`);
    case 'bad-crc': return bad(`The archive entry ${quoted} is damaged: its CRC check fails.`);
  }
}

/** Read and check the central directory: count, names, declared sizes. Inflates nothing. */
export function readZipDirectory(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipDirectory {
  try {
    return readDirectory(bytes, options(limits));
  } catch (error) {
    throw cardError(error);
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
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
  let all: ZipFile[];
  try {
    all = readZipFiles(bytes, options(limits), want);
  } catch (error) {
    throw cardError(error);
  }
  const files = new Map<string, Uint8Array>();
  const duplicates: string[] = [];
  for (const file of all) {
    if (files.has(file.name)) duplicates.push(file.name);
    else files.set(file.name, file.bytes);
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
