// Turns what wllama and the browser throw while downloading, loading and generating into typed AppErrors.

import { AppError, isAbort } from '../../core/errors';

/** Last path segment of a URL, for messages ("model.gguf"). */
export function fileNameOfUrl(url: string): string {
  try {
    const path = new URL(url, 'http://x/').pathname;
    const last = path.split('/').filter(Boolean).pop();
    return last ? decodeURIComponent(last) : url;
  } catch {
    return url;
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}

function nameOf(error: unknown): string {
  return error && typeof error === 'object' && 'name' in error ? String((error as { name: unknown }).name) : '';
}

function isOffline(): boolean {
  return typeof navigator !== 'undefined' && navigator.onLine === false;
}

/**
 * Download and load failures. `what` is the file name or URL, kept in the details so the sentence
 * can name it. wllama reports HTTP failures as plain Errors "Failed to fetch <url>: HTTP <status>".
 */
export function describeWllamaLoadError(error: unknown, what: string, offline: boolean = isOffline()): AppError {
  if (error instanceof AppError) return error;
  const cause = { cause: error };
  if (isAbort(error)) return new AppError('aborted', 'Cancelled', {}, cause);
  const message = messageOf(error);
  const name = nameOf(error);
  const details: Record<string, string | number> = { file: fileNameOfUrl(what) };
  if (/^(https?:|blob:|\/|\.)/.test(what)) details.url = what;

  if (name === 'QuotaExceededError' || /quota/i.test(message)) {
    return new AppError('quota', message, details, cause);
  }
  const http = /HTTP (\d{3})/.exec(message);
  if (http) {
    const status = Number(http[1]);
    details.status = status;
    if (status === 404 || status === 410) return new AppError('not-found', message, details, cause);
    return new AppError('download-failed', message, details, cause);
  }
  if (/URL must ends? with "\.gguf"|Invalid model URL/i.test(message)) {
    return new AppError('not-gguf', message, details, cause);
  }
  // fetch() rejects with a TypeError ("Failed to fetch", "NetworkError …", "Load failed") when the
  // request never got an answer.
  if (name === 'TypeError' && /fetch|network|load failed/i.test(message)) {
    return new AppError(offline ? 'offline' : 'download-failed', message, details, cause);
  }
  if (offline && /fetch|network/i.test(message)) return new AppError('offline', message, details, cause);
  if (/out of memory|Cannot allocate|OOM|memory access out of bounds/i.test(message)) {
    return new AppError('model-too-large', message, details, cause);
  }
  return new AppError('model-load-failed', message, details, cause);
}

/** Generation failures: a full context is its own case, everything else is a failed generation. */
export function describeWllamaChatError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const cause = { cause: error };
  if (isAbort(error)) return new AppError('aborted', 'Cancelled', {}, cause);
  const message = messageOf(error);
  const type = error && typeof error === 'object' && 'type' in error ? String((error as { type: unknown }).type) : '';
  if (type === 'kv_cache_full' || /exceed.*context|context.*(exceed|full|size)|kv cache is full/i.test(message)) {
    // llama-server: "request (422 tokens) exceeds the available context size (256 tokens), …"
    const sizes = /\((\d+) tokens\)[^(]*\((\d+) tokens\)/.exec(message);
    const details: Record<string, number> = sizes ? { promptTokens: Number(sizes[1]), contextWindow: Number(sizes[2]) } : {};
    return new AppError('context-exceeded', message, details, cause);
  }
  if (type === 'model_not_loaded') return new AppError('no-model', message, {}, cause);
  return new AppError('generation-failed', message, {}, cause);
}
