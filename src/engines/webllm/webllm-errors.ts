// Turns whatever web-llm 0.2.86 throws into an AppError with a code and a sentence for the person.
//
// Errors from the worker arrive as strings: WebWorkerMLCEngineHandler posts `err.toString()`
// ("DeviceLostError: The WebGPU device was lost ..."), and the client rejects with that string.
// web-llm does not export its error classes (only IntegrityError), so matching is by the class
// name at the start of the text and by the messages written in lib/index.js.

import { AppError, type ErrorCode } from '../../core/errors';
import { findCatalogModel } from '../../core/model-catalog';

export type WebLlmPhase = 'load' | 'chat';

export interface WebLlmErrorContext {
  phase: WebLlmPhase;
  modelId?: string;
  /** navigator.onLine when known; false turns network-looking failures into 'offline'. */
  online?: boolean;
}

export interface RawError {
  name: string;
  message: string;
}

/** Name and message of an Error, a DOMException, or a worker's "Name: message" string. */
export function rawError(error: unknown): RawError {
  if (error instanceof Error) return { name: error.name || 'Error', message: error.message };
  if (typeof error === 'string') {
    const match = /^([A-Za-z_$][\w$]*(?:Error|Exception)|Error|[A-Z]\w*Error):\s?([\s\S]*)$/.exec(error);
    if (match) return { name: match[1]!, message: match[2]! };
    return { name: '', message: error };
  }
  if (error && typeof error === 'object') {
    const o = error as { name?: unknown; message?: unknown };
    if (typeof o.message === 'string') return { name: typeof o.name === 'string' ? o.name : '', message: o.message };
  }
  return { name: '', message: String(error) };
}

