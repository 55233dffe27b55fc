// Typed errors: every failure the person can meet has a code the UI turns into a sentence.

export type ErrorCode =
  | 'no-webgpu'
  | 'no-shader-f16'
  | 'model-too-large'
  | 'offline'
  | 'download-failed'
  | 'not-found'
  | 'quota'
  | 'not-gguf'
  | 'model-load-failed'
  | 'storage-unavailable'
  | 'device-lost'
  | 'context-exceeded'
  | 'no-model'
  | 'busy'
  | 'model-busy'
  | 'model-quota'
  | 'aborted'
  | 'generation-failed'
  | 'embedding-offline'
  | 'embedding-download-failed'
  | 'embedding-failed'
  | 'model-folder-invalid'
  | 'bad-backup'
  | 'character-gone'
  | 'unknown';

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Extra facts for the sentence (file name, status code, sizes). */
  readonly details: Record<string, string | number>;

  constructor(code: ErrorCode, message: string, details: Record<string, string | number> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

export function isAbort(error: unknown): boolean {
  if (error instanceof AppError) return error.code === 'aborted';
  return error instanceof Error && (error.name === 'AbortError' || /abort/i.test(error.name));
}

/** Turn anything thrown into an AppError, keeping codes that are already known. */
export function toAppError(error: unknown, fallback: ErrorCode = 'unknown'): AppError {
  if (error instanceof AppError) return error;
  if (isAbort(error)) return new AppError('aborted', 'Cancelled', {}, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === 'QuotaExceededError') {
    return new AppError('quota', message, {}, { cause: error });
  }
  return new AppError(fallback, message, {}, { cause: error });
}
