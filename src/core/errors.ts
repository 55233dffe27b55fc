// Typed errors: every failure the person can meet has a code the UI turns into a sentence.
// HearthError is the base of every typed error in the app (AppError, CardError, PackError,
// ImportFailure, BackupError, ZipError, Base64Error), so one serializer carries any of them across
// a worker boundary and brings it back as the same class.

/** Facts for the sentence (file name, status code, sizes, limits). */
export type ErrorDetails = Record<string, string | number>;

export class HearthError<Code extends string = string> extends Error {
  /** What went wrong, as a code the UI words (some subclasses also call it `reason`). */
  readonly code: Code;
  readonly details: ErrorDetails;

  constructor(code: Code, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    // Each subclass sets its own name: class names do not survive minification.
    this.name = 'HearthError';
    this.code = code;
    this.details = details;
  }
}

/** A HearthError as plain data, which structured cloning keeps whole (an Error's fields it does not). */
export interface SerializedError {
  /** The class's `name`, to bring it back as the same class. */
  name: string;
  code: string;
  message: string;
  details: ErrorDetails;
}

type HearthErrorClass = new (code: never, message: string, details?: ErrorDetails, options?: { cause?: unknown }) => HearthError;

const errorClasses = new Map<string, HearthErrorClass>();

/** Lets deserializeError bring errors of this name back as this class (each class registers itself). */
export function registerErrorClass(name: string, errorClass: HearthErrorClass): void {
  errorClasses.set(name, errorClass);
}

export function serializeError(error: HearthError): SerializedError {
  return { name: error.name, code: error.code, message: error.message, details: { ...error.details } };
}

/** The error again, as its own class when that class is registered in this realm, else a HearthError. */
export function deserializeError(error: SerializedError): HearthError {
  const errorClass = errorClasses.get(error.name);
  if (!errorClass) {
    const plain = new HearthError(error.code, error.message, error.details);
    plain.name = error.name;
    return plain;
  }
  return new errorClass(error.code as never, error.message, error.details);
}

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
  /** The engine itself stopped working (a wasm trap); the model must be loaded again. */
  | 'engine-crashed'
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
  /** Saved elsewhere (another tab) since the edit began: saving would revert that save. */
  | 'edit-conflict'
  /** Another tab renamed the chat since the rename began. */
  | 'chat-title-conflict'
  /** Another tab deleted the chat being changed here. */
  | 'chat-gone'
  /** Another tab changed the message's text since the edit began. */
  | 'message-conflict'
  /** Another tab saved or deleted the persona since the edit began. */
  | 'persona-conflict'
  /** Another tab changed or deleted the lorebook since the list last showed it. */
  | 'lorebook-conflict'
  /** The model server did not answer at all (wrong address, not running, or a firewall). */
  | 'server-unreachable'
  /** The server answered but its CORS settings do not let this page read the answer. */
  | 'server-cors'
  /** HTTP 401/403: the API key is missing or wrong. */
  | 'server-unauthorized'
  /** The server does not have the chosen model (404 or "model not found"). */
  | 'server-model-missing'
  /** HTTP 429: too many requests or out of quota. */
  | 'server-rate-limited'
  /** An https page cannot call an http server that is not this computer. */
  | 'server-mixed-content'
  /** The app's Content-Security-Policy allows plain http only to localhost and 127.0.0.1. */
  | 'server-blocked'
  /** Any other refusal by the server, with its status and message. */
  | 'server-failed'
  /** A sampling preset without a name, or one too many. */
  | 'preset-invalid'
  /** A group (several characters) asked to export as a card. */
  | 'group-not-a-card'
  | 'unknown';

/** The app's own failures (engines, storage, models, backups); the UI has a sentence for each code. */
export class AppError extends HearthError<ErrorCode> {
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.name = 'AppError';
  }
}
registerErrorClass('AppError', AppError);

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