const P = {
  aborted: /^AbortError$/,
  abortedText: /Engine\.unload\(\) is called|The (?:user|operation) aborted|signal is aborted without reason/i,
  noWebgpu:
    /WebGPUNotAvailableError|WebGPUNotFoundError|Cannot find WebGPU|WebGPU is not supported|Unable to find a compatible GPU|Cannot initialize runtime because of requested|navigator\.gpu is undefined/i,
  f16: /ShaderF16SupportError|shader-f16|extension 'f16' is not allowed|\bf16\b[^.]*not (?:allowed|enabled|supported)/i,
  deviceLost:
    /DeviceLostError|device (?:was |is |has been )?lost|Device lost|Instance\.dispose|has already been disposed|GPUDevice[^.]*destroyed/i,
  context: /ContextWindowSizeExceededError|exceed context window size/i,
  quota: /QuotaExceededError|quota/i,
  modelRecord: /ModelNotFoundError|Cannot find model record/i,
  integrity: /IntegrityError|Integrity verification failed/i,
  // A static host's SPA fallback answers a missing file with index.html (status 200).
  htmlInsteadOfFile: /Unexpected token '<'|<!doctype|is not valid JSON|expected magic word 00 61 73 6d, found 3c/i,
  // Case-sensitive: "ArtifactIndexedDBCache failed to fetch: <url>" is a cache miss, not the network.
  network: /Failed to fetch(?!:)|NetworkError|Load failed|network error|fetch failed|net::ERR_|ERR_INTERNET_DISCONNECTED|ERR_NAME_NOT_RESOLVED/,
  download: /Request failed|Cannot fetch|Unable to fetch|Network response was not ok|Failed to store|failed to fetch:|expected magic word/i,
  status: /(?:status(?: code)?[:=]?\s*|HTTP\s*)(\d{3})\b/i,
  url: /(https?:\/\/[^\s'"`)]+)/,
};

const MAX_RAW = 500;

function label(modelId?: string): string {
  if (!modelId) return 'the model';
  const known = findCatalogModel(modelId);
  return known ? `${known.label} (${known.quant === 'q4f16_1' ? 'f16' : 'f32'})` : modelId.replace(/-MLC$/, '');
}

/** The person-facing sentence for each code, with the facts we have. */
export function webLlmSentence(code: ErrorCode, details: Record<string, string | number>): string {
  const model = label(typeof details.modelId === 'string' ? details.modelId : undefined);
  switch (code) {
    case 'aborted':
      return 'Cancelled.';
    case 'no-webgpu':
      return 'This browser cannot run WebGPU models on this device. Use a CPU (GGUF) model instead, or try a current Chrome or Edge.';
    case 'no-shader-f16':
      return `This GPU cannot run the f16 build of ${model}. Pick the f32 version of the same model.`;
    case 'model-too-large':
      return `${model} is too large for this GPU. Pick a smaller model.`;
    case 'offline':
      return `Could not download ${model}: the network is not reachable. Connect once to download it; after that it works offline.`;
    case 'not-found':
      if (details.reason === 'unknown-model') return `${model} is not a model this app knows how to load.`;
      return details.status
        ? `The files for ${model} were not found on the server (HTTP ${details.status}).`
        : `The files for ${model} were not found on the server.`;
    case 'download-failed':
      return `Downloading ${model} failed${details.status ? ` (HTTP ${details.status})` : ''}. Try again later.`;
    case 'quota':
      return `There is not enough storage space to keep ${model}. Free some disk space or delete another model, then try again.`;
    case 'device-lost':
      return 'The GPU stopped working (usually it ran out of memory). Load the model again, or pick a smaller one.';
    case 'context-exceeded':
      return details.contextWindow
        ? `The conversation is longer than the model can read at once (${details.promptTokens ?? '?'} of ${details.contextWindow} tokens). Shorten the history or the character's prompt.`
        : 'The conversation is longer than the model can read at once. Shorten the history or the character prompt.';
    case 'generation-failed':
      return 'The model failed while writing the reply. Try again; if it keeps failing, load the model again.';
    case 'model-load-failed':
      return `${model} could not be loaded. Try again, or pick another model.`;
    default:
      return 'Something went wrong in the model engine.';
  }
}

function classify(raw: RawError, ctx: WebLlmErrorContext): { code: ErrorCode; details: Record<string, string | number> } {
  const text = `${raw.name}: ${raw.message}`;
  const details: Record<string, string | number> = {};
  const url = P.url.exec(raw.message)?.[1]?.replace(/[.,;:]+$/, '');
  if (url) details.url = url;
  const statusText = P.status.exec(raw.message)?.[1];
  const status = statusText ? Number(statusText) : undefined;
  if (status !== undefined) details.status = status;

  if (P.aborted.test(raw.name) || P.abortedText.test(text)) return { code: 'aborted', details };
  if (P.noWebgpu.test(text)) return { code: 'no-webgpu', details };
  if (P.f16.test(text)) return { code: 'no-shader-f16', details };
  if (P.deviceLost.test(text)) return { code: 'device-lost', details };
  const ctxMatch = P.context.exec(text);
  if (ctxMatch) {
    const nums = /number of prompt tokens: (\d+); context window size: (\d+)/.exec(raw.message);
    if (nums) {
      details.promptTokens = Number(nums[1]);
      details.contextWindow = Number(nums[2]);
    }
    return { code: 'context-exceeded', details };
  }
  if (P.quota.test(text)) return { code: 'quota', details };
  if (P.modelRecord.test(text)) return { code: 'not-found', details: { ...details, reason: 'unknown-model' } };
  if (ctx.phase === 'load' && P.htmlInsteadOfFile.test(text)) {
    return { code: 'not-found', details: { ...details, reason: 'html-instead-of-file' } };
  }
  if (status === 404 || status === 410) return { code: ctx.online === false ? 'offline' : 'not-found', details };
  if (status !== undefined && status >= 400) return { code: 'download-failed', details };
  if (P.network.test(text)) return { code: 'offline', details };
  if (P.integrity.test(text) || P.download.test(text)) {
    return { code: ctx.online === false ? 'offline' : 'download-failed', details };
  }
  if (ctx.phase === 'load' && ctx.online === false) return { code: 'offline', details };
  return { code: ctx.phase === 'load' ? 'model-load-failed' : 'generation-failed', details };
}

/** Map anything web-llm (or the worker around it) threw. AppErrors pass through unchanged. */
export function mapWebLlmError(error: unknown, ctx: WebLlmErrorContext): AppError {
  if (error instanceof AppError) return error;
  const raw = rawError(error);
  const { code, details } = classify(raw, ctx);
  if (ctx.modelId) details.modelId = ctx.modelId;
  if (raw.name) details.name = raw.name;
  details.phase = ctx.phase;
  details.raw = raw.message.length > MAX_RAW ? `${raw.message.slice(0, MAX_RAW)}…` : raw.message;
  // The UI's sentences for these codes quote {detail}: give them the engine's words, not our own
  // English sentence (which would repeat "could not be loaded… try again" inside itself).
  if (code === 'model-load-failed' || code === 'generation-failed') details.detail = details.raw;
  return new AppError(code, webLlmSentence(code, details), details, { cause: error });
}

/** A new AppError with the same facts and a different code (and the sentence for that code). */
export function recodeWebLlmError(error: AppError, code: ErrorCode, extra: Record<string, string | number> = {}): AppError {
  const details = { ...error.details, ...extra };
  return new AppError(code, webLlmSentence(code, details), details, { cause: error.cause ?? error });
}
