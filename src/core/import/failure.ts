// Why a file was not imported: one reason per way it can fail, unified over the card and pack codecs.

import { CardError, type CardErrorReason } from '../cards/errors';
import { AppError, HearthError, registerErrorClass, type ErrorDetails } from '../errors';
import { PackError } from '../packs/common';

/** Every card failure passes through as it is (see toImportFailure), so its reasons are all here too. */
export type ImportReason =
  | CardErrorReason
  | 'not-a-pack'
  | 'unsupported-file'
  | 'wrong-shape'
  | 'quota'
  | 'storage'
  | 'cancelled'
  | 'unknown';

export const IMPORT_REASONS: readonly ImportReason[] = [
  'not-a-card', 'not-a-pack', 'unsupported-file', 'invalid-json', 'bad-base64', 'wrong-shape', 'unsupported-version',
  'too-large', 'bad-png', 'bad-zip', 'zip-too-many-entries', 'zip-too-large', 'unsafe-path', 'too-deep', 'quota',
  'storage', 'cancelled', 'unknown',
];

/**
 * A rejected file. `message` is the codec's English sentence about this file (it names chunks,
 * lines and limits); the UI shows the localised sentence for `reason` first and this beneath it.
 */
export class ImportFailure extends HearthError<ImportReason> {
  constructor(reason: ImportReason, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(reason, message, details, options);
    this.name = 'ImportFailure';
  }

  get reason(): ImportReason {
    return this.code;
  }
}
registerErrorClass('ImportFailure', ImportFailure);

/**
 * Anything thrown while reading or saving a file -> ImportFailure. `fromZip` tells a pack's
 * 'too-large' (an archive that unpacks to too much) from a plain file that is too large.
 */
export function toImportFailure(error: unknown, fromZip = false): ImportFailure {
  if (error instanceof ImportFailure) return error;
  if (error instanceof CardError) return new ImportFailure(error.reason, error.message, error.details, { cause: error });
  if (error instanceof PackError) {
    const reason: ImportReason =
      error.reason === 'too-many-entries' ? 'zip-too-many-entries'
        : error.reason === 'too-large' && fromZip ? 'zip-too-large'
          : error.reason;
    return new ImportFailure(reason, error.message, error.details, { cause: error });
  }
  if (error instanceof AppError) {
    const reason: ImportReason =
      error.code === 'quota' ? 'quota' : error.code === 'aborted' ? 'cancelled' : error.code === 'storage-unavailable' ? 'storage' : 'unknown';
    return new ImportFailure(reason, error.message, error.details, { cause: error });
  }
  if (error instanceof Error && error.name === 'AbortError') return new ImportFailure('cancelled', error.message, {}, { cause: error });
  return new ImportFailure('unknown', error instanceof Error ? error.message : String(error), {}, { cause: error });
}
